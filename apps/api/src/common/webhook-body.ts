import type { Request } from 'express';
import { AppError, badRequest } from './errors';

/**
 * The most each provider sends in one webhook, with a margin. Anything larger is not theirs.
 * - Twilio posts a form: about 30 short fields, up to 10 media URLs and a body of at most 1,600
 *   characters (4,096 on WhatsApp): under 40 KiB even with every character percent-encoded.
 * - Meta posts JSON batches of up to 1,000 entries of about 1 KiB each.
 * - A switchboard posts one call event of a dozen short fields (JSON).
 */
export const WEBHOOK_BODY_LIMITS = { twilio: 64 * 1024, meta: 4 * 1024 * 1024, pbx: 16 * 1024 } as const;
export type WebhookProvider = keyof typeof WEBHOOK_BODY_LIMITS;

/** A byte count as a French reader writes it: `64 Kio`, `4 Mio`. */
export const describeSize = (bytes: number) => (bytes >= 1024 * 1024 ? `${bytes / (1024 * 1024)} Mio` : `${bytes / 1024} Kio`);

/**
 * Webhook bodies escape the app-wide body parsers (app.factory.ts): each webhook route reads its
 * raw bytes here once its channel is known, checks the provider's signature over them, and only
 * then parses. A body announced or found larger than the provider's limit is refused at once,
 * without reading the rest; the connection is then closed rather than drained.
 */
export function readWebhookBody(req: Request, provider: WebhookProvider): Promise<Buffer> {
  const limit = WEBHOOK_BODY_LIMITS[provider];
  const tooLarge = () => {
    if (!req.res?.headersSent) req.res?.setHeader('Connection', 'close');
    return new AppError('payload_too_large', `notification trop volumineuse : ${describeSize(limit)} au maximum`);
  };
  const encoding = req.headers['content-encoding'];
  if (encoding && encoding.toLowerCase() !== 'identity') return Promise.reject(badRequest('corps compressé non pris en charge'));
  const declared = Number(req.headers['content-length']);
  if (declared > limit) return Promise.reject(tooLarge());
  if (req.readableEnded) return Promise.resolve(Buffer.alloc(0));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let length = 0;
    const done = (error?: AppError) => {
      req.off('data', onData).off('end', onEnd).off('error', onError).off('close', onClose);
      if (error) {
        req.pause();
        reject(error);
      } else resolve(Buffer.concat(chunks, length));
    };
    const onData = (chunk: Buffer) => {
      length += chunk.length;
      if (length > limit) return done(tooLarge());
      chunks.push(chunk);
    };
    const onEnd = () => done();
    const onError = () => done(badRequest('requête interrompue'));
    const onClose = () => done(badRequest('requête interrompue'));
    req.on('data', onData).on('end', onEnd).on('error', onError).on('close', onClose);
  });
}

/** A signed JSON body, parsed once its signature is known to be good. */
export function parseWebhookJson(raw: Buffer): unknown {
  try {
    return JSON.parse(raw.toString('utf8'));
  } catch {
    throw badRequest('corps JSON invalide');
  }
}
