/**
 * Reports (issue 15): a one-year report of every service of a large town, read from the daily
 * aggregates, against a bare GET /health plus the bare SQL of one aggregate read in the same run.
 * Target: p99 ≤ 300 ms and ≤ 3 × (health p99 + bare SQL p99).
 *
 * The aggregates are seeded directly in the shape the listener keeps them (one report_daily row
 * per day × service × channel × démarche with activity, duration histograms per row, and their
 * monthly rollups): a report reads those and nothing else, so the conversations behind them need
 * not exist. The year is twelve whole months: its totals read the monthly rollup; the default
 * series by day reads the year's daily rows.
 */
import type { EntityManager } from 'typeorm';
import { Database } from '../src/common/database';
import { DAILY_COUNTERS } from '../src/modules/reports/report-facts';
import { withBenchEnv, type BenchEnv, type Log } from './lib/env';
import { createAgents, createOrganization, createTeams, MUNICIPAL_SERVICES } from './lib/fixtures';
import { HttpProbe } from './lib/http';
import type { BenchResult } from './lib/report';
import { count, ms, seconds, summarize } from './lib/stats';
import { nowMs } from './lib/timing';

export interface ReportsBenchOptions {
  /** Conversations of the year the aggregates count (1,000,000: the town of the inbox bench). */
  conversations: number;
  /** Démarches per service (plus « sans démarche »). */
  typesPerTeam: number;
  /** Histogram buckets filled per aggregate row and metric. */
  bucketsPerRow: number;
  /** Earlier years held as monthly rollups (a town using Guichet for years). */
  historyYears: number;
  requests: number;
  warmup: number;
}

export const REPORTS_DEFAULTS: ReportsBenchOptions = {
  conversations: 1_000_000,
  typesPerTeam: 6,
  bucketsPerRow: 24,
  historyYears: 5,
  requests: 300,
  warmup: 30,
};

const TEAMS = MUNICIPAL_SERVICES;
const CHANNELS = ['email', 'sms', 'webform', 'whatsapp', 'voice', 'messenger'];
const YEAR = 2026;

export interface SeededReports {
  organizationId: string;
  teamIds: string[];
  /** An admin's bearer token. */
  token: string;
  sizes: { daily: number; durations: number; monthly: number };
  /** Conversations each daily row of the bench year stands for. */
  perCell: number;
}

/**
 * Seeds the aggregates of a large town: the bench year day by day with its monthly rollups, and
 * `historyYears` earlier years as monthly rollups (what a backlog since the first month and a
 * previous period read).
 */
