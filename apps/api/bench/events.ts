import { randomBytes } from 'node:crypto';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { startDovecot } from '@guichet/testing';
import { BULK_SENDS_PER_SECOND } from '../src/config';
import { RegistrantNotices } from '../src/modules/municipal-events/registrant-notices.service';
import { Arrivals, type ArrivalsDone } from './lib/arrivals';
import { withBenchEnv, type BenchEnv, type Log } from './lib/env';
import { cpuMark, cpuSince } from './lib/cpu';
import { createAgents, createChannel, createOrganization, createTeams } from './lib/fixtures';
import { createEmailChannelOverApi } from './lib/mailbox';
import type { BenchResult } from './lib/report';
import { Standins, type StandinsCount } from './lib/standins';
import { countStatements } from './lib/statement-count';
import { count, ms, perSecond, seconds, summarize } from './lib/stats';
import { nowMs, sleep } from './lib/timing';
import { createSmsChannelOverApi, phoneOf, TWILIO_ACCOUNT } from './lib/twilio-webhooks';
import { WaitSampler } from './lib/wait-sampler';
import { WebhookLoad } from './lib/webhook-load';

/** `--part registrations` or `--part reminders`: only that half runs (a development run, never written to RESULTS.md). */
export type EventsPart = 'registrations' | 'reminders';

export interface EventsBenchOptions {
  /** Registrations for the popular event (one place each). */
  registrations: number;
  capacity: number;
  waitlistCapacity: number;
  /** The registrations arrive evenly over this time ("within a few seconds"). */
  spreadMs: number;
  /** p99 of a registration's answer, in ms. */
  targetP99Ms: number;
  /** Registrants reminded (half by e-mail, half by SMS). */
  reminders: number;
  /** The registrants are those of this many events, reminded one after another with quiet chunks between. */
  reminderBlocks: number;
  /** Inbound SMS webhooks per measured chunk of the ingest figure, and their concurrency. */
  ingestChunk: number;
  ingestConcurrency: number;
  /** Quiet chunks measured before each block of reminders and after the last. */
  quietChunks: number;
  /** The ingest during the reminders, at least this fraction of its quiet value. */
  targetIngestRatio: number;
  /** How long the reminders may take beyond their pace (BULK_SENDS_PER_SECOND) before the bench gives up. */
  deadlineMs: number;
  /** Only this half (both when unset). */
  part?: EventsPart;
}

export const EVENTS_DEFAULTS: EventsBenchOptions = {
  registrations: 1_000,
  capacity: 400,
  waitlistCapacity: 300,
  spreadMs: 3_000,
  targetP99Ms: 200,
  reminders: 10_000,
  reminderBlocks: 20,
  ingestChunk: 300,
  ingestConcurrency: 8,
  quietChunks: 6,
  targetIngestRatio: 0.9,
  deadlineMs: 10 * 60_000,
};

interface Allocation {
  confirmed: number;
  waitlisted: number;
  full: number;
  other: number;
  consistent: boolean;
  counters: string;
}

/** The answers of one event's registrations against its rows and counters. */
async function allocation(env: BenchEnv, o: EventsBenchOptions, eventId: string, run: ArrivalsDone): Promise<Allocation> {
  const confirmed = run.statuses.filter((s, i) => s === 201 && run.answers[i] === 'confirmed').length;
  const waitlisted = run.statuses.filter((s, i) => s === 201 && run.answers[i] === 'waitlisted').length;
  const full = run.statuses.filter((s) => s === 409).length;
  const other = run.statuses.length - confirmed - waitlisted - full;
  const { rows } = await env.db.query<{ booked: number; waiting: number; confirmed_rows: number; waitlisted_rows: number }>(
    `SELECT e.booked_places AS booked, e.waitlisted_places AS waiting,
            (SELECT count(*)::int FROM municipal_event_registration r WHERE r.event_id = e.id AND r.status = 'confirmed') AS confirmed_rows,
            (SELECT count(*)::int FROM municipal_event_registration r WHERE r.event_id = e.id AND r.status = 'waitlisted') AS waitlisted_rows
       FROM municipal_event e WHERE e.id = $1`,
    [eventId],
  );
  const c = rows[0]!;
  const n = run.statuses.length;
  const expectedConfirmed = Math.min(o.capacity, n);
  const expectedWaitlisted = Math.min(o.waitlistCapacity, n - expectedConfirmed);
  return {
    confirmed,
    waitlisted,
    full,
    other,
    consistent:
      other === 0 &&
      confirmed === expectedConfirmed &&
      waitlisted === expectedWaitlisted &&
      c.booked === confirmed &&
      c.confirmed_rows === confirmed &&
      c.waiting === waitlisted &&
      c.waitlisted_rows === waitlisted &&
      c.booked <= o.capacity,
    counters: `${c.booked}/${o.capacity} booked, ${c.waiting}/${o.waitlistCapacity} waiting`,
  };
}

