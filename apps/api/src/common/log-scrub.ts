/**
 * A last guard on what goes into the logs: e-mail addresses and phone numbers that a provider's
 * error or a database message quoted are masked before the line is written.
 */
const EMAIL = /[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+/g;
// E.164 (+33612345678), French national (06 12 34 56 78, 06.12.34.56.78, 0612345678) and whatsapp:+… forms.
const PHONE = /(?:\+|\b00)\d[\d .-]{7,16}\d\b|\b0[1-9](?:[ .-]?\d{2}){4}\b/g;

// A link's query string may hold a signature or a token.
const QUERY = /(https?:\/\/[^\s?#]+)\?[^\s#]*/g;

export function scrubPersonalData(text: string): string {
  if (!text.includes('@') && !text.includes('?') && !/\d{6}|\d{2}[ .-]\d{2}[ .-]\d{2}/.test(text)) return text;
  return text.replace(QUERY, '$1?…').replace(EMAIL, '[adresse]').replace(PHONE, '[numéro]');
}
