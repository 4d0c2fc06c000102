/**
 * Retention (issue 16): how many finished conversations the run anonymizes per second, and the
 * inbox list's p99 while it runs beside its quiet p99 measured in the same run (target: within 2×).
 */
import { RetentionService } from '../src/modules/privacy/retention.service';
import { withBenchEnv, type Log } from './lib/env';
import { createAgents, createOrganization, createTeams } from './lib/fixtures';
import { HttpProbe } from './lib/http';
import type { BenchResult } from './lib/report';
import { count, ms, perSecond, seconds, summarize } from './lib/stats';
import { nowMs } from './lib/timing';

export interface RetentionBenchOptions {
  /** Finished conversations past their rule, each with `messagesPer` messages. */
  conversations: number;
  messagesPer: number;
  /** Conversations still in progress that the inbox lists. */
  inProgress: number;
  quietProbes: number;
}

export const RETENTION_DEFAULTS: RetentionBenchOptions = {
  conversations: 100_000,
  messagesPer: 3,
  inProgress: 5_000,
  quietProbes: 500,
};

export async function benchRetention(o: RetentionBenchOptions, log: Log): Promise<BenchResult> {
  return withBenchEnv(log, async (env) => {
    const organizationId = await createOrganization(env.db);
    const [teamId] = await createTeams(env.db, organizationId, ['État civil']);
    const [agent] = await createAgents(env.db, { organizationId, role: 'agent', teamIds: [teamId!], count: 1 });
    const seedStart = nowMs();
    const seed = async (n: number, status: string, resolvedDaysAgo: number | null) => {
      for (let from = 0; from < n; from += 10_000) {
        const size = Math.min(10_000, n - from);
        await env.db.query(
          `WITH c AS (
             INSERT INTO contact (organization_id, name) SELECT $1, 'Citoyen ' || g FROM generate_series(1, $3) g RETURNING id
           ), conv AS (
             INSERT INTO conversation (organization_id, reference, contact_id, team_id, status, subject, citizen_name, resolved_at,
                                       last_message_at)
             SELECT $1, 'GU-' || upper(substr(md5(random()::text || id::text), 1, 10)), id, $2, $4, 'Demande d''acte ' || id,
                    'Citoyen', CASE WHEN $5::int IS NULL THEN NULL ELSE now() - make_interval(days => $5::int) END,
                    now() - random() * interval '30 days'
               FROM c RETURNING id
           )
           INSERT INTO message (organization_id, conversation_id, direction, kind, body, status)
           SELECT $1, conv.id, 'inbound', 'message', 'Bonjour, je souhaite une copie intégrale de mon acte de naissance ' || m, 'received'
             FROM conv CROSS JOIN generate_series(1, $6) m`,
          [organizationId, teamId, size, status, resolvedDaysAgo, o.messagesPer],
        );
      }
    };
    await seed(o.conversations, 'resolved', 10);
    await seed(o.inProgress, 'open', null);
    await env.db.query(`ANALYZE`);
    await env.db.query(
      `INSERT INTO retention_rule (organization_id, duration_days, legal_basis, purpose) VALUES ($1, 1, 'Mission de service public', 'Banc')`,
      [organizationId],
    );
    log(
      `seeded ${count(o.conversations)} finished + ${count(o.inProgress)} open conversations in ${seconds(nowMs() - seedStart)}`,
    );

    const probe = new HttpProbe(env.app.url);
    const list = `/api/v1/conversations?teamId=${teamId}&status=open&limit=50`;
    const quiet: number[] = [];
    for (let i = 0; i < o.quietProbes; i++) {
      const r = await probe.get(list, agent!.token);
      if (r.status !== 200) throw new Error(`list answered ${r.status}`);
      quiet.push(r.ms);
    }
    const busy: number[] = [];
    let running = true;
    const probing = (async () => {
      while (running) {
        const r = await probe.get(list, agent!.token);
        if (r.status !== 200) throw new Error(`list answered ${r.status}`);
        busy.push(r.ms);
      }
    })();
    const start = nowMs();
    const result = await env.app.app.get(RetentionService).run({ organizationId, agentId: null });
    const elapsed = nowMs() - start;
    running = false;
    await probing;
    probe.close();
    if (result.anonymized !== o.conversations) throw new Error(`anonymized ${result.anonymized} of ${o.conversations}`);
    const q = summarize(quiet);
    const b = summarize(busy);
    const rate = (o.conversations * 1000) / elapsed;
    const pass = b.p99 <= 2 * q.p99;
    return {
      id: 'retention',
      title: `Retention: anonymizing ${count(o.conversations)} finished conversations (${o.messagesPer} messages each)`,
      columns: ['during the run', 'quiet (same run)'],
      rows: [
        { metric: 'anonymized per second', values: [perSecond(rate), ''] },
        { metric: 'run time', values: [seconds(elapsed), ''] },
        { metric: 'inbox list p50', values: [ms(b.p50), ms(q.p50)] },
        { metric: 'inbox list p99', values: [ms(b.p99), ms(q.p99)] },
        { metric: 'list requests', values: [count(b.n), count(q.n)] },
      ],
      target: 'inbox list p99 during the run ≤ 2 × its quiet p99',
      measured: `${ms(b.p99)} vs ${ms(2 * q.p99)}; ${perSecond(rate)} anonymized`,
      pass,
      notes: [`${count(result.contactsAnonymized)} citizens anonymized with their files; batches of 200 conversations`],
      server: env.server,
    };
  });
}