export async function seedReports(env: BenchEnv, o: ReportsBenchOptions, log: Log): Promise<SeededReports> {
  const organizationId = await createOrganization(env.db);
  const teamIds = await createTeams(env.db, organizationId, TEAMS);
  const [admin] = await createAgents(env.db, { organizationId, role: 'admin', teamIds, count: 1 });
  const seedStart = nowMs();
  // Démarches of each service.
  const { rows: types } = await env.db.query<{ id: string; team_id: string }>(
    `INSERT INTO request_type (organization_id, team_id, name, decision_regime)
     SELECT $1, t, 'Démarche ' || i, 'none' FROM unnest($2::uuid[]) t CROSS JOIN generate_series(1, $3) i
     RETURNING id, team_id`,
    [organizationId, teamIds, o.typesPerTeam],
  );
  const cells = 365 * TEAMS.length * CHANNELS.length * (o.typesPerTeam + 1);
  const perCell = Math.max(1, Math.round(o.conversations / cells));
  await env.db.query(
    `INSERT INTO report_daily (organization_id, day, team_id, channel_kind, request_type_id, created, reopened, resolved,
                               first_responses, first_responses_with_target, first_responses_on_time,
                               satisfaction_answers, satisfaction_sum, satisfaction_hist,
                               calls_received, calls_answered, calls_missed, calls_called_back, callback_minutes)
     SELECT $1, d::date, k.team_id, ch, k.type_id, $4, 0, $4, $4, $4, $4 - 1, 1, 8, '{0,0,0,0,0,0,0,0,1,0,0}',
            CASE WHEN ch = 'voice' THEN $4 ELSE 0 END, CASE WHEN ch = 'voice' THEN $4 - 1 ELSE 0 END,
            CASE WHEN ch = 'voice' THEN 1 ELSE 0 END, 0, 0
       FROM generate_series(make_date($2, 1, 1), make_date($2, 12, 31), interval '1 day') d
      CROSS JOIN unnest($3::text[]) ch
      CROSS JOIN (SELECT t AS team_id, NULL::uuid AS type_id FROM unnest($5::uuid[]) t
                  UNION ALL SELECT team_id, id FROM request_type WHERE organization_id = $1) k`,
    [organizationId, YEAR, CHANNELS, perCell, teamIds],
  );
  await env.db.query(
    `INSERT INTO report_duration (organization_id, day, team_id, channel_kind, request_type_id, metric, bucket, n)
     SELECT r.organization_id, r.day, r.team_id, r.channel_kind, r.request_type_id, m, b * 15, 1
       FROM report_daily r CROSS JOIN unnest(ARRAY['first_response', 'resolution']) m CROSS JOIN generate_series(1, $2) b
      WHERE r.organization_id = $1`,
    [organizationId, o.bucketsPerRow],
  );
  // The monthly rollups, as the repository keeps them beside the daily rows (the sums of their days).
  const hist = Array.from({ length: 11 }, (_, i) => `sum(satisfaction_hist[${i + 1}])`).join(', ');
  const counters = DAILY_COUNTERS.join(', ');
  await env.db.query(
    `INSERT INTO report_monthly (organization_id, month, team_id, channel_kind, request_type_id, ${counters}, satisfaction_hist)
     SELECT organization_id, date_trunc('month', day)::date, team_id, channel_kind, request_type_id,
            ${DAILY_COUNTERS.map((c) => `sum(${c})`).join(', ')}, ARRAY[${hist}]::int[]
       FROM report_daily WHERE organization_id = $1
      GROUP BY organization_id, date_trunc('month', day)::date, team_id, channel_kind, request_type_id`,
    [organizationId],
  );
  await env.db.query(
    `INSERT INTO report_duration_monthly (organization_id, month, team_id, metric, bucket, n)
     SELECT organization_id, date_trunc('month', day)::date, team_id, metric, bucket, sum(n)
       FROM report_duration WHERE organization_id = $1
      GROUP BY organization_id, date_trunc('month', day)::date, team_id, metric, bucket`,
    [organizationId],
  );
  // Earlier years: the bench year's months again, as the monthly rollups a town using Guichet for years holds.
  for (let y = 1; y <= o.historyYears; y++) {
    await env.db.query(
      `INSERT INTO report_monthly (organization_id, month, team_id, channel_kind, request_type_id, ${counters}, satisfaction_hist)
       SELECT organization_id, (month - make_interval(years => $2))::date, team_id, channel_kind, request_type_id, ${counters},
              satisfaction_hist
         FROM report_monthly WHERE organization_id = $1 AND month >= make_date($3, 1, 1)`,
      [organizationId, y, YEAR],
    );
    await env.db.query(
      `INSERT INTO report_duration_monthly (organization_id, month, team_id, metric, bucket, n)
       SELECT organization_id, (month - make_interval(years => $2))::date, team_id, metric, bucket, n
         FROM report_duration_monthly WHERE organization_id = $1 AND month >= make_date($3, 1, 1)`,
      [organizationId, y, YEAR],
    );
  }
  for (const table of ['report_daily', 'report_duration', 'report_monthly', 'report_duration_monthly'])
    await env.db.query(`ANALYZE ${table}`);
  const {
    rows: [sizes],
  } = await env.db.query<SeededReports['sizes']>(
    `SELECT (SELECT count(*)::int FROM report_daily) AS daily, (SELECT count(*)::int FROM report_duration) AS durations,
            (SELECT count(*)::int FROM report_monthly) AS monthly`,
  );
  log(
    `seeded ${count(sizes!.daily)} daily rows (${count(perCell * sizes!.daily)} conversations, ${types.length} démarches) ${count(sizes!.durations)} histogram rows, ${count(sizes!.monthly)} monthly rows (${o.historyYears} earlier years) in ${seconds(nowMs() - seedStart)}`,
  );
  return { organizationId, teamIds, token: admin!.token, sizes: sizes!, perCell };
}

/**
 * The statements each report sends (recorded on the app's Database), each run again under EXPLAIN
 * ANALYZE: its execution time and top plan node, or the whole plan with REPORTS_BENCH_PLANS=full.
 */
