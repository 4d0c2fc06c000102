import { isAscii, isUtf8 } from 'node:buffer';
import { analyse } from 'chardet';
import iconv from 'iconv-lite';

/**
 * What was decided about one part of a mail whose charset had to be repaired: kept in the message's
 * meta, so that an agent (or a later fix) can tell the text was read with a guessed charset.
 */
export interface CharsetNote {
  /** `headers` of the mail (or of a part), or the text `body` of a part. */
  where: 'headers' | 'body';
  /** The charset the mail declared (null: none). */
  declared: string | null;
  /** The charset the text was read with. */
  used: string;
  /** How: the charset declared by the body, detected (chardet), or the French default (nothing better). */
  how: 'declared' | 'detected' | 'default';
  /** 0 to 100; below {@link SURE} the reading is a guess and the raw bytes must be kept. */
  confidence: number;
  /** Headers only: the original 8-bit header lines, base64, so nothing is lost. */
  raw?: string;
}

export interface RepairedSource {
  /** The source to parse: unchanged unless a charset had to be repaired. */
  source: Buffer;
  notes: CharsetNote[];
}

/** Confidence from which a detected charset is taken as sure (the raw bytes are kept below it). */
export const SURE = 50;
/** Old French clients (Outlook Express, Eudora, old webmails) write Windows-1252: the default. */
const FRENCH_DEFAULT = 'windows-1252';
const LATIN1_FAMILY = /^(iso[-_]?8859[-_]?1|latin-?1|l1|cp819|ibm819|windows-1252|cp1252|x-cp1252|us-ascii|ascii)$/i;
const UTF8 = /^(utf-?8|us-ascii|ascii|7bit)$/i;
const MAX_ENTITIES = 200;
const MAX_DEPTH = 20;

/** WHATWG (TextDecoder) name of a charset, else iconv-lite's (old code pages such as `cp850`), else null. */
function knownName(charset: string): string | null {
  try {
    return new TextDecoder(charset).encoding;
  } catch {
    return iconv.encodingExists(charset) ? charset.toLowerCase() : null;
  }
}

/** The name to read a declared charset with, or null when unknown (`iso-gb2312` -> `gb2312`). */
function decoderName(charset: string): string | null {
  return knownName(charset) ?? knownName(charset.replace(/^(iso|x|cs)[-_]/i, ''));
}

/** Known as it is written, by TextDecoder or by iconv-lite (which the mail parser decodes with). */
function isStandardName(charset: string): boolean {
  return knownName(charset) !== null;
}

/** The text of `bytes` in a known `charset`; with `fatal`, null when the bytes are not valid in it. */
function decodeAs(bytes: Uint8Array, charset: string, fatal: boolean): string | null {
  let decoder: { decode(input: Uint8Array): string } | null = null;
  try {
    decoder = new TextDecoder(charset, { fatal });
  } catch {
    /* not a WHATWG charset: iconv-lite */
  }
  if (decoder) {
    try {
      return decoder.decode(bytes);
    } catch {
      return null;
    }
  }
  const text = iconv.decode(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), charset);
  return fatal && text.includes('\ufffd') ? null : text;
}

/** The text of `bytes` in `charset`, or null when the bytes are not valid in it. */
function decodeStrict(bytes: Uint8Array, charset: string): string | null {
  return decodeAs(bytes, charset, true);
}

/**
 * chardet's best charset that really decodes `bytes`, when it is sure enough; otherwise (a few
 * bytes say little) the French default, with the confidence of the best guess.
 */
function detect(bytes: Uint8Array): { used: string; how: CharsetNote['how']; confidence: number } {
  let best = 0;
  for (const m of analyse(bytes)) {
    const name = decoderName(m.name);
    if (!name || name === 'utf-8' || decodeStrict(bytes, name) === null) continue;
    if (m.confidence >= SURE) return { used: name, how: 'detected', confidence: m.confidence };
    best = Math.max(best, m.confidence);
  }
  return { used: FRENCH_DEFAULT, how: 'default', confidence: best };
}

