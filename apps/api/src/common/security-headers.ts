import type { NextFunction, Request, RequestHandler, Response } from 'express';
import helmet from 'helmet';

/** The citizen request form: the one page a town may embed on its own site (FORM_FRAME_ANCESTORS). */
const EMBEDDABLE = /^\/demandes\//;

/**
 * HTTP security headers of every response, by helmet.
 *
 * Content-Security-Policy: scripts only from this origin (the built web app has no inline
 * script), no plugins, no <base> or form posts elsewhere. Styles may be inline: an e-mail is
 * shown in an `<iframe sandbox srcdoc>`, and a srcdoc document inherits this policy on top of
 * its own (`default-src 'none'; img-src data: cid:` until the agent asks for remote images),
 * so its inline styles and, once asked, its remote images (https:, http:) must pass here too;
 * the sandbox (no scripts, opaque origin) and the srcdoc's own policy keep everything else out.
 * Frames: this origin and `blob:` (the PDF viewer's own blob, see attachment-preview.tsx).
 * Pages cannot be framed (`frame-ancestors 'none'`, X-Frame-Options DENY) except the citizen
 * form, by the sites listed in FORM_FRAME_ANCESTORS. Also nosniff, Referrer-Policy same-origin
 * (tracking links carry a token in their query), and helmet's other defaults (HSTS, COOP, CORP).
 */
export function securityHeaders(config: { publicUrl: string; formFrameAncestors?: string[] }): RequestHandler {
  const headers = (frameAncestors: string[]) =>
    helmet({
      contentSecurityPolicy: {
        useDefaults: false,
        directives: {
          defaultSrc: ["'self'"],
          scriptSrc: ["'self'"],
          scriptSrcAttr: ["'none'"],
          styleSrc: ["'self'", "'unsafe-inline'"],
          imgSrc: ["'self'", 'data:', 'blob:', 'https:', 'http:'],
          mediaSrc: ["'self'", 'blob:'],
          // The attachment viewer shows a PDF from a blob the app made itself (typed application/pdf, bytes checked).
          frameSrc: ["'self'", 'blob:'],
          fontSrc: ["'self'", 'data:'],
          connectSrc: ["'self'"],
          objectSrc: ["'none'"],
          baseUri: ["'self'"],
          formAction: ["'self'"],
          frameAncestors,
          ...(config.publicUrl.startsWith('https:') ? { upgradeInsecureRequests: [] } : {}),
        },
      },
      xFrameOptions: frameAncestors[0] === "'none'" ? { action: 'deny' } : false,
      referrerPolicy: { policy: 'same-origin' },
    });
  const app = headers(["'none'"]);
  const form = config.formFrameAncestors?.length ? headers(config.formFrameAncestors) : app;
  return (req: Request, res: Response, next: NextFunction) => (EMBEDDABLE.test(req.path) ? form : app)(req, res, next);
}

/**
 * API answers carry citizens' files and agents' sessions: no browser or proxy may keep them
 * (`Cache-Control: no-store`), public ones included (small, and a tracking page holds a file).
 */
export function noStore(_req: Request, res: Response, next: NextFunction): void {
  res.setHeader('Cache-Control', 'no-store');
  next();
}
