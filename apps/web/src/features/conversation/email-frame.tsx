import type { AttachmentDto } from '@guichet/contracts';
import { useEffect, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { fetchAttachment } from '../../lib/download';

/**
 * The srcdoc of an email: the sanitized HTML inside a document whose CSP forbids everything but
 * inline styles and embedded images; remote images (kept by the sanitizer as data-remote-src)
 * only load once the agent asked for them.
 */
export function emailSrcDoc(html: string, showRemoteImages: boolean, inlineImages: Record<string, string> = {}): string {
  const imgSrc = showRemoteImages ? 'data: cid: https: http:' : 'data: cid:';
  const shown = showRemoteImages ? html.replace(/\sdata-remote-src=/g, ' src=') : html;
  // cid: images in place, as data: URLs of the bytes fetched by the page (nothing loads from the frame).
  const body = shown.replace(/(\ssrc=")cid:([^"]+)"/gi, (all, attr: string, cid: string) => {
    const url = inlineImages[cid] ?? inlineImages[safeDecode(cid)];
    return url ? `${attr}${url}"` : all;
  });
  return (
    '<!doctype html><html lang="fr"><head><meta charset="utf-8">' +
    `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; img-src ${imgSrc}; style-src 'unsafe-inline'">` +
    '<style>body{margin:0;font:14px/1.5 system-ui,sans-serif;color:#1b2230;overflow-wrap:anywhere}img{max-width:100%;height:auto}' +
    'blockquote{margin:0 0 0 8px;padding-left:8px;border-left:3px solid #c6ccd7;color:#535d6e}</style>' +
    `</head><body>${body}</body></html>`
  );
}

function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

const INLINE_IMAGE = /^image\/(png|jpe?g|gif|webp|bmp)$/i;
const MAX_INLINE_BYTES = 5 * 1024 * 1024;

/**
 * The message's inline images (Content-ID -> data: URL): their bytes come from the blob store
 * through the attachment URL of this origin, with the agent's session, never from elsewhere.
 */
function useInlineImages(images: AttachmentDto[]): Record<string, string> {
  const [urls, setUrls] = useState<Record<string, string>>({});
  const key = images.map((a) => a.id).join(',');
  useEffect(() => {
    const controller = new AbortController();
    const wanted = images.filter((a) => a.contentId && INLINE_IMAGE.test(a.contentType) && a.size <= MAX_INLINE_BYTES);
    if (!wanted.length) return undefined;
    Promise.all(
      wanted
        .map(async (a) => {
          const bytes = await (await fetchAttachment(a.id, controller.signal)).arrayBuffer();
          const blob = new Blob([bytes], { type: a.contentType });
          const url = await new Promise<string>((resolve, reject) => {
            const reader = new FileReader();
            reader.onload = () => resolve(String(reader.result));
            reader.onerror = () => reject(reader.error);
            reader.readAsDataURL(blob);
          });
          return [a.contentId!, url] as const;
        })
        .map((p) => p.catch(() => null)),
    ).then((entries) => {
      if (!controller.signal.aborted) setUrls(Object.fromEntries(entries.filter((e) => e !== null)));
    });
    return () => controller.abort();
    // eslint-disable-next-line react-hooks/exhaustive-deps -- the ids say everything
  }, [key]);
  return urls;
}

export function hasRemoteImages(html: string): boolean {
  return /\sdata-remote-src=/.test(html);
}

/** Height guess: a sandbox without same-origin cannot be measured from outside; the frame is resizable. */
function guessHeight(html: string): number {
  const text = html.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ');
  const lines = Math.ceil(text.length / 80) + (html.match(/<(p|br|div|li|tr|h\d)\b/gi)?.length ?? 0);
  return Math.min(560, Math.max(96, lines * 21 + 24));
}

export function EmailFrame({ html, title, images = [] }: { html: string; title: string; images?: AttachmentDto[] }) {
  const { t } = useTranslation();
  const [showImages, setShowImages] = useState(false);
  const remote = hasRemoteImages(html);
  const inline = useInlineImages(images);
  const srcDoc = useMemo(() => emailSrcDoc(html, showImages, inline), [html, showImages, inline]);
  return (
    <div className="email-frame">
      {remote && !showImages ? (
        <p className="email-frame__notice">
          <span>{t('message.remoteImagesBlocked')}</span>{' '}
          <button type="button" className="button button--secondary button--small" onClick={() => setShowImages(true)}>
            {t('message.showImages')}
          </button>
        </p>
      ) : null}
      {/* sandbox="" : no scripts, no forms, no same-origin, no popups, no top navigation. */}
      <iframe className="email-frame__iframe" sandbox="" srcDoc={srcDoc} title={title} style={{ height: guessHeight(html) }} />
    </div>
  );
}
