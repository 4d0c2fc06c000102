import { Logger } from '@nestjs/common';
import { CITIZEN_TEXT, EVENT_TEXT, fillText, publicRegistrationSchema, type Language } from '@guichet/contracts';
import express, { type Request, type Response, type Router } from 'express';
import { AppError } from '../../common/errors';
import { parseOr400 } from '../../common/zod.pipe';
import { languageOf, run, sendCitizenPage, sentence, type CitizenShell } from '../public/citizen-pages';
import { closedView, messageView, withLanguage, type CitizenView, type PageContext } from '../public/citizen-views';
import {
  eventListView,
  eventPageView,
  eventPath,
  eventsPath,
  registrationPageView,
  registrationPath,
  type EventListFilters,
  type RegistrationFormState,
  type RegistrationPageState,
} from './event-views';
import { PublicEventService, publicEventsQuerySchema } from './public-event.service';
import { RegistrationService } from './registration.service';

const logger = new Logger('EventPages');

const text = (value: unknown): string => (typeof value === 'string' ? value : '');

/**
 * The citizen event pages (issue 17) under /evenements/:slug, rendered on the server: the list, an
 * event with its form (posting to itself), and the registration of the confirmation's signed link.
 * Registering, cancelling and confirming are RegistrationService's (same honeypot and rate limit as
 * the request form, capacity under the event's lock); every other path falls through to the
 * citizen pages' 404.
 */
export function eventPages(events: PublicEventService, registrations: RegistrationService, shell: CitizenShell): Router {
  const router = express.Router();
  const urlencoded = express.urlencoded({ extended: false, limit: '64kb', parameterLimit: 40 });
  const send = (req: Request, res: Response, status: number, ctx: PageContext, view: CitizenView) =>
    sendCitizenPage(shell, req, res, status, ctx, view);
  const context = (lang: Language, base: string): PageContext => ({ lang, languageHref: (l) => withLanguage(base, l) });
  const isNotFound = (e: unknown) => e instanceof AppError && e.code === 'not_found';
  const notFound = (req: Request, res: Response, ctx: PageContext, message: string) =>
    send(req, res, 404, ctx, messageView(ctx, CITIZEN_TEXT[ctx.lang].public.notFoundTitle, message));
  const failure = (req: Request, res: Response, ctx: PageContext, error: unknown) => {
    logger.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
    send(req, res, 500, ctx, messageView(ctx, CITIZEN_TEXT[ctx.lang].appName, CITIZEN_TEXT[ctx.lang].public.errors.generic));
  };
  const readForm = async (req: Request, res: Response): Promise<Record<string, unknown>> => {
    try {
      await run(urlencoded, req, res);
    } finally {
      req.body ??= {};
    }
    return req.body as Record<string, unknown>;
  };

  // An archived town's event pages all say its online services are closed (410); nothing is deleted.
  router.use('/evenements/:slug', async (req, res, next) => {
    try {
      if (!(await events.closed(req.params.slug as string))) return next();
      const ctx = context(languageOf(req), req.originalUrl.split('?')[0]!);
      send(req, res, 410, ctx, closedView(ctx));
    } catch (e) {
      next(e);
    }
  });

  // The town's upcoming events.
  router.get('/evenements/:slug', async (req, res) => {
    const slug = req.params.slug as string;
    const filters: EventListFilters = {
      teamId: text(req.query.teamId) || undefined,
      theme: text(req.query.theme) || undefined,
      from: text(req.query.from) || undefined,
      to: text(req.query.to) || undefined,
    };
    const ctx = context(languageOf(req), `${eventsPath(slug)}${query(filters)}`);
    try {
      const parsed = publicEventsQuerySchema.safeParse(filters);
      // A filter the list cannot read (a hand-edited address) is dropped and said, not a 400 page.
      const list = await events.list(slug, parsed.success ? parsed.data : { theme: undefined });
      const error = parsed.success ? undefined : sentence(parsed.error.issues.map((i) => i.message).join(', '));
      send(req, res, 200, ctx, eventListView(ctx, slug, list, parsed.success ? filters : {}, error));
    } catch (e) {
      if (isNotFound(e)) return notFound(req, res, ctx, CITIZEN_TEXT[ctx.lang].public.orgNotFound);
      failure(req, res, ctx, e);
    }
  });

  // The signed link of a registration (three segments: never an event id).
  const registrationRoute = '/evenements/:slug/inscription/:id';

  const showRegistration = async (req: Request, res: Response, status: number, state: RegistrationPageState) => {
    const slug = req.params.slug as string;
    const id = req.params.id as string;
    const ctx = context(languageOf(req), registrationPath(slug, id, state.token));
    try {
      const r = await registrations.view(id, state.token);
      const org = await events.organizationOfEvent(slug, r.event.id);
      if (!org) return notFound(req, res, ctx, EVENT_TEXT[ctx.lang].registrationNotFound);
      send(req, res, status, ctx, registrationPageView(ctx, slug, org, r, state));
    } catch (e) {
      if (e instanceof AppError && e.status < 500) return notFound(req, res, ctx, EVENT_TEXT[ctx.lang].registrationNotFound);
      failure(req, res, ctx, e);
    }
  };

  router.get(registrationRoute, async (req, res) => {
    await showRegistration(req, res, 200, {
      token: text(req.query.token),
      created: req.query.nouvelle === '1',
      done: req.query.fait === 'annulee' ? 'cancelled' : req.query.fait === 'confirmee' ? 'confirmed' : undefined,
    });
  });

  for (const action of ['annuler', 'confirmer'] as const) {
    router.post(`${registrationRoute}/${action}`, async (req, res) => {
      const slug = req.params.slug as string;
      const id = req.params.id as string;
      const token = text(req.query.token);
      const lang = languageOf(req);
      try {
        const body = await readForm(req, res);
        // Cancelling asks once more (a page, no script): the second press carries `confirm`.
        if (action === 'annuler' && body.confirm !== '1')
          return await showRegistration(req, res, 200, { token, askCancel: true });
        if (action === 'annuler') await registrations.cancel(id, token);
        else await registrations.confirm(id, token);
        // Post/redirect/get: a reload shows the page, it does not post again.
        const done = action === 'annuler' ? 'annulee' : 'confirmee';
        return res.redirect(303, `${withLanguage(registrationPath(slug, id, token), lang)}&fait=${done}`);
      } catch (e) {
        if (e instanceof AppError && e.status === 409)
          return await showRegistration(req, res, 409, { token, error: sentence(e.message) });
        if (e instanceof AppError && e.status < 500) return await showRegistration(req, res, e.status, { token });
        failure(req, res, context(lang, eventsPath(slug)), e);
      }
    });
  }

  // An event and its registration form.
  router.get('/evenements/:slug/:eventId', async (req, res) => {
    const slug = req.params.slug as string;
    const eventId = req.params.eventId as string;
    const ctx = context(languageOf(req), eventPath(slug, eventId));
    try {
      const found = await events.inOrganization(slug, eventId);
      if (!found) return notFound(req, res, ctx, EVENT_TEXT[ctx.lang].notFound);
      send(
        req,
        res,
        200,
        ctx,
        eventPageView(ctx, slug, found.town, found.event, {
          values: { consentReminders: true },
          errors: {},
          messages: [],
        }),
      );
    } catch (e) {
      failure(req, res, ctx, e);
    }
  });

  router.post('/evenements/:slug/:eventId', async (req, res) => {
    const slug = req.params.slug as string;
    const eventId = req.params.eventId as string;
    const ctx = context(languageOf(req), eventPath(slug, eventId));
    const t = EVENT_TEXT[ctx.lang];
    const state: RegistrationFormState = { values: {}, errors: {}, messages: [] };
    let status: number;
    try {
      const found = await events.inOrganization(slug, eventId);
      if (!found) return notFound(req, res, ctx, t.notFound);
      const body = await readForm(req, res);
      const answers: Record<string, string> = {};
      for (const q of found.event.questions) answers[q.id] = text(body[`answer-${q.id}`]);
      state.values = {
        name: text(body.name),
        email: text(body.email),
        phone: text(body.phone),
        places: text(body.places),
        consentReminders: body.consentReminders === 'on',
        answers,
        sessionId: text(body.sessionId) || undefined,
        channel: text(body.channel) || undefined,
      };
      try {
        const input = parseOr400(publicRegistrationSchema, { ...body, answers });
        const created = await registrations.register(eventId, input, req.ip ?? 'unknown');
        return res.redirect(303, `${withLanguage(registrationPath(slug, created.id, created.token), ctx.lang)}&nouvelle=1`);
      } catch (e) {
        if (!(e instanceof AppError) || e.status >= 500) throw e;
        status = e.status;
        if (e.code === 'rate_limited') {
          if (e.extra?.retryAfterSeconds) res.setHeader('Retry-After', String(e.extra.retryAfterSeconds));
          state.messages.push(t.tooMany);
        } else if (e.status !== 409 && e.details?.length) {
          placeDetails(e.details, state, found.event.maxPlacesPerRegistration, ctx.lang, found.event.questions);
        } else {
          state.messages.push(sentence(e.message));
        }
      }
      // The figures as they are now (the refusal may come from places taken meanwhile).
      const now = (await events.inOrganization(slug, eventId)) ?? found;
      send(req, res, status, ctx, eventPageView(ctx, slug, now.town, now.event, state));
    } catch (e) {
      if (e instanceof Error && (e as { status?: number }).status === 400) {
        return send(req, res, 400, ctx, messageView(ctx, t.refusedTitle, CITIZEN_TEXT[ctx.lang].public.errors.generic));
      }
      failure(req, res, ctx, e);
    }
  });

  return router;
}