/** What the registrations over `spreadMs` cost, counted while they ran (counts, less noisy than times on a shared machine). */
interface RegistrationCosts {
  /** CPU of the bench process, which runs the app (the citizens are in the arrivals child). */
  appCpuMs: number;
  databaseCpuMs: number;
  /** Statements the app's pool sent, by kind (statement-count.ts). */
  statements: number;
  byKind: [string, number][];
  /** The app's event-loop delay (perf_hooks, 5 ms resolution). */
  loopDelayP99Ms: number;
  loopDelayMaxMs: number;
  /** pg_stat_activity of the app's connections, sampled (wait-sampler.ts). */
  waits: string;
  lockWaits: number;
}

interface RegistrationsRun {
  http: ArrivalsDone;
  sql: ArrivalsDone;
  check: Allocation;
  costs: RegistrationCosts;
}

interface RegistrationsHalf {
  /** Through the proxy's kept-alive connections: the target. */
  spread: RegistrationsRun;
  /** The same, each request on a connection of its own to the app (no proxy in front). */
  direct: Omit<RegistrationsRun, 'sql'>;
  atOnce: RegistrationsRun;
  server: string;
}

/**
 * Idle connections a reverse proxy keeps to each instance (deploy/nginx.conf's upstream
 * `keepalive`): in production the app sees those, never a connection per browser. Node accepts
 * one new connection per event-loop iteration (libuv since 1.45, "don't accept() connections in
 * a loop"), so at 333 new connections a second a busy app leaves them waiting in the kernel's
 * accept queue for longer and longer (measured: 200+ waiting, ~0.9 s, while the app answered each
 * in 20–30 ms once accepted); the `direct` run shows that figure.
 */
const PROXY_KEEPALIVE = 32;

/** `fn` run with its costs counted (RegistrationCosts). */
async function withCosts<T>(env: BenchEnv, fn: () => Promise<T>): Promise<{ result: T; costs: RegistrationCosts }> {
  const sampler = new WaitSampler(env.db);
  const loop = monitorEventLoopDelay({ resolution: 5 });
  let result!: T;
  const mark = cpuMark();
  sampler.start();
  loop.enable();
  const statements = await countStatements(async () => {
    result = await fn();
  });
  loop.disable();
  await sampler.stop();
  const cpu = cpuSince(mark);
  return {
    result,
    costs: {
      appCpuMs: cpu.processMs,
      databaseCpuMs: cpu.databaseMs,
      statements: statements.total,
      byKind: statements.byKind,
      loopDelayP99Ms: loop.percentile(99) / 1e6,
      loopDelayMaxMs: loop.max / 1e6,
      waits: sampler.describe(),
      lockWaits: sampler.lockWaits,
    },
  };
}

/** The costs of `n` registrations, per registration, in a line of the notes. */
function describeCosts(c: RegistrationCosts, n: number): string {
  const each = (v: number) => (v / n).toFixed(2);
  const kinds = c.byKind
    .slice(0, 6)
    .map(([k, v]) => `${v} × ${k}`)
    .join('; ');
  return (
    `per registration: app process CPU ${each(c.appCpuMs)} ms, database CPU ${each(c.databaseCpuMs)} ms, ` +
    `${each(c.statements)} statements of the app's pool (${count(c.statements)} in all: ${kinds}); ` +
    `app event-loop delay p99 ${ms(c.loopDelayP99Ms)}, max ${ms(c.loopDelayMaxMs)}; ` +
    `the app's connections in pg_stat_activity every 10 ms: ${c.waits}`
  );
}

/**
 * The summer camp opening: `registrations` citizens post their registration through the public
 * HTTP API, one place each, for an event with fewer places than citizens and a waiting list;
 * they arrive evenly over `spreadMs` (the target), then, on another event, all at the same moment
 * (not the target). The requests come from a child process (the citizens are elsewhere), through
 * a proxy's kept-alive connections (PROXY_KEEPALIVE; once more, not the target, each on a connection
 * of its own), timed from its start to the last byte of its answer, and checked: 201
 * confirmed or waitlisted, or 409 full; the rows and the event's counters are recounted after.
 * Baseline, driven the same way from the same child: as many bare SQL INSERTs of a registration
 * row (another event, no lock, no check, no notice job) through a pool the app's size.
 */
