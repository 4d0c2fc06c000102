import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A local HTTP server standing in for Meta's Graph API, for the parts Guichet uses: the Send API
 * (`POST /{version}/{account-id}/messages`, including private replies with
 * `recipient.comment_id`), user profiles (`GET /{version}/{psid}?fields=…`), posts, comment
 * replies (`POST /{version}/{comment-id}/comments`), hiding (`POST /{version}/{comment-id}` with
 * `is_hidden`) and attachment downloads (`GET /cdn/…`). Errors use Graph's shape
 * `{ error: { message, type, code, error_subcode, fbtrace_id } }`. Every request is recorded;
 * tests script answers with `script()`.
 */

export interface GraphRequest {
  method: string;
  /** Path without the version prefix: `123/messages`, `cdn/photo.jpg`. */
  path: string;
  version: string | null;
  query: Record<string, string>;
  /** The page access token, from `Authorization: Bearer` or `access_token`. */
  accessToken: string | null;
  headers: IncomingMessage['headers'];
  contentType: string;
  /** JSON or url-encoded bodies parsed; multipart bodies give their text fields (files as `{ fileName, size, type }`). */
  body: Record<string, unknown>;
  raw: Buffer;
  at: number;
}

export interface GraphReply {
  status?: number;
  body?: unknown;
  headers?: Record<string, string>;
  /** Bytes instead of JSON (downloads). */
  raw?: Buffer;
  delayMs?: number;
}

export interface GraphScript {
  method?: string;
  /** Matched against the path without the version (`123/messages`), or a predicate. */
  path: string | RegExp | ((req: GraphRequest) => boolean);
  reply: GraphReply | ((req: GraphRequest) => GraphReply);
  /** How many requests this answer serves (default 1; Infinity for always). */
  times?: number;
}

export interface GraphErrorShape {
  message?: string;
  type?: string;
  code: number;
  error_subcode?: number;
  is_transient?: boolean;
}

export interface GraphServer {
  url: string;
  requests: GraphRequest[];
  /** Requests matching a method and path (string equality or RegExp). */
  find(method: string, path: string | RegExp): GraphRequest[];
  script(s: GraphScript): void;
  /** A Graph error answer: `graphError({ code: 190 })`. */
  error(e: GraphErrorShape, status?: number): GraphReply;
  setProfile(id: string, profile: Record<string, unknown>): void;
  setPost(id: string, post: Record<string, unknown>): void;
  /** Serves bytes at `${url}/cdn/<name>` and answers that URL. */
  addFile(name: string, content: Buffer | string, contentType: string): string;
  /** Only these tokens are accepted (any non-empty token when never called). */
  acceptTokens(...tokens: string[]): void;
  hiddenComments: Set<string>;
  reset(): void;
  close(): Promise<void>;
}

const json = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
  res.writeHead(status, { 'content-type': 'application/json; charset=UTF-8', ...headers });
  res.end(JSON.stringify(body));
};

const fbtrace = () => randomBytes(8).toString('base64url');

function graphError(e: GraphErrorShape, status?: number): GraphReply {
  return {
    status: status ?? (e.code === 190 ? 401 : e.code === 4 || e.code === 17 || e.code === 32 || e.code === 613 ? 429 : 400),
    body: {
      error: {
        message: e.message ?? `(#${e.code}) Graph error`,
        type: e.type ?? (e.code === 190 ? 'OAuthException' : 'GraphMethodException'),
        code: e.code,
        ...(e.error_subcode !== undefined ? { error_subcode: e.error_subcode } : {}),
        ...(e.is_transient !== undefined ? { is_transient: e.is_transient } : {}),
        fbtrace_id: fbtrace(),
      },
    },
  };
}

/** Text fields of a multipart body (enough to check what the Send API upload carried). */
function parseMultipart(raw: Buffer, contentType: string): Record<string, unknown> {
  const boundary = /boundary=(?:"([^"]+)"|([^;]+))/i.exec(contentType);
  if (!boundary) return {};
  const marker = `--${boundary[1] ?? boundary[2]}`;
  const out: Record<string, unknown> = {};
  for (const part of raw.toString('latin1').split(marker)) {
    const sep = part.indexOf('\r\n\r\n');
    if (sep < 0) continue;
    const head = part.slice(0, sep);
    const name = /name="([^"]+)"/i.exec(head)?.[1];
    if (!name) continue;
    const content = part.slice(sep + 4).replace(/\r\n$/, '');
    const fileName = /filename="([^"]*)"/i.exec(head)?.[1];
    if (fileName !== undefined) {
      out[name] = {
        fileName,
        size: Buffer.byteLength(content, 'latin1'),
        type: /content-type:\s*([^\r\n]+)/i.exec(head)?.[1] ?? null,
      };
    } else {
      out[name] = Buffer.from(content, 'latin1').toString('utf8');
    }
  }
  return out;
}

