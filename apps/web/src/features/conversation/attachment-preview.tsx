import type { AttachmentDto } from '@guichet/contracts';
import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
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

const PDF = 'application/pdf';

/** Images and PDFs open in the in-app viewer (never SVG or HTML, never more than 20 MB). */
export function canView(a: Pick<AttachmentDto, 'contentType' | 'size'>): boolean {
  return (IMAGE.test(a.contentType) || a.contentType.toLowerCase() === PDF) && a.size <= MAX_PREVIEW_BYTES;
}

/**
 * An image or a PDF shown over the page in a modal dialog (Esc, the close button or a click
 * outside close it; focus goes back to the button that opened it). A PDF is shown by the
 * browser's own viewer from a blob typed `application/pdf`, only when its bytes start as a PDF
 * does: a file pretending to be one is offered as a download instead.
 */
export function AttachmentViewer({
  attachment,
  onClose,
  onDownload,
}: {
  attachment: AttachmentDto;
  onClose(): void;
  onDownload(): void;
}) {
  const { t } = useTranslation();
  const ref = useRef<HTMLDialogElement>(null);
  const [url, setUrl] = useState<string | null>(null);
  const [failed, setFailed] = useState(false);
  const isPdf = attachment.contentType.toLowerCase() === PDF;

  useEffect(() => {
    const dialog = ref.current;
    // Focus goes back where it was (the button that opened the viewer) when the viewer goes.
    const opener = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    if (dialog && !dialog.open) dialog.showModal();
    return () => {
      dialog?.close();
      opener?.focus();
    };
  }, []);

  useEffect(() => {
    const controller = new AbortController();
    let objectUrl: string | null = null;
    fetchAttachment(attachment.id, controller.signal)
      .then(async (blob) => {
        const head = new Uint8Array(await blob.slice(0, 5).arrayBuffer());
        if (isPdf && String.fromCharCode(...head) !== '%PDF-') throw new Error('not a PDF');
        objectUrl = URL.createObjectURL(new Blob([blob], { type: isPdf ? PDF : attachment.contentType }));
        setUrl(objectUrl);
      })
      .catch(() => {
        if (!controller.signal.aborted) setFailed(true);
      });
    return () => {
      controller.abort();
      if (objectUrl) URL.revokeObjectURL(objectUrl);
    };
  }, [attachment.id, attachment.contentType, isPdf]);

  return (
    <dialog
      ref={ref}
      className="viewer"
      aria-labelledby="viewer-title"
      data-testid="attachment-viewer"
      onCancel={(e) => {
        e.preventDefault();
        onClose();
      }}
      onClick={(e) => {
        if (e.target === ref.current) onClose();
      }}
    >
      <div className="viewer__bar">
        <h2 className="viewer__title" id="viewer-title">
          {attachment.fileName}
        </h2>
        <button type="button" className="button button--secondary" onClick={onDownload}>
          {t('viewer.download')}
        </button>
        <button type="button" className="button button--primary" onClick={onClose} autoFocus data-testid="viewer-close">
          {t('viewer.close')}
        </button>
      </div>
      <div className="viewer__body">
        {failed ? (
          <p className="form-error" role="alert">
            {t('viewer.failed')}
          </p>
        ) : !url ? (
          <p role="status">{t('viewer.loading')}</p>
        ) : isPdf ? (
          <iframe className="viewer__pdf" src={url} title={t('viewer.pdfTitle', { name: attachment.fileName })} />
        ) : (
          <img className="viewer__image" src={url} alt={attachment.fileName} />
        )}
      </div>
    </dialog>
  );
}