async function logPlans(env: BenchEnv, paths: string[], token: string, log: Log): Promise<void> {
  const db = env.app.app.get(Database);
  const query = db.query.bind(db);
  const probe = new HttpProbe(env.app.url);
  try {
    for (const path of paths) {
      const sent: Array<[string, unknown[]]> = [];
      db.query = ((sql: string, params: unknown[] = [], m?: EntityManager) => {
        sent.push([sql, params]);
        return query(sql, params, m);
      }) as Database['query'];
      await probe.get(path, token);
      db.query = query;
      for (const [sql, params] of sent) {
        // A transaction's SET LOCAL (the backlog's read) has no plan.
        if (!/^\s*(SELECT|WITH)\b/i.test(sql)) continue;
        const { rows } = await env.db.query<{ 'QUERY PLAN': string }>(`EXPLAIN (ANALYZE, BUFFERS) ${sql}`, params);
        const plan = rows.map((r) => r['QUERY PLAN']);
        const time = plan.find((l) => l.startsWith('Execution Time')) ?? '';
        const what = sql.replace(/\s+/g, ' ').slice(0, 90);
        log(`${path.split('?')[0]} · ${time} · ${plan[0]!.trim().slice(0, 80)} · ${what}`);
        if (process.env.REPORTS_BENCH_PLANS === 'full') log(plan.join('\n'));
      }
    }
  } finally {
    db.query = query;
    probe.close();
  }
}

export async function benchReports(o: ReportsBenchOptions, log: Log): Promise<BenchResult> {
  return withBenchEnv(log, async (env) => {
    const { organizationId, token, sizes, perCell } = await seedReports(env, o, log);
    const probe = new HttpProbe(env.app.url);
    const period = `from=${YEAR}-01-01&to=${YEAR}-12-31`;
    // A year's report as asked with no granularity: a series by month (the API's default for a year).
    const reports = ['volumes', 'response-times', 'telephone', 'satisfaction'].map((k) => `/api/v1/reports/${k}?${period}`);
    // Shown beside, not in the target: the same year drawn day by day reads the year's daily rows.
    const byDay = `/api/v1/reports/volumes?${period}&granularity=day`;
    // The aggregate a year's report reads: twelve months of the monthly rollup.
    const bareSql = `SELECT sum(created)::bigint, sum(resolved)::bigint FROM report_monthly
                      WHERE organization_id = $1 AND month BETWEEN $2::date AND $3::date`;
    const samples: Record<string, number[]> = {
      health: [],
      sql: [],
      ...Object.fromEntries([...reports, byDay].map((r) => [r, []])),
    };
    for (let i = 0; i < o.warmup + o.requests; i++) {
      const keep = i >= o.warmup;
      for (const path of [...reports, byDay]) {
        const r = await probe.get(path, token);
        if (r.status !== 200) throw new Error(`${path} answered ${r.status}: ${r.body.slice(0, 200)}`);
        if (keep) samples[path]!.push(r.ms);
      }
      const h = await probe.get('/api/v1/health');
      if (h.status !== 200) throw new Error(`health answered ${h.status}`);
      const s0 = nowMs();
      await env.db.query(bareSql, [organizationId, `${YEAR}-01-01`, `${YEAR}-12-01`]);
      if (keep) {
        samples.health!.push(h.ms);
        samples.sql!.push(nowMs() - s0);
      }
    }
    probe.close();
    await logPlans(env, reports, token, log);
    const health = summarize(samples.health!);
    const sql = summarize(samples.sql!);
    const baseline = health.p99 + sql.p99;
    const per = reports.map((path) => ({ name: path.split('/').pop()!.split('?')[0]!, s: summarize(samples[path]!) }));
    const worst = Math.max(...per.map((p) => p.s.p99));
    const daily = summarize(samples[byDay]!);
    const pass = worst <= 300 && worst <= 3 * baseline;
    return {
      id: 'reports',
      title: `Reports: one year of every service (${count(sizes.daily)} daily aggregate rows, ${count(sizes.durations)} histogram rows, ${count(sizes.monthly)} monthly rows over ${o.historyYears + 1} years)`,
      columns: ['p50', 'p99'],
      rows: [
        ...per.map((p) => ({ metric: `GET /reports/${p.name}`, values: [ms(p.s.p50), ms(p.s.p99)] })),
        { metric: 'GET /reports/volumes by day (not in the target)', values: [ms(daily.p50), ms(daily.p99)] },
        { metric: 'bare GET /health', values: [ms(health.p50), ms(health.p99)] },
        { metric: 'bare SQL, one aggregate read', values: [ms(sql.p50), ms(sql.p99)] },
      ],
      target: 'slowest report p99 ≤ 300 ms and ≤ 3 × (health p99 + bare SQL p99)',
      measured: `${ms(worst)} vs ${ms(Math.min(300, 3 * baseline))}`,
      pass,
      notes: [`${o.requests} measured rounds after ${o.warmup} warm-up; ${count(perCell)} conversations per aggregate row`],
      server: env.server,
    };
  });
}
