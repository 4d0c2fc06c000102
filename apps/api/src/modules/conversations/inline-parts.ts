import type { AttachmentDto } from '@guichet/contracts';

/**
 * An e-mail's inline images, from what its parser kept in the message's meta: `inlineImages`
 * (Content-ID -> file name, for the parts its HTML shows by `cid:`) and `listedToo` (those also
 * sent as attachments). Each such attachment gets its `contentId`, and `inline` unless it is
 * also a real attachment.
 */
export function withInlineParts(
  attachments: AttachmentDto[],
  meta: { inlineImages?: unknown; listedToo?: unknown } | null | undefined,
): AttachmentDto[] {
  const images =
    meta?.inlineImages && typeof meta.inlineImages === 'object' ? (meta.inlineImages as Record<string, unknown>) : null;
  if (!images) return attachments;
  const listed = new Set(Array.isArray(meta?.listedToo) ? (meta.listedToo as unknown[]) : []);
  const byName = new Map(Object.entries(images).map(([cid, name]) => [name, cid]));
  return attachments.map((a) => {
    const contentId = byName.get(a.fileName);
    return contentId ? { ...a, contentId, ...(listed.has(a.fileName) ? {} : { inline: true }) } : a;
  });
}