const hasHighBytes = (b: Uint8Array) => !isAscii(b);

function decodeQuotedPrintable(b: Buffer): Buffer {
  const s = b.toString('latin1').replace(/=\r?\n/g, '');
  const out = Buffer.alloc(s.length);
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const hex = s[i] === '=' ? s.slice(i + 1, i + 3) : '';
    if (/^[0-9A-Fa-f]{2}$/.test(hex)) {
      out[n++] = parseInt(hex, 16);
      i += 2;
    } else out[n++] = s.charCodeAt(i);
  }
  return out.subarray(0, n);
}

interface Field {
  name: string;
  bytes: Buffer;
}

/** Header fields (a line and its continuation lines), line endings kept. */
function fields(head: Buffer): Field[] {
  const out: Field[] = [];
  let start = 0;
  while (start < head.length) {
    let end = head.indexOf(0x0a, start);
    end = end < 0 ? head.length : end + 1;
    const continued = out.length > 0 && (head[start] === 0x20 || head[start] === 0x09);
    if (continued) {
      const last = out[out.length - 1]!;
      last.bytes = Buffer.concat([last.bytes, head.subarray(start, end)]);
    } else {
      const line = head.subarray(start, end);
      const colon = line.indexOf(0x3a);
      out.push({ name: colon > 0 ? line.subarray(0, colon).toString('latin1').trim().toLowerCase() : '', bytes: line });
    }
    start = end;
  }
  return out;
}

function param(value: string, name: string): string | null {
  const m = new RegExp(`;\\s*${name}\\s*=\\s*("([^"]*)"|[^;\\s]+)`, 'i').exec(value);
  return m ? (m[2] ?? m[1]!).trim() : null;
}

interface Entity {
  headStart: number;
  headEnd: number;
  fields: Field[];
  type: string;
  charset: string | null;
  /** Text leaves only: the transfer-decoded body. */
  text?: Buffer;
  /** Set when the body must be read in another charset than declared. */
  bodyCharset?: string;
}

/** The entities of a MIME tree (the mail, then its parts in order), read without copying bodies. */
function walk(raw: Buffer, start: number, end: number, depth: number, out: Entity[]): void {
  if (out.length >= MAX_ENTITIES || depth > MAX_DEPTH) return;
  let headEnd = end;
  let bodyStart = end;
  if (raw[start] === 0x0a || (raw[start] === 0x0d && raw[start + 1] === 0x0a)) {
    headEnd = start;
    bodyStart = start + (raw[start] === 0x0a ? 1 : 2);
  } else {
    const lf = raw.indexOf('\n\n', start);
    const crlf = raw.indexOf('\n\r\n', start);
    const i = [lf, crlf].filter((x) => x >= 0 && x < end).sort((a, b) => a - b)[0];
    if (i !== undefined) {
      headEnd = i + 1;
      bodyStart = i === crlf ? i + 3 : i + 2;
    }
  }
  const fs = fields(raw.subarray(start, headEnd));
  const field = (name: string) => {
    const f = fs.find((x) => x.name === name);
    return f
      ? f.bytes
          .toString('latin1')
          .slice(name.length + 1)
          .replace(/\r?\n[ \t]+/g, ' ')
          .trim()
      : '';
  };
  const contentType = field('content-type');
  const type = (contentType.split(';', 1)[0] || 'text/plain').trim().toLowerCase();
  const entity: Entity = { headStart: start, headEnd, fields: fs, type, charset: param(contentType, 'charset') };
  out.push(entity);
  const boundary = type.startsWith('multipart/') ? param(contentType, 'boundary') : null;
  if (boundary) {
    const delimiter = Buffer.from(`--${boundary}`, 'latin1');
    const parts: number[] = [];
    for (let i = raw.indexOf(delimiter, bodyStart); i >= 0 && i < end; i = raw.indexOf(delimiter, i + delimiter.length)) {
      if (i !== bodyStart && raw[i - 1] !== 0x0a) continue;
      parts.push(i);
      if (raw[i + delimiter.length] === 0x2d && raw[i + delimiter.length + 1] === 0x2d) break;
    }
    for (let k = 0; k + 1 < parts.length; k++) {
      const lineEnd = raw.indexOf(0x0a, parts[k]!);
      if (lineEnd < 0) break;
      let partEnd = parts[k + 1]! - 1;
      if (raw[partEnd - 1] === 0x0d) partEnd--;
      if (lineEnd + 1 <= partEnd) walk(raw, lineEnd + 1, partEnd, depth + 1, out);
    }
  } else if (type === 'message/rfc822') {
    walk(raw, bodyStart, end, depth + 1, out);
  } else if (type.startsWith('text/') && field('content-disposition').toLowerCase().startsWith('attachment') === false) {
    const body = raw.subarray(bodyStart, end);
    const cte = field('content-transfer-encoding').toLowerCase();
    entity.text =
      cte === 'base64'
        ? Buffer.from(body.toString('latin1'), 'base64')
        : cte === 'quoted-printable'
          ? decodeQuotedPrintable(body)
          : body;
  }
}

