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
 *
 * Reports filtered by one label read the label rows (report_label_daily / report_label_duration
 * and their monthly rollups report_label_monthly / report_label_duration_monthly): a broad label
 * (`labelShare` of the town's files, in every aggregate cell, for the bench year and the earlier
 * years: a label used for years) is seeded beside, and its reports are measured against a bare
 * GET /health plus the bare SQL of one label aggregate read (the year's twelve months of the
 * label's rollup), under the same target. Every statement of every measured report is run again
 * under EXPLAIN: a sequential scan of an aggregate table fails the run (the reports must be
 * index-served at this scale).
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
  /** Share of the files carrying the measured label (its rows are seeded in every aggregate cell). */
  labelShare: number;
  requests: number;
  warmup: number;
}

export const REPORTS_DEFAULTS: ReportsBenchOptions = {
  conversations: 1_000_000,
  typesPerTeam: 6,
  bucketsPerRow: 24,
  historyYears: 5,
  labelShare: 0.25,
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
  sizes: { daily: number; durations: number; monthly: number; labelDaily: number; labelDurations: number };
  /** Conversations each daily row of the bench year stands for. */
  perCell: number;
  /** The broad label whose reports are measured. */
  labelId: string;
}

/**
 * Seeds the aggregates of a large town: the bench year day by day with its monthly rollups, and
 * `historyYears` earlier years as monthly rollups (what a backlog since the first month and a
 * previous period read), and the per-service monthly rollup of them all.
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
  // The per-service rollup of every month (what sums by service at most read).
  await env.db.query(
    `INSERT INTO report_team_monthly (organization_id, month, team_id, ${counters}, satisfaction_hist)
     SELECT organization_id, month, team_id, ${DAILY_COUNTERS.map((c) => `sum(${c})`).join(', ')}, ARRAY[${hist}]::int[]
       FROM report_monthly WHERE organization_id = $1
      GROUP BY organization_id, month, team_id
      ORDER BY month`,
    [organizationId],
  );
  const labelId = await seedLabel(env, organizationId, o, perCell);
  for (const table of [
    'report_daily',
    'report_duration',
    'report_monthly',
    'report_duration_monthly',
    'report_team_monthly',
    'report_label_daily',
    'report_label_duration',
    'report_label_monthly',
    'report_label_duration_monthly',
    'report_label_team_monthly',
  ])
    await env.db.query(`ANALYZE ${table}`);
  const {
    rows: [sizes],
  } = await env.db.query<SeededReports['sizes']>(
    `SELECT (SELECT count(*)::int FROM report_daily) AS daily, (SELECT count(*)::int FROM report_duration) AS durations,
            (SELECT count(*)::int FROM report_monthly) AS monthly, (SELECT count(*)::int FROM report_label_daily) AS "labelDaily",
            (SELECT count(*)::int FROM report_label_duration) AS "labelDurations"`,
  );
  log(
    `seeded ${count(sizes!.daily)} daily rows (${count(perCell * sizes!.daily)} conversations, ${types.length} démarches) ${count(sizes!.durations)} histogram rows, ${count(sizes!.monthly)} monthly rows (${o.historyYears} earlier years), ${count(sizes!.labelDaily)} label daily rows and ${count(sizes!.labelDurations)} label histogram rows in ${seconds(nowMs() - seedStart)}`,
  );
  return { organizationId, teamIds, token: admin!.token, sizes: sizes!, perCell, labelId };
}

/**
 * A broad label (« Signalement voirie »: `labelShare` of the files) as the fold keeps its rows:
 * its share of every daily row of the bench year and of the earlier years, its share of the bench
 * year's histograms, and their monthly rollups (the sums of those days). A few narrow labels
 * beside it, so the label index holds other labels' rows too.
 */
