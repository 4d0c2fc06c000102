import { createHmac } from 'node:crypto';
import { mapGraphError, type GraphErrorBody, type GraphFailure } from './graph-errors';

export const DEFAULT_GRAPH_API_BASE_URL = 'https://graph.facebook.com';
export const DEFAULT_GRAPH_API_VERSION = 'v21.0';

export interface GraphClientConfig {
  graphApiBaseUrl?: string;
  graphApiVersion?: string;
  pageAccessToken?: string;
  appSecret?: string;
}

export type GraphResult<T> = { ok: true; data: T } | ({ ok: false } & GraphFailure);

/**
 * A small Graph API client, built for one call from one channel's config (no shared mutable
 * client across tenants). Every outbound call to Meta goes through it, so `graphApiBaseUrl`
 * (a local stand-in in tests, a proxy in production) is honoured everywhere.
 */
export class GraphClient {
  private readonly base: string;
  private readonly version: string;
  private readonly token: string | undefined;
  private readonly appSecret: string | undefined;

  constructor(
    config: GraphClientConfig,
    private readonly timeoutMs = 15_000,
  ) {
    this.base = (config.graphApiBaseUrl ?? DEFAULT_GRAPH_API_BASE_URL).replace(/\/+$/, '');
    this.version = config.graphApiVersion ?? DEFAULT_GRAPH_API_VERSION;
    this.token = config.pageAccessToken;
    this.appSecret = config.appSecret;
  }

  static from(config: Record<string, unknown>): GraphClient {
    const str = (k: string) => (typeof config[k] === 'string' ? (config[k] as string) : undefined);
    return new GraphClient({
      graphApiBaseUrl: str('graphApiBaseUrl'),
      graphApiVersion: str('graphApiVersion'),
      pageAccessToken: str('pageAccessToken'),
      appSecret: str('appSecret'),
    });
  }

  url(path: string, query: Record<string, string> = {}): string {
    const url = new URL(`${this.base}/${this.version}/${path.replace(/^\/+/, '')}`);
    for (const [k, v] of Object.entries(query)) url.searchParams.set(k, v);
    // appsecret_proof binds the token to our app: a leaked token alone is not enough.
    if (this.token && this.appSecret) {
      url.searchParams.set('appsecret_proof', createHmac('sha256', this.appSecret).update(this.token).digest('hex'));
    }
    return url.toString();
  }

  get<T>(path: string, query: Record<string, string> = {}): Promise<GraphResult<T>> {
    return this.call<T>('GET', this.url(path, query));
  }

  post<T>(path: string, body: object): Promise<GraphResult<T>> {
    return this.call<T>('POST', this.url(path), JSON.stringify(body), 'application/json');
  }

  postForm<T>(path: string, form: FormData): Promise<GraphResult<T>> {
    return this.call<T>('POST', this.url(path), form);
  }

  private async call<T>(method: string, url: string, body?: string | FormData, contentType?: string): Promise<GraphResult<T>> {
    if (!this.token) {
      return {
        ok: false,
        temporary: false,
        auth: true,
        httpStatus: 0,
        reason: "jeton d'accès de la page manquant : complétez la configuration du canal",
      };
    }
    const headers: Record<string, string> = { authorization: `Bearer ${this.token}`, accept: 'application/json' };
    if (contentType) headers['content-type'] = contentType;
    let res: Response;
    try {
      res = await fetch(url, { method, headers, body, signal: AbortSignal.timeout(this.timeoutMs) });
    } catch (e) {
      return {
        ok: false,
        temporary: true,
        auth: false,
        httpStatus: 0,
        reason: `Meta injoignable (réseau) : ${(e as Error).message ?? String(e)}`,
      };
    }
    const text = await res.text().catch(() => '');
    let parsed: unknown;
    try {
      parsed = text ? JSON.parse(text) : {};
    } catch {
      parsed = undefined;
    }
    const error = (parsed as { error?: GraphErrorBody } | undefined)?.error;
    if (!res.ok || error) return { ok: false, ...mapGraphError(res.status, error) };
    if (parsed === undefined)
      return { ok: false, temporary: true, auth: false, httpStatus: res.status, reason: 'réponse illisible de Meta' };
    return { ok: true, data: parsed as T };
  }
}

/**
 * Downloads an attachment from a Meta CDN URL (signed, no token needed). Size-capped; the URL
 * must be http(s).
 */
export async function downloadMetaAttachment(
  url: string,
  maxBytes: number,
  timeoutMs = 30_000,
): Promise<
  | { ok: true; content: Uint8Array; contentType: string; fileName: string | null }
  | { ok: false; temporary: boolean; reason: string }
> {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return { ok: false, temporary: false, reason: 'adresse de pièce jointe invalide' };
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:')
    return { ok: false, temporary: false, reason: 'adresse de pièce jointe invalide' };
  let res: Response;
  try {
    res = await fetch(parsed, { signal: AbortSignal.timeout(timeoutMs) });
  } catch (e) {
    return { ok: false, temporary: true, reason: `téléchargement impossible : ${(e as Error).message}` };
  }
  if (!res.ok)
    return {
      ok: false,
      temporary: res.status >= 500 || res.status === 429,
      reason: `téléchargement refusé (HTTP ${res.status})`,
    };
  const declared = Number(res.headers.get('content-length') ?? '0');
  if (declared > maxBytes) return { ok: false, temporary: false, reason: 'pièce jointe trop volumineuse' };
  const content = new Uint8Array(await res.arrayBuffer());
  if (content.byteLength > maxBytes) return { ok: false, temporary: false, reason: 'pièce jointe trop volumineuse' };
  const disposition = res.headers.get('content-disposition') ?? '';
  const name = /filename\*?=(?:UTF-8'')?"?([^";]+)"?/i.exec(disposition)?.[1];
  const fromPath = decodeURIComponent(parsed.pathname.split('/').pop() ?? '');
  return {
    ok: true,
    content,
    contentType: (res.headers.get('content-type') ?? 'application/octet-stream').split(';')[0]!.trim(),
    fileName: name ? decodeURIComponent(name) : fromPath || null,
  };
}
