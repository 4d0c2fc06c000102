import { publicOpeningHours, weekdayOpeningHours } from '../admin';
import { CITIZEN_TEXT, fillText, formatDateTime, pluralText } from '../citizen-text';
import { formatLongDate, openingHoursLines } from '../citizen-format';

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

  it('writes a date in words as the acknowledgements do, in Paris', () => {
    expect(formatLongDate('2027-03-01T08:00:00Z', 'fr')).toBe('1er mars 2027');
    expect(formatLongDate('2027-01-30T23:30:00Z', 'fr')).toBe('31 janvier 2027'); // 00:30 in Paris
    expect(formatLongDate('2027-01-30T22:59:59.999Z', 'en')).toBe('30 January 2027');
  });

  it('writes opening hours one line per run of days with the same hours, closed days left out', () => {
    const morning = ['09:00', '12:00'] as [string, string];
    const day: [string, string][] = [
      ['08:30', '12:00'],
      ['13:30', '17:30'],
    ];
    const hours = weekdayOpeningHours({ 1: day, 2: day, 3: day, 4: [morning], 6: [morning] });
    expect(openingHoursLines(hours, 'fr')).toEqual([
      'Du lundi au mercredi : 8 h 30 – 12 h, 13 h 30 – 17 h 30',
      'Jeudi : 9 h – 12 h',
      'Samedi : 9 h – 12 h',
    ]);
    expect(openingHoursLines(weekdayOpeningHours({ 1: [morning], 2: [morning], 5: day }), 'en')).toEqual([
      'Monday and Tuesday: 9:00 – 12:00',
      'Friday: 8:30 – 12:00, 13:30 – 17:30',
    ]);
    expect(openingHoursLines(weekdayOpeningHours({}), 'fr')).toEqual([]);
  });

  it('shows citizens a service’s own hours, else its town’s, else none (the usual hours are only counted)', () => {
    const own = { 6: [['09:00', '12:00']] as [string, string][] };
    const town = weekdayOpeningHours({ 1: [['09:00', '17:00']] });
    expect(publicOpeningHours(own, town)).toEqual(weekdayOpeningHours(own));
    expect(publicOpeningHours(null, town)).toEqual(town);
    expect(publicOpeningHours(null, weekdayOpeningHours({}))).toBeNull();
    expect(publicOpeningHours(null, null)).toBeNull();
  });
});