async function seedLabel(env: BenchEnv, organizationId: string, o: ReportsBenchOptions, perCell: number): Promise<string> {
  const { rows: labels } = await env.db.query<{ id: string }>(
    `INSERT INTO label (organization_id, name, color)
     SELECT $1, n, '#1f6feb' FROM unnest(ARRAY['Signalement voirie', 'Élus', 'Presse', 'Urgent']) WITH ORDINALITY AS x(n, i)
      ORDER BY i RETURNING id`,
    [organizationId],
  );
  const [broad, ...narrow] = labels.map((l) => l.id);
  const share = Math.max(1, Math.round(perCell * o.labelShare));
  const counters = DAILY_COUNTERS.join(', ');
  // The broad label in every cell of every year; the narrow ones in one cell in 50 of the bench year.
  await env.db.query(
    `INSERT INTO report_label_daily (label_id, organization_id, day, team_id, channel_kind, request_type_id, ${counters},
                                     satisfaction_hist)
     SELECT $2, organization_id, (day - make_interval(years => y))::date, team_id, channel_kind, request_type_id,
            ${DAILY_COUNTERS.map((c) => `least(${c}, $3)`).join(', ')}, satisfaction_hist
       FROM report_daily CROSS JOIN generate_series(0, $4) y
      WHERE organization_id = $1
     UNION ALL
     SELECT l, organization_id, day, team_id, channel_kind, request_type_id, ${DAILY_COUNTERS.map((c) => `least(${c}, 1)`).join(', ')},
            satisfaction_hist
       FROM report_daily CROSS JOIN unnest($5::uuid[]) l
      WHERE organization_id = $1 AND hashtext(l::text || day::text || team_id::text || channel_kind) % 50 = 0`,
    [organizationId, broad, share, o.historyYears, narrow],
  );
  await env.db.query(
    `INSERT INTO report_label_duration (label_id, organization_id, day, team_id, channel_kind, request_type_id, metric, bucket, n)
     SELECT $2, organization_id, day, team_id, channel_kind, request_type_id, metric, bucket, n
       FROM report_duration WHERE organization_id = $1 AND bucket <= $3 * 15`,
    [organizationId, broad, Math.min(o.bucketsPerRow, share)],
  );
  // The monthly rollups, as the fold keeps them beside the daily label rows (the sums of their days), written month
  // after month as the fold writes them (a GROUP BY's order would scatter a year's rows over the table).
  const hist = Array.from({ length: 11 }, (_, i) => `sum(satisfaction_hist[${i + 1}])`).join(', ');
  await env.db.query(
    `INSERT INTO report_label_monthly (label_id, organization_id, month, team_id, channel_kind, request_type_id, ${counters},
                                       satisfaction_hist)
     SELECT label_id, organization_id, date_trunc('month', day)::date, team_id, channel_kind, request_type_id,
            ${DAILY_COUNTERS.map((c) => `sum(${c})`).join(', ')}, ARRAY[${hist}]::int[]
       FROM report_label_daily WHERE organization_id = $1
      GROUP BY label_id, organization_id, date_trunc('month', day)::date, team_id, channel_kind, request_type_id
      ORDER BY 3`,
    [organizationId],
  );
  await env.db.query(
    `INSERT INTO report_label_duration_monthly (label_id, organization_id, metric, month, team_id, bucket, n)
     SELECT label_id, organization_id, metric, date_trunc('month', day)::date, team_id, bucket, sum(n)
       FROM report_label_duration WHERE organization_id = $1
      GROUP BY label_id, organization_id, metric, date_trunc('month', day)::date, team_id, bucket
      ORDER BY 4`,
    [organizationId],
  );
  await env.db.query(
    `INSERT INTO report_label_team_monthly (label_id, organization_id, month, team_id, ${counters}, satisfaction_hist)
     SELECT label_id, organization_id, month, team_id, ${DAILY_COUNTERS.map((c) => `sum(${c})`).join(', ')}, ARRAY[${hist}]::int[]
       FROM report_label_monthly WHERE organization_id = $1
      GROUP BY label_id, organization_id, month, team_id
      ORDER BY month`,
    [organizationId],
  );
  return broad!;
}

