import { Logger } from '@nestjs/common';
import {
  CITIZEN_TEXT,
  isLanguage,
  LIMITS,
  pluralText,
  publicReplySchema,
  publicRequestSchema,
  satisfactionAnswerSchema,
  type Language,
} from '@guichet/contracts';
import express, { type NextFunction, type Request, type RequestHandler, type Response, type Router } from 'express';
import multer from 'multer';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { brotliCompressSync, constants as zlib, gzipSync } from 'node:zlib';
import { preferredEncoding } from '../../common/accept-encoding';
import { AppError } from '../../common/errors';
import { escapeHtml, type SafeHtml } from '../../common/html';
import { parseOr400 } from '../../common/zod.pipe';
import {
  closedView,
  messageView,
  pageBody,
  REQUEST_FIELDS,
  requestDoneView,
  requestFormView,
  requestPath,
  trackingPath,
  trackingView,
  accessibilityPath,
  privacyPath,
  withLanguage,
  type CitizenView,
  type PageContext,
  type RequestField,
  type RequestFormState,
} from './citizen-views';
import { PUBLIC_UPLOAD_OPTIONS } from './public.controller';
import { accessibilityView, privacyView } from './statement-views';
import { PublicService, type UploadedFile } from './public.service';
import { SatisfactionService, type SurveyView } from '../satisfaction/satisfaction.service';
import { surveyPath } from '../satisfaction/survey-token';
import { surveyDoneView, surveyFormView } from '../satisfaction/survey-views';

/** Paths that belong to the citizen pages (the later ones answer a French 404 until they exist). */
export const CITIZEN_PATHS = /^\/(demandes|suivi|avis|evenements|accessibilite|donnees-personnelles)(\/|$)/;

/** Where the page goes in the citizen HTML the web build writes (apps/web/citizen.html). */
const PAGE_MARKER = '<!--guichet:page-->';

/** Used when the web app is not built: the same pages, without the stylesheet and the script. */
const BARE_SHELL = `<!doctype html>
<html lang="fr">
  <head>
    <meta charset="UTF-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <title>Guichet</title>
  </head>
  <body>
    ${PAGE_MARKER}
  </body>
</html>
`;

export interface CitizenShell {
  render(lang: Language, title: string, body: SafeHtml): string;
}

/** The citizen HTML of the web build (its hashed stylesheet and script), or a bare one. */
export function loadCitizenShell(webDistDir?: string): CitizenShell {
  const file = webDistDir ? join(webDistDir, 'citizen.html') : undefined;
  const template = file && existsSync(file) ? readFileSync(file, 'utf8') : BARE_SHELL;
  const at = template.indexOf(PAGE_MARKER);
  if (at < 0) throw new Error(`${file}: no ${PAGE_MARKER} where the citizen page goes`);
  const head = template.slice(0, at);
  const tail = template.slice(at + PAGE_MARKER.length);
  return {
    render(lang, title, body) {
      return (
        head
          .replace(/<html lang="[^"]*"/, `<html lang="${lang}"`)
          .replace(/<title>[^<]*<\/title>/, `<title>${escapeHtml(title)}</title>`) +
        body.value +
        tail
      );
    },
  };
}

const logger = new Logger('CitizenPages');

/** "adresse e-mail invalide" → "Adresse e-mail invalide." */
/** An archived town's page or API call (PublicService's townClosed): the service is closed. */
export const isGone = (e: unknown) => e instanceof AppError && e.code === 'gone';

export function sentence(reason: string): string {
  const s = reason.trim();
  return s.charAt(0).toUpperCase() + s.slice(1) + (/[.!?…]$/.test(s) ? '' : '.');
}

export function languageOf(req: Request): Language {
  return isLanguage(req.query.lang) ? req.query.lang : 'fr';
}