/** The charset a text body must be read with, when not the declared one; null when the declared one is right. */
function bodyCharset(e: Entity): CharsetNote | null {
  const text = e.text!;
  const declared = e.charset?.toLowerCase() ?? null;
  if (!hasHighBytes(text)) return null;
  if (!declared || UTF8.test(declared)) {
    if (isUtf8(text)) return null;
    return { where: 'body', declared, ...detect(text) };
  }
  const known = decoderName(declared);
  if (!known) return { where: 'body', declared, ...detect(text) };
  if (LATIN1_FAMILY.test(declared)) {
    // Latin-2 (or Baltic…) text declared as Latin-1 decodes without error into wrong letters: only
    // a clear lead of another single-byte charset overrides the declaration.
    const ranked = analyse(text);
    const latin1 = ranked.find((m) => /^(ISO-8859-1|windows-1252)$/i.test(m.name))?.confidence ?? 0;
    const top = ranked[0];
    if (top && !/^(ISO-8859-1|windows-1252)$/i.test(top.name) && top.confidence >= 40 && top.confidence - latin1 >= 20) {
      const name = decoderName(top.name);
      if (name && name !== 'utf-8') return { where: 'body', declared, used: name, how: 'detected', confidence: top.confidence };
    }
    return null;
  }
  if (decodeStrict(text, known) === null) {
    // Not valid in the declared charset: another one only when detection is sure of it; otherwise the
    // declared one (a few bad bytes), read as a guess so that the mail as it arrived is kept too.
    const guess = detect(text);
    return guess.how === 'detected'
      ? { where: 'body', declared, ...guess }
      : { where: 'body', declared, used: known, how: 'declared', confidence: Math.min(guess.confidence, SURE - 1) };
  }
  // A non-standard name (`iso-gb2312`) the parser would not know: the standard one.
  return decoderName(declared.replace(/^(iso|x|cs)[-_]/i, '')) === known && !isStandardName(declared)
    ? { where: 'body', declared, used: known, how: 'declared', confidence: 100 }
    : null;
}

/**
 * Mail as old clients write it, made readable before parsing, nothing lost:
 * - header lines in raw 8-bit bytes (no RFC 2047), which are not UTF-8, are converted to UTF-8 from
 *   the charset the mail's text body declares when their bytes are valid in it, else from a detected
 *   charset, else Windows-1252; the original lines are kept (base64) in the note;
 * - text bodies declared in an unknown charset (`iso-gb2312`), in none while not UTF-8, in UTF-8 while
 *   not UTF-8, or in Latin-1 while clearly Latin-2, get the charset they are really written in.
 * Only the headers of the entities concerned are rewritten; bodies are left as they are.
 */
