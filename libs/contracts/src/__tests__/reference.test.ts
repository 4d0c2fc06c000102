import { randomBytes } from 'node:crypto';
import { findReference, formatReference, isReference } from '../reference';

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
});
