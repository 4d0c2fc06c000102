import { InvalidIdentityError, normalizeEmail, normalizeIdentity, normalizePhone } from '../normalize';

describe('identity normalization', () => {
  it.each([
    ['06 12 34 56 78', '+33612345678'],
    ['06.12.34.56.78', '+33612345678'],
    ['+33 6 12 34 56 78', '+33612345678'],
    ['0033612345678', '+33612345678'],
    ['01 23 45 67 89', '+33123456789'],
    ['whatsapp:+33612345678', '+33612345678'],
    ['+32 470 12 34 56', '+32470123456'],
  ])('phone %s -> %s (France by default)', (input, expected) => {
    expect(normalizePhone(input)).toBe(expected);
  });

  it.each(['12', '06 12 34', 'abc', '+33 6 12 34 56 78 90 12'])('refuses the phone %s with a French reason', (input) => {
    expect(() => normalizePhone(input)).toThrow(InvalidIdentityError);
    expect(() => normalizePhone(input)).toThrow(/numéro de téléphone invalide/);
  });

  it('lower-cases and trims emails, and refuses malformed ones', () => {
    expect(normalizeEmail('  Jeanne.Martin@Orange.FR ')).toBe('jeanne.martin@orange.fr');
    for (const bad of ['jeanne', 'jeanne@', '@orange.fr', 'a b@c.fr', 'x@y', 'a@b@c.fr']) {
      expect(() => normalizeEmail(bad)).toThrow(/adresse e-mail invalide/);
    }
  });

  it('keeps page-scoped ids as they are and refuses junk', () => {
    expect(normalizeIdentity('messenger', ' 1234567890123456 ')).toBe('1234567890123456');
    expect(() => normalizeIdentity('instagram', 'a b')).toThrow(InvalidIdentityError);
  });
});
