import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request the stand-in received, with its Basic credentials and decoded form fields. */
export interface TwilioRecordedRequest {
  method: string;
  path: string;
  auth: { username: string; password: string } | null;
  form: Record<string, string>;
  /** The query string's parameters (a list's filters). */
  query: Record<string, string>;
  headers: Record<string, string | string[] | undefined>;
  at: number;
}

/** A response a test scripts for the next Messages create calls (in order). */
export interface TwilioScriptedResponse {
  status: number;
  code?: number;
  message?: string;
  /** Close the connection without answering (a network error). */
  drop?: boolean;
}

/** What a `beforeAccept` hook makes of a create: dropped, answered as scripted, or accepted (nothing). */
export type AcceptVerdict = 'drop' | TwilioScriptedResponse | void;

export interface TwilioStoredMessage {
  sid: string;
  account_sid: string;
  from: string | null;
  to: string;
  body: string;
  status: string;
  messaging_service_sid: string | null;
  status_callback: string | null;
  date_created: string;
  /** When Twilio handed it to the carrier (RFC 2822); null while queued or accepted (the stand-in never hands over). */
  date_sent?: string | null;
  error_code: number | null;
  error_message: string | null;
}

export interface TwilioServer {
  /** Base URL to put in a channel's `apiBaseUrl`. */
  url: string;
  requests: TwilioRecordedRequest[];
  messages: Map<string, TwilioStoredMessage>;
  /** Accepts this account with this auth token (any other credentials get a 401, code 20003). */
  addAccount(accountSid: string, authToken: string): void;
  /** The next Messages create requests get these answers instead of a 201. */
  scriptNext(...responses: TwilioScriptedResponse[]): void;
  /** Awaited once a Messages create is accepted, before it is answered (null: none); given the create's form. */
  beforeAnswer(hook: ((form: Record<string, string>) => Promise<void> | void) | null): void;
  /**
   * Awaited when a Messages create arrives, before Twilio stores anything (null: none). `'drop'`:
   * the request never reached Twilio — nothing stored, the connection closed without an answer; a
   * scripted response: that answer instead (nothing stored), for this create only.
   */
  beforeAccept(hook: ((form: Record<string, string>) => Promise<AcceptVerdict> | AcceptVerdict) | null): void;
  /** Serves bytes at `path` (media, recordings) behind the account's Basic auth; answers the full URL. */
  addMedia(accountSid: string, path: string, content: Uint8Array, contentType: string): string;
  /** Requests to Messages.json (create) so far. */
  creates(): TwilioRecordedRequest[];
  /** Messages list (GET Messages.json) requests so far. */
  lists(): TwilioRecordedRequest[];
  close(): Promise<void>;
}

const sid = (prefix: string) => prefix + randomBytes(16).toString('hex');

function twilioError(res: ServerResponse, status: number, code: number, message: string): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ code, message, more_info: `https://www.twilio.com/docs/errors/${code}`, status }));
}

function basicAuth(req: IncomingMessage): { username: string; password: string } | null {
  const h = req.headers.authorization;
  if (!h?.startsWith('Basic ')) return null;
  const decoded = Buffer.from(h.slice(6), 'base64').toString('utf8');
  const i = decoded.indexOf(':');
  return i < 0 ? null : { username: decoded.slice(0, i), password: decoded.slice(i + 1) };
}

const rfc2822 = (d: Date) => d.toUTCString().replace('GMT', '+0000');

/**
 * One of Twilio's DateSent filters as a closed range of epoch ms: a date (`YYYY-MM-DD`: that UTC
 * day for `DateSent`, from its start for `DateSent>`, to its end for `DateSent<`) or an ISO 8601
 * time (what the twilio client sends); null when unreadable.
 */
function dateSentRange(value: string, side: 'on' | 'before' | 'after'): { from: number; to: number } | null {
  const day = /^\d{4}-\d{2}-\d{2}$/.test(value);
  const at = Date.parse(day ? `${value}T00:00:00Z` : value);
  if (Number.isNaN(at)) return null;
  const end = day ? at + 86_400_000 - 1 : at;
  if (side === 'on') return { from: at, to: end };
  if (side === 'after') return { from: at, to: Infinity };
  return { from: -Infinity, to: end };
}

/**
 * A local HTTP server speaking the parts of Twilio's REST API Guichet uses, for the real
 * `twilio` client: Messages create (form body, Basic auth, 201 JSON), list (filters, paging) and fetch, media and
 * recordings behind Basic auth, errors in Twilio's JSON shape `{code, message, more_info, status}`.
 */
