import { createHmac, timingSafeEqual } from 'node:crypto';
import { parseCookie, stringifySetCookie } from 'cookie';
import type { IncomingHttpHeaders } from 'node:http';
import type { Request, Response } from 'express';

/**
 * The web app's session: an HttpOnly cookie, so no script (an injected one included) can read
 * the session token, and nothing of it sits in localStorage.
 *
 * - `guichet_session`: the session token. HttpOnly, SameSite=Strict, Path=/, expires with the
 *   session; Secure when the request came over HTTPS (directly or through the trusted proxy)
 *   or PUBLIC_URL is https (Chromium also keeps Secure cookies on http://localhost).
 * - CSRF, double submit bound to the session: `guichet_csrf` is a cookie scripts of this origin
 *   can read, holding HMAC(APP_SECRET, session token). Every cookie-authenticated request with
 *   an unsafe method (POST, PUT, PATCH, DELETE) must repeat it in the `X-Guichet-CSRF` header,
 *   and the socket.io handshake in `auth.csrf`; otherwise 403. Another site can make the
 *   browser send the cookies (SameSite=Strict already stops that from other sites, not from a
 *   sibling subdomain, which is same-site) but can neither read `guichet_csrf` nor set a
 *   custom header without CORS, which this API never grants; being an HMAC of the session token,
 *   it cannot be forged for someone's session even by a site able to set cookies here. GET and
 *   HEAD change nothing and need no header.
 * - `Authorization: Bearer <token>` keeps working unchanged (API integrators, tests): a browser
 *   never adds that header by itself, so bearer requests need no CSRF token.
 */
export const SESSION_COOKIE = 'guichet_session';
export const CSRF_COOKIE = 'guichet_csrf';
export const CSRF_HEADER = 'x-guichet-csrf';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export const csrfToken = (appSecret: string, sessionToken: string) =>
  createHmac('sha256', appSecret).update(`csrf\n${sessionToken}`).digest('base64url');

export function csrfMatches(appSecret: string, sessionToken: string, presented: unknown): boolean {
  if (typeof presented !== 'string') return false;
  const expected = Buffer.from(csrfToken(appSecret, sessionToken));
  const given = Buffer.from(presented);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

export const needsCsrf = (method: string) => !SAFE_METHODS.has(method.toUpperCase());

/** The session token of the cookie, if any (REST requests and socket.io handshakes). */
export function sessionCookie(headers: IncomingHttpHeaders): string | undefined {
  const raw = headers.cookie;
  if (!raw) return undefined;
  try {
    return parseCookie(raw)[SESSION_COOKIE] || undefined;
  } catch {
    return undefined;
  }
}

function secure(req: Request, publicUrl: string): boolean {
  return req.secure || publicUrl.startsWith('https:');
}

export function setSessionCookies(
  req: Request,
  res: Response,
  o: { token: string; expiresAt: Date; appSecret: string; publicUrl: string },
): void {
  const common = { path: '/', sameSite: 'strict' as const, secure: secure(req, o.publicUrl), expires: o.expiresAt };
  res.append('Set-Cookie', stringifySetCookie({ name: SESSION_COOKIE, value: o.token, httpOnly: true, ...common }));
  res.append('Set-Cookie', stringifySetCookie({ name: CSRF_COOKIE, value: csrfToken(o.appSecret, o.token), ...common }));
}

export function clearSessionCookies(req: Request, res: Response, publicUrl: string): void {
  const common = { path: '/', sameSite: 'strict' as const, secure: secure(req, publicUrl), expires: new Date(0) };
  res.append('Set-Cookie', stringifySetCookie({ name: SESSION_COOKIE, value: '', httpOnly: true, ...common }));
  res.append('Set-Cookie', stringifySetCookie({ name: CSRF_COOKIE, value: '', ...common }));
}
