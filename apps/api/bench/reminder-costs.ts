import { RegistrantNotices } from '../src/modules/municipal-events/registrant-notices.service';
import { REMINDER_PREFIX, seedRegistrants, withReminderTown } from './events';
import type { BenchEnv } from './lib/env';
import { cpuMark, cpuSince } from './lib/cpu';
import type { StandinsCount } from './lib/standins';
import { countStatements, type StatementCount } from './lib/statement-count';
import { nowMs, sleep } from './lib/timing';

/**
 * What a reminder costs the database, counted rather than timed (issue 17: the ingest during the
 * reminders): `n` registrants (default 1,000; half by e-mail, half by SMS, as the events bench
 * seeds them) reminded once — scheduled by RegistrantNotices.sendDueReminders, sent by the
 * outbound jobs through the stand-ins — with no inbound traffic, autovacuum off. Prints, per
 * reminder: statements of the app's pool and of pg-boss's (by kind), transactions committed
 * (pg_stat_database.xact_commit of the bench's database), WAL records, bytes, full-page images
 * and flushes (pg_stat_wal, pg_current_wal_lsn), and CPU of the app process and the database.
 *
 *   cd apps/api && node ../../node_modules/typescript/bin/tsc -p bench && node dist/bench-build/bench/reminder-costs.js [n]
 */
interface DbCounters {
  xact_commit: number;
  xact_rollback: number;
  lsn: string;
  wal: Record<string, number | string>;
}

async function counters(env: BenchEnv): Promise<DbCounters> {
  // Backends flush their statistics at most once a second: what the run did is in them after this.
  await sleep(1_500);
  await env.db.query('SELECT pg_stat_clear_snapshot()');
  const { rows } = await env.db.query<{ xact_commit: string; xact_rollback: string; lsn: string; wal: Record<string, number> }>(
    `SELECT d.xact_commit, d.xact_rollback, pg_current_wal_lsn()::text AS lsn, (SELECT to_jsonb(w) FROM pg_stat_wal w)
              || coalesce((SELECT jsonb_build_object('io_wal_writes', sum(writes), 'io_wal_fsyncs', sum(fsyncs))
                             FROM pg_stat_io WHERE object = 'wal'), '{}') AS wal
       FROM pg_stat_database d WHERE d.datname = current_database()`,
  );
  const r = rows[0]!;
  return { xact_commit: Number(r.xact_commit), xact_rollback: Number(r.xact_rollback), lsn: r.lsn, wal: r.wal };
}

function perReminder(label: string, c: StatementCount, n: number): string {
  const kinds = c.byKind
    .filter(([, k]) => k / n >= 0.005)
    .map(([kind, k]) => `    ${(k / n).toFixed(3).padStart(7)}  ${kind}`)
    .join('\n');
  return `${label}: ${(c.total / n).toFixed(2)} statements per reminder (${c.total})\n${kinds}`;
}

async function main(): Promise<void> {
  const n = Number(process.argv[2] ?? 1000);
  const log = (m: string) => console.log(m);
  await withReminderTown(log, async ({ env, standins, organizationId, teamId }) => {
    await env.db.query(`ALTER SYSTEM SET autovacuum = off`);
    await env.db.query(`SELECT pg_reload_conf()`);
    await seedRegistrants(env, organizationId, teamId, n);
    await env.db.query('VACUUM (ANALYZE)');
    await env.db.query('CHECKPOINT');
    const reminded = (c: StandinsCount) =>
      Object.values(c.mail).reduce((a, b) => a + b, 0) + Object.values(c.sms).reduce((a, b) => a + b, 0);
    const notices = env.app.app.get(RegistrantNotices);

    const before = await counters(env);
    const mark = cpuMark();
    const started = nowMs();
    let scheduled = 0;
    let sentMs = 0;
    let jobs: StatementCount | undefined;
    const app = await countStatements(async () => {
      jobs = await countStatements(async () => {
        scheduled = await notices.sendDueReminders();
        for (;;) {
          if (reminded(await standins.count(REMINDER_PREFIX)) >= n) break;
          if (nowMs() - started > 600_000) throw new Error('reminders not all sent within 10 minutes');
          await sleep(100);
        }
        sentMs = nowMs() - started;
        // Every send's outcome written and its job completed.
        for (;;) {
          const { rows } = await env.db.query<{ left: string }>(
            `SELECT (SELECT count(*) FROM message WHERE status IN ('queued', 'sending') AND direction = 'outbound')
                        + (SELECT count(*) FROM pgboss.job WHERE name = 'outbound-send' AND state IN ('created', 'retry', 'active')) AS left`,
          );
          if (Number(rows[0]!.left) === 0) break;
          await sleep(100);
        }
      }, 'guichet-jobs');
    });
    const cpu = cpuSince(mark);
    const after = await counters(env);
    const final = await standins.count(REMINDER_PREFIX);
    const { rows: outcome } = await env.db.query<{ status: string; n: string }>(
      `SELECT status, count(*) AS n FROM message WHERE direction = 'outbound' AND kind = 'message' GROUP BY status`,
    );
    const duplicates = [...Object.values(final.mail), ...Object.values(final.sms)].filter((k) => k > 1).length;
    const wal = (k: string) => Number(after.wal[k] ?? 0) - Number(before.wal[k] ?? 0);
    const { rows: lsn } = await env.db.query<{ bytes: string }>(`SELECT pg_wal_lsn_diff($1, $2)::bigint AS bytes`, [
      after.lsn,
      before.lsn,
    ]);
    log('');
    log(
      `${n} reminders: ${scheduled} scheduled, ${reminded(final)} received (${duplicates} recipients twice), sent in ${(sentMs / 1000).toFixed(1)} s`,
    );
    log(`messages: ${outcome.map((r) => `${r.status} ${r.n}`).join(', ')}`);
    log(perReminder("app pool ('guichet')", app, n));
    log(perReminder("pg-boss pool ('guichet-jobs')", jobs!, n));
    log(
      `transactions committed per reminder: ${((after.xact_commit - before.xact_commit) / n).toFixed(2)} (rolled back ${after.xact_rollback - before.xact_rollback})`,
    );
    log(
      `WAL per reminder: ${(Number(lsn[0]!.bytes) / n / 1024).toFixed(2)} kB (lsn), ${(wal('wal_bytes') / n / 1024).toFixed(2)} kB, ` +
        `${(wal('wal_records') / n).toFixed(1)} records, ${(wal('wal_fpi') / n).toFixed(2)} full-page images` +
        ('wal_sync' in after.wal
          ? `, ${(wal('wal_sync') / n).toFixed(2)} flushes (wal_sync), ${(wal('wal_write') / n).toFixed(2)} writes`
          : '') +
        ('io_wal_fsyncs' in after.wal
          ? `, ${(wal('io_wal_fsyncs') / n).toFixed(2)} fsyncs and ${(wal('io_wal_writes') / n).toFixed(2)} writes (pg_stat_io)`
          : ''),
    );
    log(`CPU per reminder: app process ${(cpu.processMs / n).toFixed(2)} ms, database ${(cpu.databaseMs / n).toFixed(2)} ms`);
  });
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    console.error(e);
    process.exit(1);
  },
);