export async function startTwilioServer(): Promise<TwilioServer> {
  const requests: TwilioRecordedRequest[] = [];
  const messages = new Map<string, TwilioStoredMessage>();
  const accounts = new Map<string, string>();
  const scripted: TwilioScriptedResponse[] = [];
  let beforeAnswer: ((form: Record<string, string>) => Promise<void> | void) | null = null;
  let beforeAccept: ((form: Record<string, string>) => Promise<AcceptVerdict> | AcceptVerdict) | null = null;
  const media = new Map<string, { accountSid: string; content: Uint8Array; contentType: string }>();
  /** SIDs in creation order (date_created has whole seconds only: this orders messages of one second). */
  const created: string[] = [];

  /** Messages create: scripted answers first, then Twilio's checks; the message stored, then answered 201. */
  function create(account: string, form: Record<string, string>, req: IncomingMessage, res: ServerResponse): void {
    const next = scripted.shift();
    if (next?.drop) return void req.socket.destroy();
    if (next)
      return twilioError(res, next.status, next.code ?? next.status * 100, next.message ?? `Scripted error ${next.status}`);
    if (!form.To) return twilioError(res, 400, 21604, "A 'To' phone number is required.");
    if (!form.From && !form.MessagingServiceSid) return twilioError(res, 400, 21603, "A 'From' phone number is required.");
    if (!form.Body && !form.MediaUrl) return twilioError(res, 400, 21602, 'Message body is required.');
    const message: TwilioStoredMessage = {
      sid: sid('SM'),
      account_sid: account,
      from: form.From ?? null,
      to: form.To,
      body: form.Body ?? '',
      status: 'queued',
      messaging_service_sid: form.MessagingServiceSid ?? null,
      status_callback: form.StatusCallback ?? null,
      date_created: rfc2822(new Date()),
      date_sent: null,
      error_code: null,
      error_message: null,
    };
    messages.set(message.sid, message);
    created.push(message.sid);
    void Promise.resolve(beforeAnswer?.(form)).then(() => {
      res.writeHead(201, { 'content-type': 'application/json' });
      res.end(JSON.stringify(toJson(message)));
    });
  }

  /**
   * Messages list (read), as Twilio answers it: the account's messages newest first (date_created,
   * then the later created first), filtered on To, From and DateSent (`DateSent`, `DateSent<`,
   * `DateSent>`; a message without a date_sent matches none of them), PageSize of them (50 by
   * default, 1,000 at most) in Twilio's paging envelope (`messages`, `page`, `page_size`, `start`,
   * `end`, `uri`, `first_page_uri`, `next_page_uri`, `previous_page_uri`); the next page is
   * addressed by Page and PageToken (`PA` + the last SID of the page before), as Twilio does.
   */
  function list(account: string, q: URLSearchParams, res: ServerResponse): void {
    const pageSize = Math.min(Math.max(Math.floor(Number(q.get('PageSize') ?? 50)) || 50, 1), 1000);
    const page = Math.max(Math.floor(Number(q.get('Page') ?? 0)) || 0, 0);
    const ranges: { from: number; to: number }[] = [];
    for (const [name, side] of [
      ['DateSent', 'on'],
      ['DateSent<', 'before'],
      ['DateSent>', 'after'],
    ] as const) {
      const value = q.get(name);
      if (value === null) continue;
      const range = dateSentRange(value, side);
      if (!range) return twilioError(res, 400, 20001, `Invalid ${name}: ${value}`);
      ranges.push(range);
    }
    const order = new Map(created.map((s, i) => [s, i]));
    const matching = [...messages.values()]
      .filter((m) => m.account_sid === account)
      .filter((m) => !q.has('To') || m.to === q.get('To'))
      .filter((m) => !q.has('From') || m.from === q.get('From'))
      .filter((m) => {
        if (!ranges.length) return true;
        if (!m.date_sent) return false;
        const at = Date.parse(m.date_sent);
        return ranges.every((r) => at >= r.from && at <= r.to);
      })
      .sort(
        (a, b) => Date.parse(b.date_created) - Date.parse(a.date_created) || (order.get(b.sid) ?? 0) - (order.get(a.sid) ?? 0),
      );
    const token = q.get('PageToken');
    const after = token?.startsWith('PA') ? matching.findIndex((m) => m.sid === token.slice(2)) : -1;
    const start = after >= 0 ? after + 1 : page * pageSize;
    const items = matching.slice(start, start + pageSize);
    const filters = [...q].filter(([k]) => k !== 'Page' && k !== 'PageSize' && k !== 'PageToken');
    const uri = (p: number, pageToken?: string) => {
      const params = new URLSearchParams(filters);
      params.set('PageSize', String(pageSize));
      params.set('Page', String(p));
      if (pageToken) params.set('PageToken', pageToken);
      return `/2010-04-01/Accounts/${account}/Messages.json?${params.toString()}`;
    };
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(
      JSON.stringify({
        messages: items.map(toJson),
        page,
        page_size: pageSize,
        start,
        end: items.length ? start + items.length - 1 : start,
        uri: uri(page, token ?? undefined),
        first_page_uri: uri(0),
        next_page_uri: start + pageSize < matching.length ? uri(page + 1, `PA${items.at(-1)!.sid}`) : null,
        previous_page_uri: page > 0 ? uri(page - 1) : null,
      }),
    );
  }

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://localhost');
      const form = Object.fromEntries(new URLSearchParams(Buffer.concat(chunks).toString('utf8')));
      const auth = basicAuth(req);
      const recorded: TwilioRecordedRequest = {
        method: req.method ?? 'GET',
        path: url.pathname,
        auth,
        form,
        query: Object.fromEntries(url.searchParams),
        headers: req.headers,
        at: Date.now(),
      };
      requests.push(recorded);

      const account = /^\/2010-04-01\/Accounts\/(AC[0-9a-f]{32})\//.exec(url.pathname)?.[1];
      const authorized = (accountSid: string | undefined) =>
        !!accountSid && !!auth && auth.username === accountSid && accounts.get(accountSid) === auth.password;

      const stored = media.get(url.pathname);
      if (req.method === 'GET' && stored) {
        if (!authorized(stored.accountSid)) return twilioError(res, 401, 20003, 'Authenticate');
        res.writeHead(200, { 'content-type': stored.contentType, 'content-length': String(stored.content.byteLength) });
        return void res.end(Buffer.from(stored.content));
      }
      if (!account) return twilioError(res, 404, 20404, 'The requested resource was not found');
      if (!authorized(account)) return twilioError(res, 401, 20003, 'Authenticate');

      if (req.method === 'POST' && url.pathname === `/2010-04-01/Accounts/${account}/Messages.json`) {
        if (!beforeAccept) return create(account, form, req, res);
        return void Promise.resolve(beforeAccept(form)).then((verdict) => {
          if (verdict === 'drop' || (verdict && verdict.drop)) return void req.socket.destroy();
          if (verdict)
            return twilioError(
              res,
              verdict.status,
              verdict.code ?? verdict.status * 100,
              verdict.message ?? `Scripted error ${verdict.status}`,
            );
          create(account, form, req, res);
        });
      }
      if (req.method === 'GET' && url.pathname === `/2010-04-01/Accounts/${account}/Messages.json`) {
        return list(account, url.searchParams, res);
      }
      const fetchMatch = new RegExp(`^/2010-04-01/Accounts/${account}/Messages/(SM[0-9a-f]{32})\\.json$`).exec(url.pathname);
      if (req.method === 'GET' && fetchMatch) {
        const message = messages.get(fetchMatch[1]!);
        if (!message || message.account_sid !== account)
          return twilioError(res, 404, 20404, `The requested resource ${url.pathname} was not found`);
        res.writeHead(200, { 'content-type': 'application/json' });
        return void res.end(JSON.stringify(toJson(message)));
      }
      twilioError(res, 404, 20404, `The requested resource ${url.pathname} was not found`);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    url,
    requests,
    messages,
    addAccount: (accountSid, authToken) => void accounts.set(accountSid, authToken),
    scriptNext: (...responses) => void scripted.push(...responses),
    beforeAnswer: (hook) => void (beforeAnswer = hook),
    beforeAccept: (hook) => void (beforeAccept = hook),
    addMedia(accountSid, path, content, contentType) {
      media.set(path, { accountSid, content, contentType });
      return url + path;
    },
    creates: () => requests.filter((r) => r.method === 'POST' && /\/Messages\.json$/.test(r.path)),
    lists: () => requests.filter((r) => r.method === 'GET' && /\/Messages\.json$/.test(r.path)),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function toJson(m: TwilioStoredMessage) {
  return {
    account_sid: m.account_sid,
    api_version: '2010-04-01',
    body: m.body,
    date_created: m.date_created,
    date_sent: m.date_sent ?? null,
    date_updated: m.date_created,
    direction: 'outbound-api',
    error_code: m.error_code,
    error_message: m.error_message,
    from: m.from,
    messaging_service_sid: m.messaging_service_sid,
    num_media: '0',
    num_segments: '1',
    price: null,
    price_unit: 'EUR',
    sid: m.sid,
    status: m.status,
    subresource_uris: { media: `/2010-04-01/Accounts/${m.account_sid}/Messages/${m.sid}/Media.json` },
    to: m.to,
    uri: `/2010-04-01/Accounts/${m.account_sid}/Messages/${m.sid}.json`,
  };
}
