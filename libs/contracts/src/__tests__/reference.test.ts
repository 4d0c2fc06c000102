import { randomBytes } from 'node:crypto';
import { findReference, formatReference, isReference, referenceSearched } from '../reference';

describe('public references', () => {
  it('formats six unambiguous characters after GU-', () => {
    for (let i = 0; i < 200; i++) {
      const ref = formatReference(randomBytes(6));
      expect(ref).toMatch(/^GU-[2-9A-HJKMNP-TV-Z]{6}$/);
      expect(isReference(ref)).toBe(true);
    }
  });

  it('finds a reference quoted in an email subject, whatever the case', () => {
    expect(findReference('RE: Votre demande [GU-7K3M9Q] acte de naissance')).toBe('GU-7K3M9Q');
    expect(findReference('re: dossier gu-7k3m9q')).toBe('GU-7K3M9Q');
    expect(findReference('Bonjour, pas de référence')).toBeNull();
    // O, I, L, U, 0 and 1 are never part of a reference.
    expect(findReference('[GU-OOOOOO]')).toBeNull();
  });

  it('reads a reference typed in a search box, loosely, or quoted in the text', () => {
    for (const typed of [
      'GU-7K3M9Q',
      'gu-7k3m9q',
      'GU7K3M9Q',
      'gu 7k3m9q',
      ' [GU-7K3M9Q] ',
      '(gu7k3m9q)',
      '#GU-7K3M9Q',
      'dossier GU-7K3M9Q naissance',
    ]) {
      expect([typed, referenceSearched(typed)]).toEqual([typed, 'GU-7K3M9Q']);
    }
    for (const other of ['GU-7K3M9', 'GU7K3M9QX', 'dossier GU7K3M9Q', 'GU-OOOOOO', '7K3M9Q', 'naissance', '<style>', '']) {
      expect([other, referenceSearched(other)]).toEqual([other, null]);
    }
  });
});
