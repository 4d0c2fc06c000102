/** Content types by extension, for files a browser sends as `application/octet-stream`. */
const BY_EXTENSION: Record<string, string> = {
  pdf: 'application/pdf',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  png: 'image/png',
  gif: 'image/gif',
  webp: 'image/webp',
  txt: 'text/plain',
  csv: 'text/csv',
  odt: 'application/vnd.oasis.opendocument.text',
  ods: 'application/vnd.oasis.opendocument.spreadsheet',
  doc: 'application/msword',
  docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  xls: 'application/vnd.ms-excel',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
};

/** The first bytes each previewable type starts with: a file that claims one of them must have them. */
const MAGIC: Record<string, (b: Uint8Array) => boolean> = {
  'application/pdf': (b) => ascii(b, 0, 5) === '%PDF-',
  'image/png': (b) => b[0] === 0x89 && ascii(b, 1, 4) === 'PNG',
  'image/jpeg': (b) => b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff,
  'image/gif': (b) => ascii(b, 0, 4) === 'GIF8',
  'image/webp': (b) => ascii(b, 0, 4) === 'RIFF' && ascii(b, 8, 12) === 'WEBP',
};

const ascii = (b: Uint8Array, from: number, to: number) => String.fromCharCode(...b.subarray(from, to));

/**
 * The content type to store for an uploaded file: the browser's, lower-cased without parameters,
 * or the extension's when the browser did not know; and whether the bytes contradict it (a
 * renamed executable sent as « photo.png » is refused, never previewed).
 */
export function uploadedFileType(
  fileName: string,
  declared: string | undefined,
  content: Uint8Array,
): { type: string; contradicts: boolean } {
  let type = (declared ?? '').toLowerCase().split(';')[0]!.trim();
  if (!type || type === 'application/octet-stream') {
    const ext = /\.([a-z0-9]{1,5})$/i.exec(fileName)?.[1]?.toLowerCase();
    type = (ext && BY_EXTENSION[ext]) || 'application/octet-stream';
  }
  const magic = MAGIC[type];
  return { type, contradicts: !!magic && !magic(content) };
}
