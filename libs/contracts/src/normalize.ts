import { parsePhoneNumberFromString } from 'libphonenumber-js/max';
import type { IdentityKind } from './enums';

/** A value that cannot be normalized for its kind: the message says why, in French. */
export class InvalidIdentityError extends Error {
  constructor(
    readonly kind: IdentityKind,
    readonly value: string,
    reason: string,
  ) {
    super(reason);
    this.name = 'InvalidIdentityError';
  }
}

// Deliberately plain: RFC 5322 allows more, but a town hall replies to mailbox addresses.
const EMAIL = /^[^\s@<>(),;:"[\]\\]+@[^\s@<>(),;:"[\]\\]+\.[^\s@<>(),;:"[\]\\]{2,}$/;

export function normalizeEmail(value: string): string {
  const email = value.trim().toLowerCase();
  if (email.length > 254 || !EMAIL.test(email)) {
    throw new InvalidIdentityError('email', value, `adresse e-mail invalide : « ${value} »`);
  }
  return email;
}

/** E.164, with France as the default region: `06 12 34 56 78` -> `+33612345678`. */
export function normalizePhone(value: string, defaultCountry: 'FR' = 'FR'): string {
  const cleaned = value.trim().replace(/^whatsapp:/i, '');
  const phone = parsePhoneNumberFromString(cleaned, defaultCountry);
  if (!phone || !phone.isValid()) {
    throw new InvalidIdentityError('phone', value, `numéro de téléphone invalide : « ${value} »`);
  }
  return phone.number;
}

export function normalizeIdentity(kind: IdentityKind, value: string): string {
  switch (kind) {
    case 'email':
      return normalizeEmail(value);
    case 'phone':
    case 'whatsapp':
      return normalizePhone(value);
    case 'messenger':
    case 'instagram': {
      const id = value.trim();
      if (!/^[0-9A-Za-z_.-]{1,128}$/.test(id)) {
        throw new InvalidIdentityError(kind, value, `identifiant ${kind} invalide : « ${value} »`);
      }
      return id;
    }
  }
}