async function registrationsHalf(o: EventsBenchOptions, log: Log): Promise<RegistrationsHalf> {
  return withBenchEnv(
    log,
    async (env) => {
      const organizationId = await createOrganization(env.db);
      const [teamId] = await createTeams(env.db, organizationId, ['Vie sportive']);
      await createChannel(env.db, organizationId, teamId!, 'email');
      const [agent] = await createAgents(env.db, { organizationId, role: 'agent', teamIds: [teamId!], count: 1 });
      const create = async (title: string) => {
        const res = await fetch(`${env.app.url}/api/v1/events`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${agent!.token}` },
          body: JSON.stringify({
            teamId,
            title,
            place: 'Gymnase municipal',
            startsAt: new Date(Date.now() + 30 * 24 * 3600_000).toISOString(),
            capacity: o.capacity,
            waitlistCapacity: o.waitlistCapacity,
            maxPlacesPerRegistration: 1,
            published: true,
          }),
        });
        if (res.status !== 201) throw new Error(`event not created: ${res.status} ${await res.text()}`);
        return ((await res.json()) as { id: string }).id;
      };
      const arrivals = Arrivals.start();
      try {
        const n = o.registrations;
        const post = async (spreadMs: number, tag: string, proxyConnections?: number) => {
          const eventId = await create(`Ouverture des inscriptions du centre de loisirs (${tag})`);
          log(
            `events: ${n} registrations ${spreadMs ? `over ${seconds(spreadMs)}` : 'at once'} through HTTP, ` +
              (proxyConnections ? `${proxyConnections} kept-alive connections (a proxy's)` : 'a connection each'),
          );
          const { result: http, costs } = await withCosts(env, () =>
            arrivals.run({
              type: 'http',
              url: `${env.app.url}/api/v1/public/events/${eventId}/registrations`,
              proxyConnections,
              bodies: Array.from({ length: n }, (_, i) =>
                JSON.stringify({
                  name: `Parent ${i}`,
                  email: `parent.${tag}.${i}@exemple.fr`,
                  places: 1,
                  consentReminders: true,
                }),
              ),
              spreadMs,
              timeoutMs: 60_000,
            }),
          );
          log(`events: ${describeCosts(costs, n)}`);
          return { http, costs, check: await allocation(env, o, eventId, http) };
        };
        const run = async (spreadMs: number, tag: string): Promise<RegistrationsRun> => {
          const registrations = await post(spreadMs, tag, PROXY_KEEPALIVE);
          const baselineEventId = await create(`Référence SQL (${tag})`);
          log(`events: as many bare SQL INSERTs ${spreadMs ? `over ${seconds(spreadMs)}` : 'at once'}`);
          const sql = await arrivals.run({
            type: 'sql',
            databaseUrl: env.databaseUrl,
            sql: `INSERT INTO municipal_event_registration (organization_id, event_id, session_id, name, email, places, status)
                  VALUES ($1, $2, $2, $3, $4, 1, 'confirmed')`,
            params: Array.from({ length: n }, (_, i) => [
              organizationId,
              baselineEventId,
              `Parent ${i}`,
              `parent.${tag}.${i}@exemple.fr`,
            ]),
            poolSize: 10,
            spreadMs,
            timeoutMs: 60_000,
          });
          if (sql.statuses.some((s) => s !== 1)) throw new Error(`bare INSERTs failed: ${sql.firstError}`);
          return { ...registrations, sql };
        };
        const spread = await run(o.spreadMs, 'spread');
        const direct = await post(o.spreadMs, 'direct');
        const atOnce = await run(0, 'once');
        return { spread, direct, atOnce, server: env.server };
      } finally {
        await arrivals.close();
      }
    },
    { publicRequestsPerHour: 1_000_000 },
  );
}

interface RemindersHalf {
  reminders: number;
  /** The app's bulk pace, per second (0: unpaced). */
  pace: number;
  scheduledMs: number;
  /** Each block's time from its scheduling to its last reminder received by a stand-in, summed (the quiet windows not in it). */
  sentMs: number;
  byMail: number;
  bySms: number;
  exactlyOnce: boolean;
  missing: number;
  duplicates: number;
  blocks: number;
  /** Claimed by the bench's calls of the sweep (the minute sweep may take some first). */
  scheduled: number;
  /** Webhooks and time of each quiet window (before each block, after the last); `loaded`: of the chunks run entirely during the blocks. */
  quiet: { webhooks: number; ms: number }[];
  loaded: { webhooks: number; ms: number };
  ingestLatencies: { quiet: number[]; loaded: number[] };
  /** From the first quiet window to the last, the inbound SMS included (as RegistrationCosts). */
  costs: Pick<RegistrationCosts, 'appCpuMs' | 'databaseCpuMs' | 'statements' | 'byKind' | 'waits'>;
}