function text(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

/** Runs an Express middleware as a promise (the body parsers, inside a page's handler). */
export function run(middleware: RequestHandler, req: Request, res: Response): Promise<void> {
  return new Promise((resolve, reject) => {
    void middleware(req, res, (error?: unknown) =>
      error ? reject(error instanceof Error ? error : new Error(String(error))) : resolve(),
    );
  });
}

/** A citizen page: the view in the shell, compressed as the client takes it, never kept by a shared cache. */
export function sendCitizenPage(
  shell: CitizenShell,
  req: Request,
  res: Response,
  status: number,
  ctx: PageContext,
  view: CitizenView,
): void {
  const document = Buffer.from(shell.render(ctx.lang, view.title, pageBody(ctx, view)));
  res.status(status);
  res.setHeader('Content-Type', 'text/html; charset=utf-8');
  // The pages show a citizen's own request: never kept by a shared cache, always asked again.
  res.setHeader('Cache-Control', 'private, no-cache');
  res.setHeader('Vary', 'Accept-Encoding');
  const encoding = preferredEncoding(req.headers['accept-encoding'], ['br', 'gzip']);
  if (encoding === 'br') {
    res.setHeader('Content-Encoding', 'br');
    res.end(
      brotliCompressSync(document, {
        params: { [zlib.BROTLI_PARAM_QUALITY]: 5, [zlib.BROTLI_PARAM_SIZE_HINT]: document.length },
      }),
    );
  } else if (encoding === 'gzip') {
    res.setHeader('Content-Encoding', 'gzip');
    res.end(gzipSync(document, { level: 6 }));
  } else {
    res.end(document);
  }
}

/**
 * The citizen pages, rendered on the server so the essential path needs no JavaScript: the request
 * form posts to its own address and answers a page with the reference and the tracking link; the
 * tracking page shows the exchange and takes a reply. Validation, honeypot and rate limit are
 * PublicService's, exactly as for the JSON API.
 */
export function citizenPages(service: PublicService, shell: CitizenShell, surveys: SatisfactionService): Router {
  const router = express.Router();
  const upload = multer({ storage: multer.memoryStorage(), ...PUBLIC_UPLOAD_OPTIONS }).array(
    'attachments',
    LIMITS.attachmentsPerRequest,
  );
  const urlencoded = express.urlencoded({ extended: false, limit: '256kb' });

  async function readForm(req: Request, res: Response): Promise<{ body: Record<string, unknown>; files: UploadedFile[] }> {
    try {
      await run(urlencoded, req, res);
      await run(upload, req, res);
    } finally {
      req.body ??= {};
    }
    return { body: req.body as Record<string, unknown>, files: (req.files as UploadedFile[] | undefined) ?? [] };
  }

  // The footer's conformity level travels with the town the page's data already holds (its view's).
  const send = (req: Request, res: Response, status: number, ctx: PageContext, view: CitizenView): void =>
    sendCitizenPage(shell, req, res, status, ctx, view);

  const context = (lang: Language, base: string): PageContext => ({ lang, languageHref: (l) => withLanguage(base, l) });

  function failure(req: Request, res: Response, ctx: PageContext, error: unknown): void {
    logger.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
    send(req, res, 500, ctx, messageView(ctx, CITIZEN_TEXT[ctx.lang].appName, CITIZEN_TEXT[ctx.lang].public.errors.generic));
  }

  const isNotFound = (e: unknown) => e instanceof AppError && e.code === 'not_found';
  const closed = (req: Request, res: Response, ctx: PageContext) => send(req, res, 410, ctx, closedView(ctx));

  // The request form.
  router.get('/demandes/:slug', async (req, res) => {
    const slug = req.params.slug as string;
    const ctx = context(languageOf(req), requestPath(slug));
    try {
      const org = await service.describe(slug);
      send(req, res, 200, ctx, requestFormView(ctx, org, { values: {}, errors: {}, messages: [] }));
    } catch (e) {
      if (isGone(e)) return closed(req, res, ctx);
      if (isNotFound(e))
        return send(
          req,
          res,
          404,
          ctx,
          messageView(ctx, CITIZEN_TEXT[ctx.lang].public.notFoundTitle, CITIZEN_TEXT[ctx.lang].public.orgNotFound),
        );
      failure(req, res, ctx, e);
    }
  });

  router.post('/demandes/:slug', async (req, res) => {
    const slug = req.params.slug as string;
    const ctx = context(languageOf(req), requestPath(slug));
    const t = CITIZEN_TEXT[ctx.lang].public;
    let status: number;
    const state: RequestFormState = { values: {}, errors: {}, messages: [] };
    let sentFiles = false;
    try {
      const { body, files } = await readForm(req, res);
      sentFiles = files.length > 0;
      for (const f of REQUEST_FIELDS) state.values[f] = text(body[f]);
      const created = await service.createRequest(slug, parseOr400(publicRequestSchema, body), files, req.ip ?? 'unknown');
      return send(req, res, 200, ctx, requestDoneView(ctx, await service.describe(slug), created));
    } catch (e) {
      if (isGone(e)) return closed(req, res, ctx);
      const body = (req.body ?? {}) as Record<string, unknown>;
      for (const f of REQUEST_FIELDS) state.values[f] ??= text(body[f]);
      sentFiles ||= ((req.files as unknown[] | undefined)?.length ?? 0) > 0;
      if (e instanceof multer.MulterError) {
        const refused = uploadRefused(e, ctx.lang);
        status = refused.status;
        state.messages.push(refused.message);
      } else if (e instanceof AppError) {
        status = e.status;
        if (e.code === 'rate_limited') {
          if (e.extra?.retryAfterSeconds) res.setHeader('Retry-After', String(e.extra.retryAfterSeconds));
          state.messages.push(t.errors.tooMany);
        } else if (e.details?.length) {
          placeDetails(e.details, state, t);
        } else {
          state.messages.push(sentence(e.message));
        }
      } else if (e instanceof Error && (e as { status?: number }).status === 400) {
        // A malformed form body (the parsers' own errors).
        status = 400;
        state.messages.push(t.errors.generic);
      } else {
        return failure(req, res, ctx, e);
      }
      if (sentFiles) state.messages.push(t.errors.reselectFiles);
      try {
        send(req, res, status, ctx, requestFormView(ctx, await service.describe(slug), state));
      } catch (again) {
        if (isNotFound(again)) return send(req, res, 404, ctx, messageView(ctx, t.notFoundTitle, t.orgNotFound));
        failure(req, res, ctx, again);
      }
    }
  });

  // The tracking page.
  router.get('/suivi/:reference', async (req, res) => {
    const reference = req.params.reference as string;
    const token = text(req.query.token);
    const ctx = context(languageOf(req), trackingPath(reference, token));
    const t = CITIZEN_TEXT[ctx.lang].public;
    try {
      const request = await service.getRequest(reference, token);
      send(
        req,
        res,
        200,
        ctx,
        trackingView(ctx, request, {
          action: withLanguage(trackingPath(reference, token), ctx.lang),
          token,
          sent: req.query.envoye === '1',
        }),
      );
    } catch (e) {
      if (isGone(e)) return closed(req, res, ctx);
      // A wrong token and an unknown reference read the same.
      if (e instanceof AppError && e.status < 500)
        return send(req, res, 404, ctx, messageView(ctx, t.notFoundTitle, t.requestNotFound));
      failure(req, res, ctx, e);
    }
  });

  router.post('/suivi/:reference', async (req, res) => {
    const reference = req.params.reference as string;
    const token = text(req.query.token);
    const ctx = context(languageOf(req), trackingPath(reference, token));
    const t = CITIZEN_TEXT[ctx.lang].public;
    const action = withLanguage(trackingPath(reference, token), ctx.lang);
    let reply = '';
    let status: number;
    let replyError: string;
    try {
      const { body, files } = await readForm(req, res);
      reply = text(body.body);
      const request = await service.reply(reference, token, parseOr400(publicReplySchema, body), files, req.ip ?? 'unknown');
      // Post/redirect/get: a reload shows the page, it does not send the reply again.
      return res.redirect(303, `${withLanguage(trackingPath(request.reference, token), ctx.lang)}&envoye=1#reply-sent`);
    } catch (e) {
      if (isGone(e)) {
        // An archived town: the file read-only with the closure said, the reply refused (410).
        const request = await service.getRequest(reference, token).catch(() => null);
        return request ? send(req, res, 410, ctx, trackingView(ctx, request, { action, token })) : closed(req, res, ctx);
      }
      if (isNotFound(e)) return send(req, res, 404, ctx, messageView(ctx, t.notFoundTitle, t.requestNotFound));
      if (e instanceof multer.MulterError) {
        const refused = uploadRefused(e, ctx.lang);
        status = refused.status;
        replyError = refused.message;
      } else if (e instanceof AppError) {
        status = e.status;
        if (e.code === 'rate_limited') {
          if (e.extra?.retryAfterSeconds) res.setHeader('Retry-After', String(e.extra.retryAfterSeconds));
          replyError = t.errors.tooMany;
        } else if (e.details?.some((d) => d.startsWith('body:')) && !reply.trim()) {
          replyError = t.errors.body;
        } else {
          replyError = (e.details?.length ? e.details.map((d) => sentence(d.replace(/^\w+: /, ''))) : [sentence(e.message)]).join(
            ' ',
          );
        }
      } else if (e instanceof Error && (e as { status?: number }).status === 400) {
        status = 400;
        replyError = t.errors.generic;
      } else {
        return failure(req, res, ctx, e);
      }
    }
    try {
      const request = await service.getRequest(reference, token);
      send(req, res, status, ctx, trackingView(ctx, request, { action, token, reply, replyError }));
    } catch (e) {
      if (isNotFound(e)) return send(req, res, 404, ctx, messageView(ctx, t.notFoundTitle, t.requestNotFound));
      failure(req, res, ctx, e);
    }
  });

  // The satisfaction survey (issue 15): the signed link of the invitation, no account.
  const surveyGone = (ctx: PageContext, state: 'expired' | 'invalid'): CitizenView => {
    const t = CITIZEN_TEXT[ctx.lang];
    return messageView(ctx, t.public.notFoundTitle, state === 'expired' ? t.survey.expired : t.survey.invalid);
  };

  router.get('/avis/:token', async (req, res) => {
    const token = req.params.token as string;
    const ctx = context(languageOf(req), surveyPath(token));
    try {
      const v = await surveys.view(token);
      if (v.state === 'invalid' || v.state === 'expired')
        return send(req, res, v.state === 'expired' ? 410 : 404, ctx, surveyGone(ctx, v.state));
      if (v.state === 'answered') return send(req, res, 200, ctx, surveyDoneView(ctx, v.survey, req.query.merci === '1'));
      send(req, res, 200, ctx, surveyFormView(ctx, v.survey, v.question, { action: withLanguage(surveyPath(token), ctx.lang) }));
    } catch (e) {
      failure(req, res, ctx, e);
    }
  });

  router.post('/avis/:token', async (req, res) => {
    const token = req.params.token as string;
    const ctx = context(languageOf(req), surveyPath(token));
    const t = CITIZEN_TEXT[ctx.lang].survey;
    let body: Record<string, unknown> = {};
    try {
      body = (await readForm(req, res)).body;
      await surveys.answer(
        token,
        parseOr400(satisfactionAnswerSchema, { score: text(body.score) || undefined, comment: text(body.comment) }),
      );
      // Post/redirect/get: a reload shows the thanks, it does not post again.
      return res.redirect(303, `${withLanguage(surveyPath(token), ctx.lang)}${ctx.lang === 'fr' ? '?' : '&'}merci=1`);
    } catch (e) {
      if (!(e instanceof AppError) || e.status >= 500) return failure(req, res, ctx, e);
      const v: SurveyView = await surveys.view(token).catch(() => ({ state: 'invalid' }));
      if (v.state === 'invalid' || v.state === 'expired')
        return send(req, res, v.state === 'expired' ? 410 : 404, ctx, surveyGone(ctx, v.state));
      if (v.state === 'answered') return send(req, res, 409, ctx, surveyDoneView(ctx, v.survey, false));
      const error = e.details?.some((d) => d.startsWith('score'))
        ? t.scoreMissing
        : sentence(e.details?.[0]?.replace(/^\w+: /, '') ?? e.message);
      send(
        req,
        res,
        e.status,
        ctx,
        surveyFormView(ctx, v.survey, v.question, {
          action: withLanguage(surveyPath(token), ctx.lang),
          score: text(body.score),
          comment: text(body.comment),
          error,
        }),
      );
    }
  });

  // The town hall's accessibility statement and personal-data page, generated from its settings.
  for (const [route, path, view] of [
    [
      '/accessibilite/:slug',
      accessibilityPath,
      (ctx: PageContext, s: Awaited<ReturnType<PublicService['statement']>>) => accessibilityView(ctx, s.org),
    ],
    [
      '/donnees-personnelles/:slug',
      privacyPath,
      (ctx: PageContext, s: Awaited<ReturnType<PublicService['statement']>>) => privacyView(ctx, s.org, s.rules),
    ],
  ] as const) {
    router.get(route, async (req, res) => {
      const slug = req.params.slug as string;
      const ctx = context(languageOf(req), path(slug));
      try {
        send(req, res, 200, ctx, view(ctx, await service.statement(slug)));
      } catch (e) {
        const t = CITIZEN_TEXT[ctx.lang].public;
        if (isNotFound(e)) return send(req, res, 404, ctx, messageView(ctx, t.notFoundTitle, t.orgNotFound));
        failure(req, res, ctx, e);
      }
    });
  }

  // Every other citizen address: a French 404 page, not the agent app.
  router.use((req, res, next) => {
    if (!CITIZEN_PATHS.test(req.path)) return next();
    const ctx = context(languageOf(req), req.path);
    const t = CITIZEN_TEXT[ctx.lang].public;
    send(req, res, 404, ctx, messageView(ctx, t.notFoundTitle, t.pageNotFound));
  });

  // A malformed address (bad percent-encoding) under a citizen path.
  router.use((error: unknown, req: Request, res: Response, next: NextFunction) => {
    if (!CITIZEN_PATHS.test(req.path) || res.headersSent) return next(error);
    const ctx = context(languageOf(req), '/');
    const t = CITIZEN_TEXT[ctx.lang].public;
    send(req, res, 404, ctx, messageView(ctx, t.notFoundTitle, t.pageNotFound));
  });

  return router;
}

/** Files refused by the form parser (multer), in the words of the JSON API's answers. */
function uploadRefused(e: multer.MulterError, lang: Language): { status: number; message: string } {
  const t = CITIZEN_TEXT[lang].public;
  if (e.code === 'LIMIT_FILE_SIZE') return { status: 413, message: t.errors.fileTooBig };
  if (e.code === 'LIMIT_FILE_COUNT' || e.code === 'LIMIT_UNEXPECTED_FILE') {
    return {
      status: 400,
      message: pluralText(lang, LIMITS.attachmentsPerRequest, t.errors.tooManyFiles_one, t.errors.tooManyFiles_other),
    };
  }
  return { status: 413, message: sentence('requête trop volumineuse') };
}

/** A 400's `field: reason` lines on the fields they name, in the citizen's words where they left it empty. */
function placeDetails(details: string[], state: RequestFormState, t: (typeof CITIZEN_TEXT)[Language]['public']): void {
  const empty = (f: RequestField) => !state.values[f]?.trim();
  for (const line of details) {
    const match = /^(\w+): (.*)$/.exec(line);
    const field = match && (REQUEST_FIELDS as readonly string[]).includes(match[1]!) ? (match[1] as RequestField) : null;
    if (!field) {
      state.messages.push(sentence(line));
      continue;
    }
    if (state.errors[field]) continue;
    const reason = sentence(match![2]!);
    state.errors[field] =
      field === 'teamId'
        ? t.errors.team
        : field === 'requestTypeId'
          ? t.errors.requestType
          : field === 'email'
            ? empty('email') && empty('phone')
              ? t.errors.contact
              : reason
            : field === 'name' || field === 'subject' || field === 'body'
              ? empty(field)
                ? t.errors[field]
                : reason
              : reason;
  }
}
