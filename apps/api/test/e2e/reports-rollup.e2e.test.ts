import { randomBytes } from 'node:crypto';
import { ConfigError, loadConfig } from '../../src/config';
import { ReportAggregates } from '../../src/modules/reports/report-aggregates';
import { DAILY_COUNTERS } from '../../src/modules/reports/report-facts';
import { startTestApp, type TestAgent, type TestApp } from '../harness';

const COUNTERS = DAILY_COUNTERS;

/** Every aggregate table, with the fields that hold counts (a row whose counts are all 0 counts nothing). */
const AGGREGATES: Record<string, string[]> = {
  report_daily: [...COUNTERS, 'satisfaction_hist'],
  report_monthly: [...COUNTERS, 'satisfaction_hist'],
  report_team_monthly: [...COUNTERS, 'satisfaction_hist'],
  report_label_daily: [...COUNTERS, 'satisfaction_hist'],
  report_label_monthly: [...COUNTERS, 'satisfaction_hist'],
  report_label_team_monthly: [...COUNTERS, 'satisfaction_hist'],
  report_duration: ['n'],
  report_duration_monthly: ['n'],
  report_label_duration: ['n'],
  report_label_duration_monthly: ['n'],
  report_agent_daily: ['handled', 'first_responses'],
  report_agent_duration: ['n'],
};

/**
 * The aggregates are folded in by a periodic job from the marks the writers' triggers leave
 * (ReportAggregates): after files are created, transferred, answered, resolved, labelled and
 * written to while folds run back to back, the aggregates equal a recount from scratch of the
 * same rows, the monthly rollups the sums of their days, and the days a count of the files.
 */
