import type { AttachmentDto } from '@guichet/contracts';
import { useEffect, useState } from 'react';
import { fetchAttachment } from '../../lib/download';

const IMAGE = /^image\/(png|jpe?g|gif|webp)$/i;
const AUDIO = /^audio\/(mpeg|mp3|wav|x-wav|ogg)$/i;
const MAX_PREVIEW_BYTES = 20 * 1024 * 1024;

export function canPreview(a: AttachmentDto): boolean {
  return (IMAGE.test(a.contentType) || AUDIO.test(a.contentType)) && a.size <= MAX_PREVIEW_BYTES;
}

/** A thumbnail of an image attachment, or a player for a call recording (SVG and others are never rendered inline). */
export function AttachmentPreview({ attachment }: { attachment: AttachmentDto }) {
  const [url, setUrl] = useState<string | null>(null);
  useEffect(() => {
    const controller = new AbortController();
    let objectUrl: string | null = null;
    fetchAttachment(attachment.id, controller.signal)
      .then((blob) => {
        objectUrl = URL.createObjectURL(blob);
        setUrl(objectUrl);
      })
      .catch(() => undefined);
    return () => {
      controller.abort();
      if (objectUrl) URL.revokeObjectURL(objectUrl);
    };
  }, [attachment.id]);
  if (!url) return null;
  if (AUDIO.test(attachment.contentType))
    return <audio className="attachment-audio" controls preload="metadata" src={url} aria-label={attachment.fileName} />;
  return <img className="attachment-preview" src={url} alt={attachment.fileName} loading="lazy" />;
}