/**
 * Sequential scans of aggregate tables that read more rows than they keep, in an EXPLAIN ANALYZE
 * plan: a report must reach its rows through an index. (A scan that keeps every row it reads, the
 * whole history of the bench's only organization, is what an index would read too.)
 */
export function seqScansOfAggregates(plan: string[]): string[] {
  const found: string[] = [];
  plan.forEach((line, i) => {
    const scan = /Seq Scan on (report_\w+).*actual time=[\d.]+\.\.[\d.]+ rows=([\d.]+) loops=(\d+)/.exec(line);
    if (!scan) return;
    const depth = line.search(/\S/);
    let removed = 0;
    for (let j = i + 1; j < plan.length && plan[j]!.search(/\S/) > depth && !plan[j]!.includes('->'); j++) {
      const r = /Rows Removed by Filter: ([\d.]+)/.exec(plan[j]!);
      if (r) removed = Number(r[1]);
    }
    const kept = Number(scan[2]);
    // A few thousand rows (a small rollup) read whole cost less than an index walk: not flagged.
    if (removed > kept && removed >= 10_000) found.push(`${scan[1]} (${count(kept)} kept, ${count(removed)} read and dropped)`);
  });
  return found;
}

/**
 * The statements each report sends (recorded on the app's Database), each run again under EXPLAIN
 * ANALYZE: its execution time and top plan node, or the whole plan with REPORTS_BENCH_PLANS=full.
 */
async function logPlans(env: BenchEnv, paths: string[], token: string, log: Log): Promise<string[]> {
  const db = env.app.app.get(Database);
  const query = db.query.bind(db);
  const probe = new HttpProbe(env.app.url);
  const scans: string[] = [];
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
        const seq = seqScansOfAggregates(plan);
        for (const table of seq)
          scans.push(`${path.split('?')[0]!.split('/').pop()}${path.includes('labelId=') ? ' (label)' : ''}: ${table}`);
        log(
          `${path.split('?')[0]} · ${time} · ${plan[0]!.trim().slice(0, 80)} · ${seq.length ? `SEQ SCAN ${seq.join(', ')} · ` : ''}${what}`,
        );
        if (process.env.REPORTS_BENCH_PLANS === 'full') log(plan.join('\n'));
      }
    }
  } finally {
    db.query = query;
    probe.close();
  }
  return scans;
}