/** The list's address with its filters (the language links keep them). */
function query(f: EventListFilters): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(f)) if (v) q.set(k, v);
  const s = q.toString();
  return s ? `?${s}` : '';
}

/** A 400's `field: reason` lines on the fields they name, in the citizen's words where they left it empty. */
function placeDetails(
  details: string[],
  state: RegistrationFormState,
  maxPlaces: number,
  lang: Language,
  questions: { id: string; label: string }[],
): void {
  const t = EVENT_TEXT[lang];
  const v = state.values;
  for (const line of details) {
    const match = /^([\w.-]+): (.*)$/.exec(line);
    const path = match?.[1] ?? '';
    const reason = sentence(match?.[2] ?? line);
    const key = path.startsWith('answers.') ? `answer-${path.slice('answers.'.length)}` : path;
    if (!match || (!['name', 'email', 'phone', 'places', 'sessionId', 'channel'].includes(key) && !key.startsWith('answer-'))) {
      state.messages.push(sentence(line));
      continue;
    }
    if (state.errors[key]) continue;
    if (key === 'name' && !v.name?.trim()) state.errors[key] = t.errors.name;
    else if (key === 'email' && !v.email?.trim() && !v.phone?.trim()) state.errors[key] = t.errors.contact;
    else if (key === 'places') state.errors[key] = fillText(t.errors.places, { max: maxPlaces });
    else if (key === 'sessionId' && !v.sessionId) state.errors[key] = t.errors_session;
    else if (key.startsWith('answer-')) {
      const q = questions.find((x) => `answer-${x.id}` === key);
      state.errors[key] = q && !v.answers?.[q.id]?.trim() ? fillText(t.errors.answer, { label: q.label }) : reason;
    } else state.errors[key] = reason;
  }
}
