import { CITIZEN_TEXT, fillText, formatDateTime, pluralText } from '../citizen-text';

describe('citizen pages text', () => {
  it('chooses the singular or plural form by each language’s rules and fills the placeholders', () => {
    const t = CITIZEN_TEXT.fr.public.errors;
    expect(pluralText('fr', 1, t.summary_one, t.summary_other)).toBe('Le formulaire contient 1 erreur :');
    expect(pluralText('fr', 0, t.summary_one, t.summary_other)).toBe('Le formulaire contient 0 erreur :');
    expect(pluralText('fr', 3, t.summary_one, t.summary_other)).toBe('Le formulaire contient 3 erreurs :');
    const e = CITIZEN_TEXT.en.public.errors;
    expect(pluralText('en', 0, e.summary_one, e.summary_other)).toBe('The form has 0 errors:');
    expect(fillText(CITIZEN_TEXT.fr.public.formTitle, { name: 'Ville de Démo' })).toBe('Écrire à Ville de Démo');
    expect(fillText('{{a}} et {{b}}', { a: 1 })).toBe('1 et {{b}}');
  });

  it('writes dates in Paris time in the page’s language', () => {
    expect(formatDateTime('2026-03-12T13:05:00Z', 'fr')).toBe('12 mars 2026 à 14:05');
    expect(formatDateTime('2026-07-01T08:30:00Z', 'en')).toBe('1 July 2026 at 10:30');
  });
});