export async function benchReports(o: ReportsBenchOptions, log: Log): Promise<BenchResult> {
  return withBenchEnv(log, async (env) => {
    const { organizationId, token, sizes, perCell, labelId } = await seedReports(env, o, log);
    const probe = new HttpProbe(env.app.url);
    const period = `from=${YEAR}-01-01&to=${YEAR}-12-31`;
    const kinds = ['volumes', 'response-times', 'telephone', 'satisfaction'];
    // A year's report as asked with no granularity: a series by month (the API's default for a year).
    const reports = kinds.map((k) => `/api/v1/reports/${k}?${period}`);
    // The same year filtered by the broad label: its rows (the label's monthly rollup for whole months).
    const labelled = kinds.map((k) => `/api/v1/reports/${k}?${period}&labelId=${labelId}`);
    // Shown beside, not in the target: the same year drawn day by day reads the year's daily rows.
    const byDay = `/api/v1/reports/volumes?${period}&granularity=day`;
    // The aggregate a year's report reads: twelve months of the monthly rollup.
    const bareSql = `SELECT sum(created)::bigint, sum(resolved)::bigint FROM report_monthly
                      WHERE organization_id = $1 AND month BETWEEN $2::date AND $3::date`;
    // The aggregate a year's label report reads: twelve months of the label's monthly rollup.
    const bareLabelSql = `SELECT sum(created)::bigint, sum(resolved)::bigint FROM report_label_monthly
                           WHERE organization_id = $1 AND label_id = $2 AND month BETWEEN $3::date AND $4::date`;
    const samples: Record<string, number[]> = {
      health: [],
      sql: [],
      labelSql: [],
      ...Object.fromEntries([...reports, ...labelled, byDay].map((r) => [r, []])),
    };
    for (let i = 0; i < o.warmup + o.requests; i++) {
      const keep = i >= o.warmup;
      for (const path of [...reports, ...labelled, byDay]) {
        const r = await probe.get(path, token);
        if (r.status !== 200) throw new Error(`${path} answered ${r.status}: ${r.body.slice(0, 200)}`);
        if (keep) samples[path]!.push(r.ms);
      }
      const h = await probe.get('/api/v1/health');
      if (h.status !== 200) throw new Error(`health answered ${h.status}`);
      const s0 = nowMs();
      await env.db.query(bareSql, [organizationId, `${YEAR}-01-01`, `${YEAR}-12-01`]);
      const s1 = nowMs();
      await env.db.query(bareLabelSql, [organizationId, labelId, `${YEAR}-01-01`, `${YEAR}-12-01`]);
      if (keep) {
        samples.health!.push(h.ms);
        samples.sql!.push(s1 - s0);
        samples.labelSql!.push(nowMs() - s1);
      }
    }
    probe.close();
    const scans = await logPlans(env, [...reports, ...labelled], token, log);
    const health = summarize(samples.health!);
    const sql = summarize(samples.sql!);
    const labelSql = summarize(samples.labelSql!);
    const baseline = health.p99 + sql.p99;
    const labelBaseline = health.p99 + labelSql.p99;
    const name = (path: string) => path.split('/').pop()!.split('?')[0]!;
    const per = reports.map((path) => ({ name: name(path), s: summarize(samples[path]!) }));
    const perLabel = labelled.map((path) => ({ name: name(path), s: summarize(samples[path]!) }));
    const worst = Math.max(...per.map((p) => p.s.p99));
    const worstLabel = Math.max(...perLabel.map((p) => p.s.p99));
    const daily = summarize(samples[byDay]!);
    const pass =
      worst <= 300 && worst <= 3 * baseline && worstLabel <= 300 && worstLabel <= 3 * labelBaseline && scans.length === 0;
    return {
      id: 'reports',
      title: `Reports: one year of every service (${count(sizes.daily)} daily aggregate rows, ${count(sizes.durations)} histogram rows, ${count(sizes.monthly)} monthly rows over ${o.historyYears + 1} years; ${count(sizes.labelDaily)} label daily rows, ${count(sizes.labelDurations)} label histogram rows)`,
      columns: ['p50', 'p99'],
      rows: [
        ...per.map((p) => ({ metric: `GET /reports/${p.name}`, values: [ms(p.s.p50), ms(p.s.p99)] })),
        { metric: 'GET /reports/volumes by day (not in the target)', values: [ms(daily.p50), ms(daily.p99)] },
        { metric: 'bare GET /health', values: [ms(health.p50), ms(health.p99)] },
        { metric: 'bare SQL, one aggregate read', values: [ms(sql.p50), ms(sql.p99)] },
        ...perLabel.map((p) => ({ metric: `GET /reports/${p.name}, one label`, values: [ms(p.s.p50), ms(p.s.p99)] })),
        {
          metric: 'bare SQL, one label aggregate read (a year of its monthly rows)',
          values: [ms(labelSql.p50), ms(labelSql.p99)],
        },
      ],
      target:
        'slowest report p99 ≤ 300 ms and ≤ 3 × (health p99 + bare SQL p99); the same for one label against its own bare SQL; no sequential scan of an aggregate table',
      measured: `${ms(worst)} vs ${ms(Math.min(300, 3 * baseline))}; one label ${ms(worstLabel)} vs ${ms(Math.min(300, 3 * labelBaseline))}; ${scans.length ? `sequential scans: ${scans.join(', ')}` : 'every statement index-served'}`,
      pass,
      notes: [
        `${o.requests} measured rounds after ${o.warmup} warm-up; ${count(perCell)} conversations per aggregate row`,
        `the label carries ${Math.round(o.labelShare * 100)} % of the files, in every aggregate cell of ${o.historyYears + 1} years (daily rows and their monthly rollups)`,
      ],
      server: env.server,
    };
  });
}