export async function startGraphServer(): Promise<GraphServer> {
  const requests: GraphRequest[] = [];
  let scripts: (GraphScript & { left: number })[] = [];
  const profiles = new Map<string, Record<string, unknown>>();
  const posts = new Map<string, Record<string, unknown>>();
  const files = new Map<string, { content: Buffer; contentType: string }>();
  const hiddenComments = new Set<string>();
  let tokens: Set<string> | null = null;

  const defaultReply = (req: GraphRequest): GraphReply => {
    if (req.method === 'GET' && req.path.startsWith('cdn/')) {
      const f = files.get(decodeURIComponent(req.path.slice(4)));
      return f ? { raw: f.content, headers: { 'content-type': f.contentType } } : { status: 404, body: { error: 'not found' } };
    }
    if (!req.version) return graphError({ code: 2500, message: 'Unknown path components' }, 400);
    if (!req.accessToken || (tokens && !tokens.has(req.accessToken))) {
      return graphError({ code: 190, message: 'Error validating access token: Session has expired', error_subcode: 463 });
    }
    const parts = req.path.split('/');
    if (req.method === 'POST' && parts.length === 2 && parts[1] === 'messages') {
      const recipient = (typeof req.body.recipient === 'string' ? JSON.parse(req.body.recipient) : req.body.recipient) as
        { id?: string; comment_id?: string } | undefined;
      if (!recipient?.id && !recipient?.comment_id)
        return graphError({ code: 100, message: '(#100) The parameter recipient is required' });
      const message = typeof req.body.message === 'string' ? JSON.parse(req.body.message) : req.body.message;
      if (!message) return graphError({ code: 100, message: '(#100) The parameter message is required' });
      return {
        body: {
          recipient_id: recipient.id ?? `psid-${recipient.comment_id}`,
          message_id: `m_${randomBytes(12).toString('base64url')}`,
        },
      };
    }
    // Facebook comment replies (`/{comment-id}/comments`) and Instagram ones (`/{comment-id}/replies`).
    if (req.method === 'POST' && parts.length === 2 && (parts[1] === 'comments' || parts[1] === 'replies')) {
      if (typeof req.body.message !== 'string' || !req.body.message)
        return graphError({ code: 100, message: '(#100) message is required' });
      return { body: { id: `${parts[0]!.split('_')[0]}_${randomBytes(6).toString('hex')}` } };
    }
    // Hiding: `is_hidden` on Facebook, `hide` on Instagram.
    if (req.method === 'POST' && parts.length === 1 && ('is_hidden' in req.body || 'hide' in req.body)) {
      const flag = 'is_hidden' in req.body ? req.body.is_hidden : req.body.hide;
      const hidden = flag === true || flag === 'true';
      if (hidden) hiddenComments.add(parts[0]!);
      else hiddenComments.delete(parts[0]!);
      return { body: { success: true } };
    }
    if (req.method === 'GET' && parts.length === 1) {
      const found = profiles.get(parts[0]!) ?? posts.get(parts[0]!);
      if (!found) {
        return graphError({
          code: 100,
          error_subcode: 33,
          message: `Unsupported get request. Object with ID '${parts[0]}' does not exist`,
        });
      }
      const fields = req.query.fields
        ?.split(',')
        .map((f) => f.trim())
        .filter(Boolean);
      const picked = fields ? Object.fromEntries(fields.filter((f) => f in found).map((f) => [f, found[f]])) : found;
      return { body: { ...picked, id: parts[0] } };
    }
    return graphError({ code: 100, message: `Unsupported ${req.method} request` });
  };

  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      const url = new URL(req.url ?? '/', 'http://graph.local');
      const segments = url.pathname.replace(/^\/+/, '').split('/');
      const version = /^v\d+\.\d+$/.test(segments[0] ?? '') ? segments.shift()! : null;
      const query = Object.fromEntries(url.searchParams.entries());
      const contentType = String(req.headers['content-type'] ?? '');
      let body: Record<string, unknown> = {};
      try {
        if (contentType.includes('application/json')) body = raw.length ? JSON.parse(raw.toString('utf8')) : {};
        else if (contentType.includes('application/x-www-form-urlencoded'))
          body = Object.fromEntries(new URLSearchParams(raw.toString('utf8')));
        else if (contentType.includes('multipart/form-data')) body = parseMultipart(raw, contentType);
      } catch {
        json(res, 400, graphError({ code: 100, message: 'Invalid JSON' }).body);
        return;
      }
      const auth = /^Bearer\s+(.+)$/i.exec(String(req.headers.authorization ?? ''))?.[1] ?? null;
      const record: GraphRequest = {
        method: req.method ?? 'GET',
        path: segments.join('/'),
        version,
        query,
        accessToken: auth ?? query.access_token ?? (typeof body.access_token === 'string' ? body.access_token : null),
        headers: req.headers,
        contentType,
        body,
        raw,
        at: Date.now(),
      };
      requests.push(record);
      const script = scripts.find((s) => {
        if (s.left <= 0) return false;
        if (s.method && s.method.toUpperCase() !== record.method) return false;
        if (typeof s.path === 'function') return s.path(record);
        return typeof s.path === 'string' ? s.path === record.path : s.path.test(record.path);
      });
      if (script) script.left--;
      const reply = script ? (typeof script.reply === 'function' ? script.reply(record) : script.reply) : defaultReply(record);
      const send = () => {
        if (reply.raw) {
          res.writeHead(reply.status ?? 200, { 'content-length': String(reply.raw.length), ...(reply.headers ?? {}) });
          res.end(reply.raw);
        } else {
          json(res, reply.status ?? 200, reply.body ?? { success: true }, reply.headers);
        }
      };
      if (reply.delayMs) setTimeout(send, reply.delayMs);
      else send();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    url,
    requests,
    find: (method, path) =>
      requests.filter(
        (r) => r.method === method.toUpperCase() && (typeof path === 'string' ? r.path === path : path.test(r.path)),
      ),
    script: (s) => scripts.push({ ...s, left: s.times ?? 1 }),
    error: graphError,
    setProfile: (id, p) => profiles.set(id, p),
    setPost: (id, p) => posts.set(id, p),
    addFile: (name, content, contentType) => {
      files.set(name, { content: Buffer.isBuffer(content) ? content : Buffer.from(content), contentType });
      return `${url}/cdn/${encodeURIComponent(name)}`;
    },
    acceptTokens: (...list) => {
      tokens = new Set([...(tokens ?? []), ...list]);
    },
    hiddenComments,
    reset: () => {
      requests.length = 0;
      scripts = [];
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections?.();
        server.close(() => resolve());
      }),
  };
}

