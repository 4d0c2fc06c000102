import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';

/**
 * The srcdoc of an email: the sanitized HTML inside a document whose CSP forbids everything but
 * inline styles and embedded images; remote images (kept by the sanitizer as data-remote-src)
 * only load once the agent asked for them.
 */
export function emailSrcDoc(html: string, showRemoteImages: boolean): string {
  const imgSrc = showRemoteImages ? 'data: cid: https: http:' : 'data: cid:';
  const body = showRemoteImages ? html.replace(/\sdata-remote-src=/g, ' src=') : html;
  return (
    '<!doctype html><html lang="fr"><head><meta charset="utf-8">' +
    `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; img-src ${imgSrc}; style-src 'unsafe-inline'">` +
    '<style>body{margin:0;font:14px/1.5 system-ui,sans-serif;color:#1b2230;overflow-wrap:anywhere}img{max-width:100%;height:auto}' +
    'blockquote{margin:0 0 0 8px;padding-left:8px;border-left:3px solid #c6ccd7;color:#535d6e}</style>' +
    `</head><body>${body}</body></html>`
  );
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

export function EmailFrame({ html, title }: { html: string; title: string }) {
  const { t } = useTranslation();
  const [showImages, setShowImages] = useState(false);
  const remote = hasRemoteImages(html);
  const srcDoc = useMemo(() => emailSrcDoc(html, showImages), [html, showImages]);
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