describe('reports: the aggregates equal a recount after activity racing the folds', () => {
  let t: TestApp;
  let aggregates: ReportAggregates;
  let org: { id: string };
  let teams: Array<{ id: string }>;
  let labels: string[];
  let admin: TestAgent;
  let agent: TestAgent;
  let channels: Record<'email' | 'sms', string>;

  beforeAll(async () => {
    t = await startTestApp();
    aggregates = t.app.get(ReportAggregates);
    org = await t.newOrganization();
    teams = [await t.newTeam(org.id, 'État civil'), await t.newTeam(org.id, 'Scolarité')];
    admin = await t.newAgent({ organizationId: org.id, role: 'admin' });
    agent = await t.newAgent({ organizationId: org.id, teamIds: teams.map((x) => x.id) });
    channels = {
      email: (await t.newChannel({ organizationId: org.id, teamId: teams[0]!.id, kind: 'email' })).id,
      sms: (await t.newChannel({ organizationId: org.id, teamId: teams[1]!.id, kind: 'sms' })).id,
    };
    const { rows } = await t.db.query(
      `INSERT INTO label (organization_id, name, color) VALUES ($1, 'Urgent', '#aa0000'), ($1, 'Voirie', '#0044aa') RETURNING id`,
      [org.id],
    );
    labels = rows.map((r) => r.id as string);
  }, 60_000);
  afterAll(async () => {
    await t?.close();
  });

  /** A past file written as rows, in one transaction as the app writes a file, on a given Paris day and hour (its insert marks it). */
  async function pastFile(i: number): Promise<string> {
    await t.db.query('BEGIN');
    try {
      return await pastFileRows(i);
    } finally {
      await t.db.query('COMMIT');
    }
  }

  async function pastFileRows(i: number): Promise<string> {
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
    if (i % 5 === 0)
      await t.db.query(`INSERT INTO conversation_label (conversation_id, label_id) VALUES ($1, $2)`, [rows[0].id, labels[0]]);
    return rows[0].id as string;
  }

  /**
   * Every aggregate row of the town that counts something, without `reopened` (a history: a
   * recount from scratch cannot know a file was resolved before), sorted.
   */
  async function aggregateRows(): Promise<Record<string, string[]>> {
    const out: Record<string, string[]> = {};
    for (const [table, counts] of Object.entries(AGGREGATES)) {
      const { rows } = await t.db.query(`SELECT to_jsonb(d) - 'reopened' AS r FROM ${table} d WHERE organization_id = $1`, [
        org.id,
      ]);
      out[table] = rows
        .map((x) => x.r as Record<string, unknown>)
        .filter((r) =>
          counts.some((c) => (Array.isArray(r[c]) ? (r[c] as number[]).some((v) => v !== 0) : r[c] !== 0 && r[c] !== undefined)),
        )
        .map((r) => JSON.stringify(Object.fromEntries(Object.entries(r).sort(([a], [b]) => (a < b ? -1 : 1)))))
        .sort();
    }
    return out;
  }

  /** The town's aggregates and facts thrown away and every file and call folded again from its rows (the fold's lock held meanwhile). */
  async function recountFromScratch(): Promise<void> {
    await t.db.query('BEGIN');
    try {
      await t.db.query(`SELECT pg_advisory_xact_lock(hashtextextended('report_fold', 0))`);
      for (const table of [...Object.keys(AGGREGATES), 'report_conversation', 'report_call'])
        await t.db.query(`DELETE FROM ${table} WHERE organization_id = $1`, [org.id]);
      await t.db.query(
        `INSERT INTO report_pending (conversation_id, message_id)
         SELECT id, NULL FROM conversation WHERE organization_id = $1
         UNION ALL SELECT conversation_id, id FROM message WHERE organization_id = $1 AND kind = 'call'`,
        [org.id],
      );
      await t.db.query('COMMIT');
    } catch (e) {
      await t.db.query('ROLLBACK');
      throw e;
    }
    await aggregates.foldNow();
  }

  /** Differences between each monthly row and the sum of its days (empty when they agree), the town's and the labels'. */
  async function rollupDrift(): Promise<unknown[]> {
    const sums = COUNTERS.map((c) => `sum(${c})::bigint AS ${c}`).join(', ');
    const hist = Array.from({ length: 11 }, (_, i) => `sum(satisfaction_hist[${i + 1}])`).join(', ');
    const drift: unknown[] = [];
    for (const [daily, monthly, dims, groups] of [
      ['report_daily', 'report_monthly', 'team_id, channel_kind, request_type_id', '1, 2, 3, 4'],
      ['report_label_daily', 'report_label_monthly', 'label_id, team_id, channel_kind, request_type_id', '1, 2, 3, 4, 5'],
      ['report_daily', 'report_team_monthly', 'team_id', '1, 2'],
      ['report_label_daily', 'report_label_team_monthly', 'label_id, team_id', '1, 2, 3'],
    ] as const) {
      const { rows } = await t.db.query(
        `WITH days AS (
           SELECT date_trunc('month', day)::date AS month, ${dims}, ${sums}, ARRAY[${hist}]::int[] AS satisfaction_hist
             FROM ${daily} WHERE organization_id = $1 GROUP BY ${groups}),
         months AS (SELECT month, ${dims}, ${COUNTERS.join(', ')}, satisfaction_hist FROM ${monthly} WHERE organization_id = $1)
         (SELECT '${daily}' AS side, * FROM days EXCEPT SELECT '${daily}', * FROM months)
         UNION ALL (SELECT '${monthly}', * FROM months EXCEPT SELECT '${monthly}', * FROM days)`,
        [org.id],
      );
      drift.push(...rows);
    }
    for (const [daily, monthly, label] of [
      ['report_duration', 'report_duration_monthly', ''],
      ['report_label_duration', 'report_label_duration_monthly', 'label_id, '],
    ] as const) {
      const { rows } = await t.db.query(
        `WITH days AS (
           SELECT date_trunc('month', day)::date AS month, ${label}team_id, metric, bucket, sum(n)::int AS n
             FROM ${daily} WHERE organization_id = $1 GROUP BY ${label ? '1, 2, 3, 4, 5' : '1, 2, 3, 4'} HAVING sum(n) <> 0),
         months AS (SELECT month, ${label}team_id, metric, bucket, n FROM ${monthly} WHERE organization_id = $1 AND n <> 0)
         (SELECT '${daily}' AS side, * FROM days EXCEPT SELECT '${daily}', * FROM months)
         UNION ALL (SELECT '${monthly}', * FROM months EXCEPT SELECT '${monthly}', * FROM days)`,
        [org.id],
      );
      drift.push(...rows);
    }
    return drift;
  }

  test('files created, transferred, answered, resolved, labelled and written to while folds run: a recount finds the same', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 60; i++) ids.push(await pastFile(i));
    // Folds all along: the app's own (every 200 ms) and, here, one after the other until the activity ends.
    let active = true;
    let folds = 0;
    const folding = (async () => {
      while (active) {
        await aggregates.foldNow();
        folds++;
      }
    })();
    // Concurrently: half are transferred to the other service, a third resolved, labels added and taken away.
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
      if (i % 4 === 0)
        await t.db.query(`INSERT INTO conversation_label (conversation_id, label_id) VALUES ($1, $2) ON CONFLICT DO NOTHING`, [
          id,
          labels[1],
        ]);
      if (i % 10 === 0)
        await t.db.query(`DELETE FROM conversation_label WHERE conversation_id = $1 AND label_id = $2`, [id, labels[0]]);
    });
    // Live files through the ingest, answered and resolved over HTTP at the same time (never a 500: no
    // lock of the fold's is one the reply path waits for), some written to again by their citizen.
    const live = Array.from({ length: 12 }, async (_, i) => {
      const phone = `+336123456${String(i).padStart(2, '0')}`;
      const sms = (text: string) =>
        t.ingest.ingest(
          {
            channelId: channels.sms,
            externalId: `SM${randomBytes(8).toString('hex')}`,
            from: { kind: 'phone', value: phone },
            text,
          },
          { teamId: teams[1]!.id },
        );
      const stored = await sms(`Demande ${i}`);
      const conv = await t.http('GET', `/api/v1/conversations/${stored.conversationId}`, { token: agent.token });
      const reply = await t.http('POST', `/api/v1/conversations/${stored.conversationId}/messages`, {
        token: agent.token,
        body: { kind: 'reply', body: 'Bien reçu.', version: conv.body.version },
      });
      expect(reply.status).toBe(201);
      if (i % 2) {
        const after = await t.http('GET', `/api/v1/conversations/${stored.conversationId}`, { token: agent.token });
        const resolved = await t.http('PATCH', `/api/v1/conversations/${stored.conversationId}`, {
          token: agent.token,
          body: { status: 'resolved', version: after.body.version },
        });
        // Resolved, or refused for a version another job moved since (409): never a server error.
        expect(resolved.status).toBeLessThan(500);
      }
      if (i % 4 === 1) await sms('Merci, encore une question.');
      if (i % 3 === 0) await sms('Précision : pour deux personnes.');
      return stored.conversationId;
    });
    await Promise.all([...changes, ...live]);
    active = false;
    await folding;
    // The jobs the activity queued (due dates, routing) have run, and their marks are folded.
    await t.settled();
    expect(folds).toBeGreaterThan(1);

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
    const counted = await recount();
    expect(counted.created).toBe(counted.files);
    expect(counted.resolved).toBe(counted.files_resolved);
    expect(counted.first_responses).toBe(counted.files_answered);
    expect(counted.files).toBeGreaterThanOrEqual(72);
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
    expect(times.body.asOf).toEqual(expect.any(String));

    // Every aggregate row equals a recount from scratch of the same rows (all but the reopenings: a history).
    const incremental = await aggregateRows();
    expect(incremental.report_label_daily!.length).toBeGreaterThan(0);
    expect(incremental.report_agent_daily!.length).toBeGreaterThan(0);
    await recountFromScratch();
    expect(await aggregateRows()).toEqual(incremental);
  }, 120_000);
});

describe('reports: how often the fold runs', () => {
  it('reads REPORTS_FOLD_MS as milliseconds from 100 to 60,000 and refuses anything else with a French reason', () => {
    const env = { DATABASE_URL: 'postgres://x/y', APP_SECRET: 'secret-0123456789abcdef', ENCRYPTION_KEY: 'a'.repeat(64) };
    expect(loadConfig(env).reportsFoldMs).toBeUndefined();
    expect(loadConfig({ ...env, REPORTS_FOLD_MS: '5000' }).reportsFoldMs).toBe(5000);
    for (const bad of ['0', '99', '60001', '2.5', 'vite'])
      expect(() => loadConfig({ ...env, REPORTS_FOLD_MS: bad })).toThrow(ConfigError);
    expect(() => loadConfig({ ...env, REPORTS_FOLD_MS: '10' })).toThrow(
      'REPORTS_FOLD_MS invalide : 10 (attendu : un entier de 100 à 60000)',
    );
  });
});