const SMS_TEXT = 'Bonjour, le stationnement est-il autorisé rue des Écoles pendant la brocante de dimanche ?';
export const REMINDER_PREFIX = 'Rappel';

/**
 * `n` registrants of an event starting in 90 minutes (`startsIn`), registered two days ago with
 * consent to reminders, each with their contact and file (as the notice job leaves them): even
 * ones by e-mail, odd ones by phone only (`first`: the number of the first). One statement (the
 * foreign keys are checked at its end).
 */
export async function seedRegistrants(
  env: BenchEnv,
  organizationId: string,
  teamId: string,
  n: number,
  { startsIn = '90 minutes', first = 0 } = {},
): Promise<string> {
  const { rows } = await env.db.query<{ id: string }>(
    `WITH e AS (
       INSERT INTO municipal_event (organization_id, team_id, title, place, starts_at, capacity, published, reminder_minutes, booked_places)
       VALUES ($1, $2, 'Banquet des aînés', 'Salle des fêtes', now() + $4::interval, $3, true, '{120}', $3)
       RETURNING id, organization_id, starts_at, ends_at, capacity, waitlist_capacity, booked_places)
       INSERT INTO municipal_event_session (id, organization_id, event_id, starts_at, ends_at, capacity, waitlist_capacity, booked_places)
       SELECT id, organization_id, id, starts_at, ends_at, capacity, waitlist_capacity, booked_places FROM e RETURNING id`,
    [organizationId, teamId, n, startsIn],
  );
  const eventId = rows[0]!.id;
  await env.db.query(
    `WITH s AS MATERIALIZED (
       SELECT n, gen_random_uuid() AS contact_id, gen_random_uuid() AS identity_id, gen_random_uuid() AS conversation_id,
              CASE WHEN n % 2 = 0 THEN 'email' ELSE 'phone' END AS kind,
              CASE WHEN n % 2 = 0 THEN 'inscrit.' || n || '@exemple.fr' ELSE '+3367' || lpad(n::text, 7, '0') END AS value
         FROM generate_series($6::int, $6::int + $4 - 1) AS n),
     contacts AS (INSERT INTO contact (id, organization_id, name) SELECT contact_id, $1, 'Inscrit ' || n FROM s),
     identities AS (INSERT INTO contact_identity (id, organization_id, contact_id, kind, value)
                    SELECT identity_id, $1, contact_id, kind, value FROM s),
     files AS (INSERT INTO conversation (id, organization_id, reference, contact_id, team_id, status, subject, citizen_name,
                                         identity_ids, created_at, last_message_at)
               SELECT conversation_id, $1, 'EV-' || $5 || '-' || n, contact_id, $2, 'resolved',
                      'Inscription : Banquet des aînés', 'Inscrit ' || n, ARRAY[identity_id],
                      now() - interval '2 days', now() - interval '2 days' FROM s)
     INSERT INTO municipal_event_registration (organization_id, event_id, session_id, name, email, phone, places, consent_reminders,
                                               status, contact_id, conversation_id, created_at, notified)
     SELECT $1, $3, $3, 'Inscrit ' || n, CASE WHEN kind = 'email' THEN value END, CASE WHEN kind = 'phone' THEN value END,
            1, true, 'confirmed', contact_id, conversation_id, now() - interval '2 days', '{registered}'
       FROM s`,
    [organizationId, teamId, eventId, n, randomBytes(3).toString('hex'), first],
  );
  return eventId;
}

/**
 * A town whose registrants are reminded through the stand-ins: Dovecot with the service's mailbox,
 * the Twilio and SMTP stand-ins, the app (its jobs running) with an organization, one service and
 * its e-mail and SMS channels. All is closed once `fn` is done.
 */
export async function withReminderTown<T>(
  log: Log,
  fn: (town: {
    env: BenchEnv;
    standins: Standins;
    organizationId: string;
    teamId: string;
    smsChannel: Awaited<ReturnType<typeof createSmsChannelOverApi>>;
  }) => Promise<T>,
): Promise<T> {
  const dovecot = await startDovecot();
  try {
    const box = await dovecot.addUser('vie-sportive');
    const authToken = randomBytes(16).toString('hex');
    const standins = await Standins.start({
      twilioAccount: TWILIO_ACCOUNT,
      twilioAuthToken: authToken,
      smtpUser: box.user,
      smtpPassword: box.password,
    });
    try {
      return await withBenchEnv(
        log,
        async (env) => {
          const organizationId = await createOrganization(env.db);
          const [teamId] = await createTeams(env.db, organizationId, ['Action sociale']);
          await createEmailChannelOverApi(env, dovecot, box, organizationId, teamId!, {
            port: standins.smtpPort,
            user: box.user,
            password: box.password,
          });
          const smsChannel = await createSmsChannelOverApi(env, organizationId, teamId!, {
            apiBaseUrl: standins.twilioUrl,
            authToken,
          });
          return fn({ env, standins, organizationId, teamId: teamId!, smsChannel });
        },
        { runJobs: true },
      );
    } finally {
      await standins.close();
    }
  } finally {
    await dovecot.close();
  }
}

