import { createHmac } from 'node:crypto';
import { safeEqual } from '../../common/safe-equal';

/** How long a survey link stays open after it was sent. */
export const SURVEY_TTL_DAYS = 30;

const ID_BYTES = 16;
const EXPIRY_BYTES = 4;
const SIG_BYTES = 12;

function signature(appSecret: string, payload: Buffer): Buffer {
  return createHmac('sha256', appSecret).update('survey:').update(payload).digest().subarray(0, SIG_BYTES);
}

/**
 * The citizen's link to one survey, short enough for an SMS (43 characters): the survey's id, its
 * expiry (seconds) and an HMAC of both under the app's secret. Nothing to guess, nothing to change:
 * another id or a later expiry breaks the signature; the row's own expiry and state are checked too.
 */
export function surveyToken(appSecret: string, surveyId: string, expiresAt: Date): string {
  const payload = Buffer.alloc(ID_BYTES + EXPIRY_BYTES);
  Buffer.from(surveyId.replace(/-/g, ''), 'hex').copy(payload, 0);
  payload.writeUInt32BE(Math.floor(expiresAt.getTime() / 1000), ID_BYTES);
  return Buffer.concat([payload, signature(appSecret, payload)]).toString('base64url');
}

export type SurveyTokenCheck = { ok: true; surveyId: string; expiresAt: Date } | { ok: false; reason: 'invalid' | 'expired' };

/** What a link says, once its signature holds; `expired` when its time is past. */
export function readSurveyToken(appSecret: string, token: unknown, now = Date.now()): SurveyTokenCheck {
  if (typeof token !== 'string' || !/^[A-Za-z0-9_-]{43}$/.test(token)) return { ok: false, reason: 'invalid' };
  const raw = Buffer.from(token, 'base64url');
  if (raw.length !== ID_BYTES + EXPIRY_BYTES + SIG_BYTES) return { ok: false, reason: 'invalid' };
  const payload = raw.subarray(0, ID_BYTES + EXPIRY_BYTES);
  const sig = raw.subarray(ID_BYTES + EXPIRY_BYTES);
  if (!safeEqual(signature(appSecret, payload).toString('base64url'), sig.toString('base64url')))
    return { ok: false, reason: 'invalid' };
  const hex = payload.subarray(0, ID_BYTES).toString('hex');
  const surveyId = `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  const expiresAt = new Date(payload.readUInt32BE(ID_BYTES) * 1000);
  if (expiresAt.getTime() <= now) return { ok: false, reason: 'expired' };
  return { ok: true, surveyId, expiresAt };
}

/** The public page of a survey. */
export function surveyPath(token: string): string {
  return `/avis/${token}`;
}
