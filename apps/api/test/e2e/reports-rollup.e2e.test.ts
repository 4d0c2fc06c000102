import { randomBytes } from 'node:crypto';
import { expectEventually } from '@guichet/testing';
import { Database } from '../../src/common/database';
import { ReportAggregatesListener } from '../../src/modules/reports/report-aggregates.listener';
import { DAILY_COUNTERS } from '../../src/modules/reports/report-facts';
import { startTestApp, type TestAgent, type TestApp } from '../harness';

const COUNTERS = DAILY_COUNTERS;

/**
 * The monthly rollups (report_monthly, report_duration_monthly) are moved by the same deltas as
 * the daily rows, in the same transaction: after many jobs racing on the same rows they still
 * equal the sums of their days, and the days equal a recount of the conversations.
 */
describe('reports: the monthly rollup equals a recount of the days after concurrent activity', () => {
  let t: TestApp;
  let listener: ReportAggregatesListener;
  let database: Database;
  let org: { id: string };
  let teams: Array<{ id: string }>;
  let admin: TestAgent;
  let agent: TestAgent;
  let channels: Record<'email' | 'sms', string>;

  beforeAll(async () => {
    t = await startTestApp();
    listener = t.app.get(ReportAggregatesListener);
    database = t.app.get(Database);
    org = await t.newOrganization();
    teams = [await t.newTeam(org.id, 'État civil'), await t.newTeam(org.id, 'Scolarité')];
    admin = await t.newAgent({ organizationId: org.id, role: 'admin' });
    agent = await t.newAgent({ organizationId: org.id, teamIds: teams.map((x) => x.id) });
    channels = {
      email: (await t.newChannel({ organizationId: org.id, teamId: teams[0]!.id, kind: 'email' })).id,
      sms: (await t.newChannel({ organizationId: org.id, teamId: teams[1]!.id, kind: 'sms' })).id,
    };
  }, 60_000);
  afterAll(async () => {
    await t?.close();
  });

  /** A past file written as a row, on a given Paris day and hour; the listener counts it. */
  async function pastFile(i: number): Promise<string> {
    // Spread over 28 Jan – 11 Mar 2026 (three months, month edges at midnight in Paris).
    const created = new Date(Date.parse('2026-01-28T23:30:00+01:00') + i * 17 * 3600_000);
    const { rows: c } = await t.db.query(`INSERT INTO contact (organization_id) VALUES ($1) RETURNING id`, [org.id]);
    const { rows } = await t.db.query(
      `INSERT INTO conversation (organization_id, reference, contact_id, team_id, status, created_at, last_message_at,
         first_response_at, response_due_at, satisfaction)
       VALUES ($1, $2, $3, $4, 'open', $5, $5, $5::timestamptz + ($6 || ' minutes')::interval,
               $5::timestamptz + interval '1 day', $7) RETURNING id`,
      [
        org.id,
        `GU-${randomBytes(4).toString('hex').toUpperCase()}`,
        c[0].id,
        teams[i % 2]!.id,
        created,
        String(15 + ((i * 37) % 3000)),
        i % 3 === 0 ? i % 11 : null,
      ],
    );
    await t.db.query(
      `INSERT INTO message (organization_id, conversation_id, direction, kind, channel_id, body, status, created_at)
       VALUES ($1, $2, 'inbound', 'message', $3, 'Bonjour', 'received', $4)`,
      [org.id, rows[0].id, i % 2 ? channels.sms : channels.email, created],
    );
    if (i % 3 === 0)
      await t.db.query(
        `INSERT INTO satisfaction_survey (organization_id, conversation_id, status, send_at, sent_at, expires_at, answered_at, score)
         VALUES ($1, $2, 'answered', $3, $3, $3::timestamptz + interval '30 days', $3::timestamptz + interval '2 days', $4)`,
        [org.id, rows[0].id, created, i % 11],
      );
    return rows[0].id as string;
  }

  const refresh = (id: string) => database.tx((m) => listener.refreshConversation(m, id));

  /** Differences between each monthly row and the sum of its days (empty when they agree). */
  async function rollupDrift(): Promise<unknown[]> {
    const sums = COUNTERS.map((c) => `sum(${c})::bigint AS ${c}`).join(', ');
    const hist = Array.from({ length: 11 }, (_, i) => `sum(satisfaction_hist[${i + 1}])`).join(', ');
    const cols = `team_id, channel_kind, request_type_id, ${COUNTERS.join(', ')}, satisfaction_hist`;
    const { rows: counters } = await t.db.query(
      `WITH days AS (
         SELECT date_trunc('month', day)::date AS month, team_id, channel_kind, request_type_id, ${sums}, ARRAY[${hist}]::int[] AS satisfaction_hist
           FROM report_daily WHERE organization_id = $1 GROUP BY 1, 2, 3, 4),
       months AS (SELECT month, ${cols} FROM report_monthly WHERE organization_id = $1)
       (SELECT 'days' AS side, * FROM days EXCEPT SELECT 'days', * FROM months)
       UNION ALL (SELECT 'months', * FROM months EXCEPT SELECT 'months', * FROM days)`,
      [org.id],
    );
    const { rows: durations } = await t.db.query(
      `WITH days AS (
         SELECT date_trunc('month', day)::date AS month, team_id, metric, bucket, sum(n)::int AS n
           FROM report_duration WHERE organization_id = $1 GROUP BY 1, 2, 3, 4 HAVING sum(n) <> 0),
       months AS (SELECT month, team_id, metric, bucket, n FROM report_duration_monthly WHERE organization_id = $1 AND n <> 0)
       (SELECT 'days' AS side, * FROM days EXCEPT SELECT 'days', * FROM months)
       UNION ALL (SELECT 'months', * FROM months EXCEPT SELECT 'months', * FROM days)`,
      [org.id],
    );
    return [...counters, ...durations];
  }

  test('files counted, transferred, answered, resolved and rated by racing jobs: months = days = files', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 60; i++) ids.push(await pastFile(i));
    // Every file counted by concurrent jobs (each its own transaction, many on the same rows).
    await Promise.all(ids.map((id) => refresh(id)));
    // Then, concurrently: half are transferred to the other service, a third resolved, and every
    // job runs twice (a retried job, an event delivered twice).
    const changes = ids.map(async (id, i) => {
      if (i % 2 === 0)
        await t.db.query(
          `UPDATE conversation SET team_id = CASE WHEN team_id = $2 THEN $3::uuid ELSE $2::uuid END WHERE id = $1`,
          [id, teams[0]!.id, teams[1]!.id],
        );
      if (i % 3 === 1)
        await t.db.query(
          `UPDATE conversation SET status = 'resolved', resolved_at = created_at + interval '3 days' WHERE id = $1`,
          [id],
        );
      await Promise.all([refresh(id), refresh(id)]);
    });
    // Live files through the ingest, answered and resolved over HTTP at the same time.
    const live = Array.from({ length: 12 }, async (_, i) => {
      const stored = await t.ingest.ingest(
        {
          channelId: channels.sms,
          externalId: `SM${randomBytes(8).toString('hex')}`,
          from: { kind: 'phone', value: `+336123456${String(i).padStart(2, '0')}` },
          text: `Demande ${i}`,
        },
        { teamId: teams[1]!.id },
      );
      const conv = await t.http('GET', `/api/v1/conversations/${stored.conversationId}`, { token: agent.token });
      const reply = await t.http('POST', `/api/v1/conversations/${stored.conversationId}/messages`, {
        token: agent.token,
        body: { kind: 'reply', body: 'Bien reçu.', version: conv.body.version },
      });
      expect(reply.status).toBe(201);
      if (i % 2) {
        const after = await t.http('GET', `/api/v1/conversations/${stored.conversationId}`, { token: agent.token });
        await t.http('PATCH', `/api/v1/conversations/${stored.conversationId}`, {
          token: agent.token,
          body: { status: 'resolved', version: after.body.version },
        });
      }
      return stored.conversationId;
    });
    await Promise.all([...changes, ...live]);

    // The days are a recount of the files (created per Paris day and service; resolutions; first answers).
    const recount = async () =>
      (
        await t.db.query(
          `SELECT (SELECT count(*)::int FROM conversation WHERE organization_id = $1) AS files,
                  (SELECT sum(created)::int FROM report_daily WHERE organization_id = $1) AS created,
                  (SELECT count(*)::int FROM conversation WHERE organization_id = $1 AND status = 'resolved') AS files_resolved,
                  (SELECT sum(resolved)::int FROM report_daily WHERE organization_id = $1) AS resolved,
                  (SELECT count(*)::int FROM conversation WHERE organization_id = $1 AND first_response_at IS NOT NULL) AS files_answered,
                  (SELECT sum(first_responses)::int FROM report_daily WHERE organization_id = $1) AS first_responses`,
          [org.id],
        )
      ).rows[0];
    await expectEventually(
      async () => {
        const r = await recount();
        expect(r.created).toBe(r.files);
        expect(r.resolved).toBe(r.files_resolved);
        expect(r.first_responses).toBe(r.files_answered);
      },
      { timeoutMs: 30_000 },
    );
    const r = await recount();
    expect(r).toMatchObject({ files: 72, files_resolved: 20 + 6 });
    const { rows: perDay } = await t.db.query(
      `SELECT (c.created_at AT TIME ZONE 'Europe/Paris')::date::text AS day, c.team_id, count(*)::int AS n
         FROM conversation c WHERE c.organization_id = $1 GROUP BY 1, 2
       EXCEPT
       SELECT day::text, team_id, sum(created)::int FROM report_daily WHERE organization_id = $1 GROUP BY 1, 2 HAVING sum(created) <> 0`,
      [org.id],
    );
    expect(perDay).toEqual([]);
    // Months hold the sums of their days, counter by counter, histogram by histogram.
    expect(await rollupDrift()).toEqual([]);
    const { rows: months } = await t.db.query(
      `SELECT DISTINCT month::text FROM report_monthly WHERE organization_id = $1 ORDER BY 1`,
      [org.id],
    );
    expect(months.map((m) => m.month)).toEqual(expect.arrayContaining(['2026-01-01', '2026-02-01', '2026-03-01']));

    // A report over whole months (months only) and one cut mid-month (edges from days) agree with the files.
    const get = async (q: string) =>
      (await t.http('GET', `/api/v1/reports/volumes?${q}`, { token: admin.token })).body.totals.created as number;
    const between = async (from: string, to: string) =>
      (
        await t.db.query(
          `SELECT count(*)::int AS n FROM conversation WHERE organization_id = $1
              AND (created_at AT TIME ZONE 'Europe/Paris')::date BETWEEN $2::date AND $3::date`,
          [org.id, from, to],
        )
      ).rows[0].n as number;
    expect(await get('from=2026-01-01&to=2026-03-31')).toBe(await between('2026-01-01', '2026-03-31'));
    expect(await get('from=2026-01-29&to=2026-03-02&granularity=month')).toBe(await between('2026-01-29', '2026-03-02'));
    expect(await get('from=2026-02-01&to=2026-02-28&granularity=week')).toBe(await between('2026-02-01', '2026-02-28'));
    const times = await t.http('GET', '/api/v1/reports/response-times?from=2026-01-01&to=2026-03-31', { token: admin.token });
    expect(times.body.firstResponse.count).toBe(60);
  }, 120_000);
});