/**
 * The reminders of `reminders` registrants go out (scheduled by RegistrantNotices.sendDueReminders,
 * as the minute sweep does, sent by the outbound jobs through the Twilio and SMTP stand-ins on
 * their own thread) while inbound SMS webhooks arrive from a worker thread, `ingestConcurrency` in
 * flight: the ingest figure (webhooks stored and acknowledged per second) is measured in chunks.
 * The registrants are those of `reminderBlocks` events, each made due once the previous one's
 * reminders are all received, with `quietChunks` chunks before each and after the last: the quiet
 * figure is read across the whole run, as the loaded one. Each reminder is counted at the stand-ins.
 */
async function remindersHalf(o: EventsBenchOptions, log: Log): Promise<RemindersHalf & { server: string }> {
  return withReminderTown(log, async ({ env, standins, organizationId, teamId, smsChannel: channel }) => {
    const seedStart = nowMs();
    const per = Math.ceil(o.reminders / o.reminderBlocks);
    const events: { id: string; n: number }[] = [];
    for (let first = 0; first < o.reminders; first += per) {
      const n = Math.min(per, o.reminders - first);
      // Not due until its block: it starts in a month.
      events.push({ id: await seedRegistrants(env, organizationId, teamId, n, { startsIn: '30 days', first }), n });
    }
    log(`events: ${count(o.reminders)} registrants of ${events.length} events seeded (${seconds(nowMs() - seedStart)})`);
    const recipients = await env.db.query<{ email: string | null; phone: string | null }>(
      `SELECT email, phone FROM municipal_event_registration WHERE event_id = ANY($1::uuid[])`,
      [events.map((e) => e.id)],
    );

    // The reminders leave at the installation's bulk pace (BULK_SENDS_PER_SECOND, 0: unpaced).
    const pace = env.config.bulkSendsPerSecond ?? BULK_SENDS_PER_SECOND;
    const deadlineMs = o.deadlineMs + (pace ? (o.reminders / pace) * 1000 : 0);
    const load = new WebhookLoad(env, channel, o.ingestConcurrency, deadlineMs);
    let sent = 0;
    const chunk = () =>
      Array.from({ length: o.ingestChunk }, () => {
        const i = sent++;
        // The same mix in every chunk, so quiet and loaded chunks compare: each citizen writes 5 SMS
        // (a new file, then 4 appends 40 to 160 messages apart: never two in flight), a fifth of the
        // chunk new files. With 500 citizens writing again and again, « before » and « after » the
        // reminders read 684 and 984/s in one run: their files grew to ~1,300 messages each along the
        // run, so what an append costs (it rewrites its file's search document) moved under the figure.
        return {
          from: phoneOf(Math.max(0, Math.floor(i / 5) - 8 * (i % 5))),
          sid: `SM${String(i).padStart(32, '0')}`,
          body: SMS_TEXT,
        };
      });
    const quiet: RemindersHalf['quiet'] = [];
    const loaded = { webhooks: 0, ms: 0 };
    const latencies = { quiet: [] as number[], loaded: [] as number[] };
    const measureQuiet = async () => {
      const window = { webhooks: 0, ms: 0 };
      for (let c = 0; c < o.quietChunks; c++) {
        const r = await load.run(chunk(), o.ingestConcurrency);
        window.webhooks += r.latencies.length;
        window.ms += r.elapsedMs;
        latencies.quiet.push(...r.latencies);
      }
      quiet.push(window);
    };
    let counted: StandinsCount | null = null;
    const reminded = (c: StandinsCount) =>
      Object.values(c.mail).reduce((a, b) => a + b, 0) + Object.values(c.sms).reduce((a, b) => a + b, 0);
    let scheduled = 0;
    let scheduledMs = 0;
    let sentMs = 0;
    let costs: RemindersHalf['costs'] | undefined;
    try {
      log(`events: warm-up (${o.quietChunks * 2} × ${o.ingestChunk} inbound SMS webhooks)`);
      // The seeded rows vacuumed and analyzed now, not by autovacuum during the first chunks.
      await env.db.query('VACUUM (ANALYZE)');
      for (let c = 0; c < o.quietChunks * 2; c++) await load.run(chunk(), o.ingestConcurrency);

      log(`events: ${count(o.reminders)} reminders in ${events.length} blocks while the inbound SMS keep arriving`);
      const notices = env.app.app.get(RegistrantNotices);
      const sampler = new WaitSampler(env.db, 'guichet', 50);
      const mark = cpuMark();
      sampler.start();
      const statements = await countStatements(async () => {
        const started = nowMs();
        let expected = 0;
        for (const event of events) {
          await measureQuiet();
          // The event now starts in 90 minutes: its 2-hours-before reminders are due.
          await env.db.query(
            `WITH e AS (UPDATE municipal_event SET starts_at = now() + interval '90 minutes' WHERE id = $1 RETURNING starts_at)
             UPDATE municipal_event_session SET starts_at = (SELECT starts_at FROM e) WHERE event_id = $1`,
            [event.id],
          );
          expected += event.n;
          const blockStart = nowMs();
          let done = false;
          // The minute sweep may claim some first (then `scheduled` is short of them: shown in the table).
          const scheduling = notices.sendDueReminders().then((n) => {
            scheduledMs += nowMs() - blockStart;
            scheduled += n;
          });
          const watching = (async () => {
            while (nowMs() - started < deadlineMs) {
              counted = await standins.count(REMINDER_PREFIX);
              if (reminded(counted) >= expected) break;
              await sleep(250);
            }
            done = true;
          })();
          while (!done) {
            const r = await load.run(chunk(), o.ingestConcurrency);
            // Only chunks run entirely while reminders were going out.
            if (done) break;
            loaded.webhooks += r.latencies.length;
            loaded.ms += r.elapsedMs;
            latencies.loaded.push(...r.latencies);
          }
          await scheduling;
          await watching;
          sentMs += nowMs() - blockStart;
          if (counted && reminded(counted) < expected) break; // past the deadline
        }
        await measureQuiet();
      });
      await sampler.stop();
      const cpu = cpuSince(mark);
      costs = {
        appCpuMs: cpu.processMs,
        databaseCpuMs: cpu.databaseMs,
        statements: statements.total,
        byKind: statements.byKind,
        waits: sampler.describe(),
      };
    } finally {
      await load.close();
    }
    // A re-run of the sweep sends nothing more; late duplicates would have arrived by now.
    const rerun = await env.app.app.get(RegistrantNotices).sendDueReminders();
    await sleep(2_000);
    const final = await standins.count(REMINDER_PREFIX);
    let missing = 0;
    let duplicates = rerun;
    for (const r of recipients.rows) {
      const n = r.email ? (final.mail[r.email] ?? 0) : (final.sms[r.phone!] ?? 0);
      if (n === 0) missing++;
      if (n > 1) duplicates += n - 1;
    }
    const byMail = Object.values(final.mail).reduce((a, b) => a + b, 0);
    const bySms = Object.values(final.sms).reduce((a, b) => a + b, 0);
    return {
      reminders: o.reminders,
      pace,
      blocks: events.length,
      scheduled,
      scheduledMs,
      sentMs,
      byMail,
      bySms,
      exactlyOnce: missing === 0 && duplicates === 0 && byMail + bySms === o.reminders,
      missing,
      duplicates,
      quiet,
      loaded,
      ingestLatencies: latencies,
      costs: costs!,
      server: env.server,
    };
  });
}

