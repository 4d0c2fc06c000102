/**
 * `attachment` with the file's name twice (RFC 6266): `filename` in plain ASCII for old
 * clients ("décès" becomes "deces"), `filename*` with the exact UTF-8 name, percent-encoded as
 * RFC 8187 asks (encodeURIComponent leaves ' ( ) * as they are, which it does not allow).
 */
export function attachmentDisposition(fileName: string): string {
  const ascii = fileName
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[^\x20-\x7e]/g, '_')
    .replace(/["\\]/g, '_');
  const utf8 = encodeURIComponent(fileName.toWellFormed()).replace(
    /['()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
  return `attachment; filename="${ascii}"; filename*=UTF-8''${utf8}`;
}