export function repairCharsets(raw: Buffer): RepairedSource {
  // Fast path: a 7-bit mail that declares only UTF-8/ASCII has nothing to repair.
  const head = raw.subarray(0, Math.min(raw.length, 64 * 1024));
  if (
    !hasHighBytes(raw) &&
    !/charset\s*=\s*"?(?!(utf-?8|us-ascii)\b)[^\s";]/i.test(head.toString('latin1')) &&
    raw.length <= head.length
  ) {
    return { source: raw, notes: [] };
  }
  const entities: Entity[] = [];
  walk(raw, 0, raw.length, 0, entities);
  const notes: CharsetNote[] = [];
  for (const e of entities) {
    if (!e.text) continue;
    const note = bodyCharset(e);
    if (note) {
      e.bodyCharset = note.used;
      notes.push(note);
    }
  }
  // The charset of the headers: the first text body's (declared, when its bytes fit, or repaired).
  const firstText = entities.find((e) => e.text);
  const bodyDeclared = firstText ? (firstText.bodyCharset ?? (firstText.charset && decoderName(firstText.charset))) : null;

  const edits: { start: number; end: number; bytes: Buffer }[] = [];
  for (const e of entities) {
    const eight = e.fields.filter((f) => hasHighBytes(f.bytes) && !isUtf8(f.bytes));
    if (!eight.length && !e.bodyCharset) continue;
    let headerCharset: string | null = null;
    if (eight.length) {
      const bytes = Buffer.concat(eight.map((f) => f.bytes));
      let choice: Omit<CharsetNote, 'where' | 'declared' | 'raw'>;
      if (bodyDeclared && bodyDeclared !== 'utf-8' && decodeStrict(bytes, bodyDeclared) !== null) {
        choice = { used: bodyDeclared, how: 'declared', confidence: 100 };
      } else {
        // The headers are short: detected together with the body text, which is in the same charset as a rule.
        choice = detect(firstText?.text && !isUtf8(firstText.text) ? Buffer.concat([bytes, firstText.text]) : bytes);
        if (decodeStrict(bytes, choice.used) === null) choice = { used: FRENCH_DEFAULT, how: 'default', confidence: 0 };
      }
      headerCharset = choice.used;
      notes.push({
        where: 'headers',
        declared: firstText?.charset ?? null,
        ...choice,
        raw: bytes.subarray(0, 8192).toString('base64'),
      });
    }
    const out = e.fields.map((f) => {
      let bytes = f.bytes;
      if (e.bodyCharset && f.name === 'content-type') {
        const value = bytes.toString('latin1');
        const replaced = /;\s*charset\s*=\s*("[^"]*"|[^;\s]+)/i.test(value)
          ? value.replace(/(;\s*charset\s*=\s*)("[^"]*"|[^;\s]+)/i, `$1"${e.bodyCharset}"`)
          : value.replace(/(\r?\n)?$/, `; charset="${e.bodyCharset}"$1`);
        bytes = Buffer.from(replaced, 'latin1');
      }
      if (headerCharset && hasHighBytes(bytes) && !isUtf8(bytes))
        bytes = Buffer.from(decodeAs(bytes, headerCharset, false)!, 'utf8');
      return bytes;
    });
    // A mail from a client without MIME: its text part gets the Content-Type it lacked.
    if (e.bodyCharset && !e.fields.some((f) => f.name === 'content-type'))
      out.push(Buffer.from(`Content-Type: text/plain; charset="${e.bodyCharset}"\r\n`));
    edits.push({ start: e.headStart, end: e.headEnd, bytes: Buffer.concat(out) });
  }
  if (!edits.length) return { source: raw, notes };
  const pieces: Buffer[] = [];
  let at = 0;
  for (const edit of edits.sort((a, b) => a.start - b.start)) {
    pieces.push(raw.subarray(at, edit.start), edit.bytes);
    at = edit.end;
  }
  pieces.push(raw.subarray(at));
  return { source: Buffer.concat(pieces), notes };
}