interface HalfResult {
  rows: BenchResult['rows'];
  target: string;
  measured: string;
  pass: boolean;
  notes: string[];
  server: string;
}

function registrationsResult(o: EventsBenchOptions, regs: RegistrationsHalf): HalfResult {
  const { spread, direct, atOnce } = regs;
  const a = summarize(spread.http.latencies);
  const d = summarize(direct.http.latencies);
  const b = summarize(spread.sql.latencies);
  const a0 = summarize(atOnce.http.latencies);
  const b0 = summarize(atOnce.sql.latencies);
  const c = spread.check;
  const spreadLabel = seconds(o.spreadMs);
  return {
    rows: [
      { metric: 'registrations: requests', values: [count(spread.http.latencies.length), count(spread.sql.latencies.length)] },
      {
        metric: `registrations over ${spreadLabel}: all answered in`,
        values: [seconds(spread.http.elapsedMs), seconds(spread.sql.elapsedMs)],
      },
      { metric: `registrations over ${spreadLabel}: p50`, values: [ms(a.p50), ms(b.p50)] },
      { metric: `registrations over ${spreadLabel}: p99`, values: [ms(a.p99), ms(b.p99)] },
      { metric: `registrations over ${spreadLabel}: max`, values: [ms(a.max), ms(b.max)] },
      {
        metric: `the same, a connection each to the app (not the target): p50 / p99`,
        values: [`${ms(d.p50)} / ${ms(d.p99)}`, '—'],
      },
      {
        metric: 'all at once (not the target): p50 / p99',
        values: [`${ms(a0.p50)} / ${ms(a0.p99)}`, `${ms(b0.p50)} / ${ms(b0.p99)}`],
      },
    ],
    target: `registrations over ${spreadLabel}: p99 ≤ ${o.targetP99Ms} ms, every request answered, capacity never exceeded`,
    measured: `p99 ${ms(a.p99)}; ${count(c.confirmed)} confirmed, ${count(c.waitlisted)} waitlisted, ${count(c.full)} full (409), ${count(c.other)} other; counters ${c.counters}`,
    pass: spread.check.consistent && direct.check.consistent && atOnce.check.consistent && a.p99 <= o.targetP99Ms,
    notes: [
      `one event of ${o.capacity} places and a waiting list of ${o.waitlistCapacity}, one place per registration; the ${count(o.registrations)} requests arrive evenly over ${spreadLabel} (one every ${ms(o.spreadMs / o.registrations)}) from a child process (the citizens are elsewhere: the app's event loop does not also run them), through ${PROXY_KEEPALIVE} kept-alive connections opened beforehand, more opened while all are busy — as nginx's upstream \`keepalive ${PROXY_KEEPALIVE}\` carries every browser's request to the app in production (deploy/nginx.conf); latest start behind schedule ${ms(spread.http.maxLatenessMs)}; the registrations of one event that arrive together share one transaction (group commit), so the latency includes the wait for the group in flight`,
      `over ${spreadLabel}, ${describeCosts(spread.costs, spread.http.latencies.length)}`,
      `a connection each to the app (not the target): the same on another event, each request on a new connection, as when no proxy stands in front: p50 ${ms(d.p50)}, p99 ${ms(d.p99)}, answered in ${seconds(direct.http.elapsedMs)}. Node accepts one new connection per event-loop iteration (libuv ≥ 1.45), so while the app is busy new connections wait in the kernel's accept queue; ${describeCosts(direct.costs, direct.http.latencies.length)}`,
      `all at once (not the target): the same on another event, all ${count(o.registrations)} requests started at the same moment: answered in ${seconds(atOnce.http.elapsedMs)}, max ${ms(a0.max)}; allocation ${atOnce.check.confirmed}/${atOnce.check.waitlisted}/${atOnce.check.full}/${atOnce.check.other} (confirmed/waitlisted/full/other)`,
      `checked after each: the answers match the rows and the event's counters (${spread.check.consistent ? 'yes' : 'NO'} over ${spreadLabel}, ${direct.check.consistent ? 'yes' : 'NO'} with a connection each, ${atOnce.check.consistent ? 'yes' : 'NO'} at once)`,
      'each registration also writes its notice job (the citizen file and message are written by the job, after the answer); jobs do not run in this half',
      `the baseline is the same number of single-row INSERTs from the same child process on the same schedule, through a pool of 10 connections (the app pool size), on another event: no lock, no check, no job`,
    ],
    server: regs.server,
  };
}

