/** Graph API error body: `{ error: { message, type, code, error_subcode, fbtrace_id, is_transient } }`. */
export interface GraphErrorBody {
  message?: string;
  type?: string;
  code?: number;
  error_subcode?: number;
  fbtrace_id?: string;
  is_transient?: boolean;
}

export interface GraphFailure {
  /** Short French reason shown to the agent. */
  reason: string;
  /** Retry later with backoff (rate limits, Meta outages, network). */
  temporary: boolean;
  /** The page must be reconnected (expired or revoked token, missing permission). */
  auth: boolean;
  httpStatus: number;
  code?: number;
  subcode?: number;
}

const RATE_LIMIT_CODES = new Set([4, 17, 32, 613, 80001, 80002, 80006, 80007]);
const UNREACHABLE_SUBCODES = new Set([1545041, 2018001, 2018028]);
const WINDOW_SUBCODES = new Set([2018278, 2018065, 2534022]);

/** Maps a Graph error (HTTP status + body) to a reason an agent understands and a retry decision. */
export function mapGraphError(httpStatus: number, error: GraphErrorBody | undefined): GraphFailure {
  const code = typeof error?.code === 'number' ? error.code : undefined;
  const subcode = typeof error?.error_subcode === 'number' ? error.error_subcode : undefined;
  const base = { httpStatus, code, subcode };
  const detail = error?.message ? ` (${error.message.slice(0, 200)})` : '';
  if (code === 190 || code === 102 || subcode === 463 || subcode === 467) {
    return {
      ...base,
      temporary: false,
      auth: true,
      reason: "jeton d'accès de la page expiré ou révoqué : reconnectez la page dans l'administration des canaux",
    };
  }
  if (code === 10 && subcode !== undefined && WINDOW_SUBCODES.has(subcode)) {
    return {
      ...base,
      temporary: false,
      auth: false,
      reason: 'fenêtre de 24 h fermée : ce message ne peut plus être envoyé sans que le citoyen écrive à nouveau',
    };
  }
  if (code === 2018278 || (subcode !== undefined && WINDOW_SUBCODES.has(subcode))) {
    return {
      ...base,
      temporary: false,
      auth: false,
      reason: 'fenêtre de 24 h fermée : ce message ne peut plus être envoyé sans que le citoyen écrive à nouveau',
    };
  }
  if (code === 551 || (subcode !== undefined && UNREACHABLE_SUBCODES.has(subcode))) {
    return {
      ...base,
      temporary: false,
      auth: false,
      reason: "destinataire injoignable : il a bloqué la page ou n'accepte plus de messages",
    };
  }
  if (code !== undefined && RATE_LIMIT_CODES.has(code)) {
    return { ...base, temporary: true, auth: false, reason: 'limite de débit de Meta atteinte : nouvel essai automatique' };
  }
  if (code === 10 || code === 200 || (code !== undefined && code >= 200 && code < 300)) {
    return {
      ...base,
      temporary: false,
      auth: true,
      reason: `permission refusée par Meta : vérifiez les autorisations de la page${detail}`,
    };
  }
  if (code === 1 || code === 2 || error?.is_transient || httpStatus >= 500 || httpStatus === 429) {
    return { ...base, temporary: true, auth: false, reason: 'Meta est momentanément indisponible : nouvel essai automatique' };
  }
  if (code === 100) {
    return { ...base, temporary: false, auth: false, reason: `requête refusée par Meta${detail}` };
  }
  return { ...base, temporary: false, auth: false, reason: `erreur Meta${code !== undefined ? ` ${code}` : ''}${detail}` };
}