/** Builders of Meta webhook bodies, in Meta's documented shapes (Messenger Platform, Page feed). */
export const metaPayloads = {
  /** `{ object, entry: [{ id, time, messaging: [...] }] }`; several entries make a batch. */
  messaging(object: 'page' | 'instagram', entries: { accountId: string; events: object[] }[]) {
    return { object, entry: entries.map((e) => ({ id: e.accountId, time: Date.now(), messaging: e.events })) };
  },
  text(accountId: string, psid: string, mid: string, text: string, timestamp = Date.now(), extra: object = {}) {
    return { sender: { id: psid }, recipient: { id: accountId }, timestamp, message: { mid, text, ...extra } };
  },
  attachments(accountId: string, psid: string, mid: string, attachments: { type: string; payload: object }[], text?: string) {
    return {
      sender: { id: psid },
      recipient: { id: accountId },
      timestamp: Date.now(),
      message: { mid, ...(text ? { text } : {}), attachments },
    };
  },
  echo(accountId: string, psid: string, mid: string, text: string, extra: object = {}) {
    return {
      sender: { id: accountId },
      recipient: { id: psid },
      timestamp: Date.now(),
      message: { mid, text, is_echo: true, app_id: 1517, ...extra },
    };
  },
  delivery(accountId: string, psid: string, mids: string[], watermark = Date.now()) {
    return { sender: { id: psid }, recipient: { id: accountId }, timestamp: Date.now(), delivery: { mids, watermark } };
  },
  read(accountId: string, psid: string, watermark = Date.now()) {
    return { sender: { id: psid }, recipient: { id: accountId }, timestamp: Date.now(), read: { watermark } };
  },
  reaction(accountId: string, psid: string, mid: string, emoji = '❤️') {
    return {
      sender: { id: psid },
      recipient: { id: accountId },
      timestamp: Date.now(),
      reaction: { mid, action: 'react', emoji, reaction: 'love' },
    };
  },
  comment(
    pageId: string,
    c: {
      commentId: string;
      postId: string;
      fromId: string;
      fromName?: string;
      message: string;
      permalink?: string;
      createdTime?: number;
      verb?: string;
    },
  ) {
    return {
      object: 'page',
      entry: [
        {
          id: pageId,
          time: Date.now(),
          changes: [
            {
              field: 'feed',
              value: {
                from: { id: c.fromId, ...(c.fromName ? { name: c.fromName } : {}) },
                post: {
                  status_type: 'mobile_status_update',
                  is_published: true,
                  id: c.postId,
                  permalink_url: c.permalink ?? `https://www.facebook.com/${c.postId}`,
                },
                message: c.message,
                post_id: c.postId,
                comment_id: c.commentId,
                created_time: c.createdTime ?? Math.floor(Date.now() / 1000),
                item: 'comment',
                parent_id: c.postId,
                verb: c.verb ?? 'add',
              },
            },
          ],
        },
      ],
    };
  },
};