function remindersResult(o: EventsBenchOptions, rem: RemindersHalf & { server: string }): HalfResult {
  // Quiet windows between the blocks, so that a stall (a checkpoint, autovacuum) or the tables'
  // growth weighs on both figures alike: with 10 quiet chunks before and 10 after 1,000 s of
  // reminders, a run sending one reminder a second read 86.2 % (632/s before, 516/s after).
  const rate = (w: { webhooks: number; ms: number }) => (w.ms ? (w.webhooks / w.ms) * 1000 : 0);
  const quietRate = rate({
    webhooks: rem.quiet.reduce((a, w) => a + w.webhooks, 0),
    ms: rem.quiet.reduce((a, w) => a + w.ms, 0),
  });
  const windows = rem.quiet.map(rate);
  const loadedRate = rate(rem.loaded);
  const ingestRatio = loadedRate / quietRate;
  const q = summarize(rem.ingestLatencies.quiet);
  const l = rem.ingestLatencies.loaded.length ? summarize(rem.ingestLatencies.loaded) : null;
  return {
    rows: [
      {
        metric: 'reminders scheduled in',
        values: [
          `${seconds(rem.scheduledMs)} (${rem.blocks} sweeps${rem.scheduled < rem.reminders ? `; the minute sweep took ${count(rem.reminders - rem.scheduled)}` : ''})`,
          '—',
        ],
      },
      {
        metric: 'reminders received by the stand-ins in (the blocks, summed)',
        values: [
          `${seconds(rem.sentMs)} (${perSecond((rem.reminders / rem.sentMs) * 1000)}, ${rem.pace ? `paced at ${perSecond(rem.pace)}` : 'unpaced'})`,
          '—',
        ],
      },
      {
        metric: 'inbound SMS webhooks stored: quiet / during reminders',
        values: [
          `${perSecond(quietRate)} (${windows.length} windows: ${perSecond(Math.min(...windows))} to ${perSecond(Math.max(...windows))}) / ${perSecond(loadedRate)}`,
          '—',
        ],
      },
      {
        metric: 'inbound SMS acknowledgement p99: quiet / during reminders',
        values: [`${ms(q.p99)} / ${l ? ms(l.p99) : '—'}`, '—'],
      },
    ],
    target: `each reminder sent exactly once; inbound SMS ingest during the reminders ≥ ${Math.round(o.targetIngestRatio * 100)} % of its quiet value`,
    measured: `reminders ${count(rem.byMail)} e-mails + ${count(rem.bySms)} SMS, ${count(rem.missing)} missing, ${count(rem.duplicates)} duplicated; ingest ${(ingestRatio * 100).toFixed(1)} % of quiet`,
    pass: rem.exactlyOnce && rem.loaded.webhooks > 0 && ingestRatio >= o.targetIngestRatio,
    notes: [
      `reminders: ${count(o.reminders)} registrants of ${rem.blocks} events, each made due in its turn (it then starts in 90 minutes, reminder 2 h before) once the reminders of the one before are all received, half by e-mail (SMTP capture), half by SMS only (Twilio stand-in), the stand-ins on a worker thread accepting as fast as they are sent to, the app sending them at its bulk pace (BULK_SENDS_PER_SECOND: ${rem.pace ? `${rem.pace}/s` : 'unpaced'}, default ${BULK_SENDS_PER_SECOND}/s, so that bulk sends leave the machine to the citizens' messages); scheduled by RegistrantNotices.sendDueReminders() (the minute sweep's work: claims in batches of 200, each with its message and outbound job), once per event, sent by the outbound jobs; counted per recipient at the stand-ins: ${rem.exactlyOnce ? 'each exactly once' : 'NOT exactly once'} (a re-run of the sweep after them scheduled ${rem.duplicates} more)`,
      `from the first quiet window to the last (the inbound SMS included): app process CPU ${seconds(rem.costs.appCpuMs)}, database CPU ${seconds(rem.costs.databaseCpuMs)}; ${count(rem.costs.statements)} statements of the app's pool (${rem.costs.byKind
        .slice(0, 8)
        .map(([k, v]) => `${count(v)} × ${k}`)
        .join('; ')}); the app's connections in pg_stat_activity every 50 ms: ${rem.costs.waits}`,
      `ingest figure: signed inbound SMS webhooks from a worker thread (each citizen 5 SMS: a new file and 4 replies to it, a fifth of each chunk new files), ${o.ingestConcurrency} in flight, in chunks of ${o.ingestChunk}; quiet = the rate of ${o.quietChunks} chunks before each event's reminders and ${o.quietChunks} after the last (${count(rem.quiet.reduce((a, w) => a + w.webhooks, 0))} webhooks), during = the chunks run entirely while reminders were going out (${count(rem.loaded.webhooks)} webhooks); ${(ingestRatio * 100).toFixed(1)} % (target ≥ ${Math.round(o.targetIngestRatio * 100)} %)`,
    ],
    server: rem.server,
  };
}

export async function benchEvents(o: EventsBenchOptions, log: Log): Promise<BenchResult> {
  const halves: HalfResult[] = [];
  if (o.part !== 'reminders') halves.push(registrationsResult(o, await registrationsHalf(o, log)));
  if (o.part !== 'registrations') halves.push(remindersResult(o, await remindersHalf(o, log)));
  const spreadLabel = seconds(o.spreadMs);
  const title = {
    registrations: `${count(o.registrations)} registrations over ${spreadLabel} through the HTTP API`,
    reminders: `${count(o.reminders)} reminders while SMS arrive`,
  };
  return {
    id: 'events',
    title: `Municipal events: ${o.part ? title[o.part] : `${title.registrations}; ${title.reminders}`}`,
    columns: ['Guichet', 'baseline'],
    rows: halves.flatMap((h) => h.rows),
    target: halves.map((h) => h.target).join('; '),
    measured: halves.map((h) => h.measured).join('; '),
    pass: halves.every((h) => h.pass),
    notes: halves.flatMap((h) => h.notes),
    server: halves[0]!.server,
  };
}
