/** Headers naming who a mail is from (the author, the sender, where replies go, the envelope). */
const SENDER_HEADERS = new Set(['from', 'sender', 'reply-to', 'return-path']);
/** How much of a source is read for its header: a header section is far shorter. */
const HEADER_BYTES = 64 * 1024;
const ADDRESS = /[^\s@<>(),;:"[\]\\]+@[^\s@<>(),;:"[\]\\]+\.[^\s@<>(),;:"[\]\\]{2,}/g;

/**
 * The addresses a mail's source says it is from (From, Sender, Reply-To, Return-Path), lower-cased
 * as identities are (contracts' normalizeEmail), read without parsing the mail: it serves the
 * quarantine, where the mail is one the parser refused. Whatever else the mail holds is not read;
 * a header with no address gives nothing. At most 20 addresses, in order of appearance.
 */
export function senderAddresses(source: Uint8Array): string[] {
  const head = Buffer.from(source.buffer, source.byteOffset, Math.min(source.byteLength, HEADER_BYTES)).toString('latin1');
  const end = head.search(/\r?\n\r?\n/);
  const lines = (end < 0 ? head : head.slice(0, end)).split(/\r?\n/);
  const found: string[] = [];
  let current: string | null = null;
  const take = (field: string | null) => {
    if (field === null) return;
    const colon = field.indexOf(':');
    if (colon < 0 || !SENDER_HEADERS.has(field.slice(0, colon).trim().toLowerCase())) return;
    for (const m of field.slice(colon + 1).matchAll(ADDRESS)) {
      const address = m[0].toLowerCase().replace(/\.+$/, '');
      if (address.length <= 254 && !found.includes(address)) found.push(address);
    }
  };
  for (const line of lines) {
    // A folded header goes on with a line starting with a space or a tab (RFC 5322 2.2.3).
    if (/^[ \t]/.test(line) && current !== null) current += ` ${line.trim()}`;
    else {
      take(current);
      current = line;
    }
  }
  take(current);
  return found.slice(0, 20);
}
