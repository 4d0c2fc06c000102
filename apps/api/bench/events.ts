import { Pool } from 'pg';
import { withBenchEnv, type Log } from './lib/env';
import { createAgents, createChannel, createOrganization, createTeams } from './lib/fixtures';
import type { BenchResult } from './lib/report';
import { count, ms, seconds, summarize } from './lib/stats';
import { nowMs } from './lib/timing';

export interface EventsBenchOptions {
  /** Registrations sent at once for the popular event (one place each). */
  registrations: number;
  capacity: number;
  waitlistCapacity: number;
  /** p99 of a registration's answer, in ms. */
  targetP99Ms: number;
}

export const EVENTS_DEFAULTS: EventsBenchOptions = {
  registrations: 1_000,
  capacity: 400,
  waitlistCapacity: 300,
  targetP99Ms: 200,
};

/**
 * The summer camp opening: `registrations` citizens post their registration through the public
 * HTTP API at the same moment, one place each, for an event with fewer places than citizens and a
 * waiting list. Every answer is timed (from the request's start to its last byte) and checked:
 * 201 confirmed or waitlisted, or 409 full; the rows and the event's counters are recounted after.
 * Baseline in the same run: the same number of bare SQL INSERTs of a registration row (another
 * event, no lock, no check, no notice job), sent at once through a pool the app's size.
 */
export async function benchEvents(o: EventsBenchOptions, log: Log): Promise<BenchResult> {
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
      const eventId = await create('Ouverture des inscriptions du centre de loisirs');
      const baselineEventId = await create('Référence SQL');

      log(`events: ${o.registrations} registrations at once through HTTP, then as many bare SQL INSERTs`);
      const register = async (i: number) => {
        const start = nowMs();
        const res = await fetch(`${env.app.url}/api/v1/public/events/${eventId}/registrations`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ name: `Parent ${i}`, email: `parent.${i}@exemple.fr`, places: 1, consentReminders: true }),
        });
        const body = (await res.json()) as { status?: string };
        return { ms: nowMs() - start, http: res.status, status: body.status };
      };
      const started = nowMs();
      const answers = await Promise.all(Array.from({ length: o.registrations }, (_, i) => register(i)));
      const elapsedMs = nowMs() - started;

      const raw = new Pool({ connectionString: env.databaseUrl, max: 10, application_name: 'guichet-bench-raw' });
      let rawLatencies: number[];
      let rawElapsed: number;
      try {
        await raw.query('SELECT 1');
        const rawStarted = nowMs();
        rawLatencies = await Promise.all(
          Array.from({ length: o.registrations }, async (_, i) => {
            const start = nowMs();
            await raw.query(
              `INSERT INTO municipal_event_registration (organization_id, event_id, name, email, places, status)
               VALUES ($1, $2, $3, $4, 1, 'confirmed')`,
              [organizationId, baselineEventId, `Parent ${i}`, `parent.${i}@exemple.fr`],
            );
            return nowMs() - start;
          }),
        );
        rawElapsed = nowMs() - rawStarted;
      } finally {
        await raw.end();
      }

      const confirmed = answers.filter((a) => a.http === 201 && a.status === 'confirmed').length;
      const waitlisted = answers.filter((a) => a.http === 201 && a.status === 'waitlisted').length;
      const full = answers.filter((a) => a.http === 409).length;
      const other = answers.length - confirmed - waitlisted - full;
      const { rows } = await env.db.query<{ booked: number; waiting: number; confirmed_rows: number; waitlisted_rows: number }>(
        `SELECT e.booked_places AS booked, e.waitlisted_places AS waiting,
                (SELECT count(*)::int FROM municipal_event_registration r WHERE r.event_id = e.id AND r.status = 'confirmed') AS confirmed_rows,
                (SELECT count(*)::int FROM municipal_event_registration r WHERE r.event_id = e.id AND r.status = 'waitlisted') AS waitlisted_rows
           FROM municipal_event e WHERE e.id = $1`,
        [eventId],
      );
      const c = rows[0]!;
      const expectedConfirmed = Math.min(o.capacity, o.registrations);
      const expectedWaitlisted = Math.min(o.waitlistCapacity, o.registrations - expectedConfirmed);
      const consistent =
        other === 0 &&
        confirmed === expectedConfirmed &&
        waitlisted === expectedWaitlisted &&
        c.booked === confirmed &&
        c.confirmed_rows === confirmed &&
        c.waiting === waitlisted &&
        c.waitlisted_rows === waitlisted &&
        c.booked <= o.capacity;
      const a = summarize(answers.map((x) => x.ms));
      const b = summarize(rawLatencies);
      return {
        id: 'events',
        title: `Municipal event registrations: ${count(o.registrations)} at once through the HTTP API`,
        columns: ['POST /public/events/:id/registrations', 'bare SQL INSERT of a registration'],
        rows: [
          { metric: 'requests', values: [count(answers.length), count(rawLatencies.length)] },
          { metric: 'all answered in', values: [seconds(elapsedMs), seconds(rawElapsed)] },
          { metric: 'latency p50', values: [ms(a.p50), ms(b.p50)] },
          { metric: 'latency p99', values: [ms(a.p99), ms(b.p99)] },
          { metric: 'latency max', values: [ms(a.max), ms(b.max)] },
        ],
        target: `p99 ≤ ${o.targetP99Ms} ms, every request answered, capacity never exceeded`,
        measured: `p99 ${ms(a.p99)}; ${count(confirmed)} confirmed, ${count(waitlisted)} waitlisted, ${count(full)} full (409), ${count(other)} other; counters ${c.booked}/${o.capacity} booked, ${c.waiting}/${o.waitlistCapacity} waiting`,
        pass: consistent && a.p99 <= o.targetP99Ms,
        notes: [
          `one event of ${o.capacity} places and a waiting list of ${o.waitlistCapacity}, one place per registration, all ${count(o.registrations)} requests sent at the same moment (each from its own connection); the registrations of one event that arrive together share one transaction (group commit: one lock of the event, one insert, one update of its counters, one insert of notice jobs, one commit), so the latency includes the wait for the group in flight`,
          `checked after: the answers match the rows and the event's counters (${consistent ? 'yes' : 'NO'})`,
          'each registration also writes its notice job (the citizen file and message are written by the job, after the answer); jobs do not run in this bench',
          'the baseline is the same number of single-row INSERTs sent at once through a pool of 10 connections (the app pool size), on another event: no lock, no check, no job',
          'reminders for 10,000 registrants against the ingest throughput: not measured yet',
        ],
        server: env.server,
      };
    },
    { publicRequestsPerHour: 1_000_000 },
  );
}
