/**
 * Access audit (issue 16): what recording a view costs the conversation page. The page is what the
 * agent app loads when a file opens: GET /conversations/:id/opened, the file and its latest 50
 * messages in one request, which records one access (audit_event), written by the statement that
 * reads the file (ConversationRepository.findForView). Its latency is measured with the recording on, and in the
 * same run with it off (findForView replaced by the plain read, findById: the bench's switch, not
 * the product's), in alternating rounds so drift on a shared machine falls on both sides; the
 * audit table already holds a town's year of events. The agents' browsers
 * (HTTP clients) run in a child process (lib/arrivals-child.ts), so their work does not fall on the
 * app's event loop. Target: the page costs at most 10 % more with the recording on.
 */
import { ConversationRepository } from '../src/modules/conversations/conversation.repository';
import { Arrivals } from './lib/arrivals';
import { withBenchEnv, type Log } from './lib/env';
import { createAgents, createOrganization, createTeams } from './lib/fixtures';
import type { BenchResult } from './lib/report';
import { count, ms, summarize } from './lib/stats';

export interface AuditViewBenchOptions {
  /** Conversations the agents open (each with `messagesPer` messages). */
  conversations: number;
  messagesPer: number;
  /** Audit events already in the table (a year of a town's accesses). */
  priorEvents: number;
  /** Agents opening files at the same time (each a kept-alive connection, as a browser tab). */
  clients: number;
  /** Page loads per client per round; rounds alternate recording on and off. */
  loadsPerRound: number;
  rounds: number;
}

export const AUDIT_VIEW_DEFAULTS: AuditViewBenchOptions = {
  conversations: 5_000,
  messagesPer: 12,
  priorEvents: 2_000_000,
  clients: 8,
  loadsPerRound: 100,
  rounds: 6,
};

export async function benchAuditView(o: AuditViewBenchOptions, log: Log): Promise<BenchResult> {
  return withBenchEnv(log, async (env) => {
    const organizationId = await createOrganization(env.db);
    const [teamId] = await createTeams(env.db, organizationId, ['État civil']);
    const agents = await createAgents(env.db, { organizationId, role: 'agent', teamIds: [teamId!], count: o.clients });
    await env.db.query(
      `WITH c AS (
         INSERT INTO contact (organization_id, name) SELECT $1, 'Citoyen ' || g FROM generate_series(1, $3) g RETURNING id
       ), conv AS (
         INSERT INTO conversation (organization_id, reference, contact_id, team_id, status, subject, citizen_name, last_message_at)
         SELECT $1, 'GU-' || upper(substr(md5(random()::text || id::text), 1, 10)), id, $2, 'open', 'Demande ' || id, 'Citoyen',
                now() - random() * interval '30 days'
           FROM c RETURNING id
       )
       INSERT INTO message (organization_id, conversation_id, direction, kind, body, status)
       SELECT $1, conv.id, CASE WHEN m % 2 = 0 THEN 'outbound' ELSE 'inbound' END, 'message',
              'Bonjour, je souhaite une copie intégrale de mon acte de naissance, message ' || m, 'received'
         FROM conv CROSS JOIN generate_series(1, $4) m`,
      [organizationId, teamId, o.conversations, o.messagesPer],
    );
    for (let done = 0; done < o.priorEvents; done += 200_000) {
      await env.db.query(
        `INSERT INTO audit_event (organization_id, agent_id, action, conversation_id, contact_id, created_at)
         SELECT $1, $2, 'conversation.viewed', gen_random_uuid(), gen_random_uuid(), now() - random() * interval '365 days'
           FROM generate_series(1, $3)`,
        [organizationId, agents[0]!.id, Math.min(200_000, o.priorEvents - done)],
      );
    }
    await env.db.query(`ANALYZE`);
    const ids = (
      await env.db.query<{ id: string }>(`SELECT id FROM conversation WHERE organization_id = $1`, [organizationId])
    ).rows.map((r) => r.id);
    log(`seeded ${count(o.conversations)} conversations, ${count(o.priorEvents)} prior audit events`);

    const conversations = env.app.app.get(ConversationRepository);
    const findForView = conversations.findForView.bind(conversations);
    // Recording off: the file read as it was before any record, told recorded so the page is answered.
    const off: typeof conversations.findForView = async (organizationId, id) => {
      const row = await conversations.findById(organizationId, id);
      return row && { ...row, access_recorded: true };
    };
    // The agents' browsers run in a child process (lib/arrivals-child.ts), not on the app's event
    // loop; each agent has a kept-alive connection, as a browser tab.
    const browsers = Arrivals.start();
    const samples = { on: [] as number[], off: [] as number[], apart: [] as number[] };
    let next = 0;
    // 'apart': the page as the app loaded it before /opened (the file and its messages fetched
    // together on two connections, each recorded), measured in the same run for comparison.
    const page = (id: string, side: 'on' | 'off' | 'apart') =>
      side === 'apart'
        ? [`/api/v1/conversations/${id}`, `/api/v1/conversations/${id}/messages?limit=50`]
        : [`/api/v1/conversations/${id}/opened?limit=50`];
    const round = async (side: 'on' | 'off' | 'apart', keep: boolean) => {
      conversations.findForView = side === 'off' ? off : findForView;
      const done = await browsers.run({
        type: 'pages',
        baseUrl: env.app.url,
        agents: agents.map((a) => ({
          token: a.token,
          pages: Array.from({ length: o.loadsPerRound }, () => page(ids[next++ % ids.length]!, side)),
        })),
        timeoutMs: 10_000,
      });
      const failed = done.statuses.find((s) => s !== 200);
      if (failed !== undefined) throw new Error(`page answered ${failed}${done.firstError ? `: ${done.firstError}` : ''}`);
      if (keep) samples[side].push(...done.latencies);
    };
    const events = async () => (await env.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM audit_event`)).rows[0]!.n;
    let eventsBefore: number;
    try {
      await round('on', false);
      await round('off', false);
      await round('apart', false);
      eventsBefore = await events();
      for (let r = 0; r < o.rounds; r++) {
        await round(r % 2 === 0 ? 'on' : 'off', true);
        if (r % 2 === 1) await round('apart', true);
      }
    } finally {
      conversations.findForView = findForView;
      await browsers.close();
    }
    const recorded = (await events()) - eventsBefore;
    const with_ = summarize(samples.on);
    const without = summarize(samples.off);
    const apart = summarize(samples.apart);
    if (recorded !== with_.n + 2 * apart.n)
      throw new Error(`recorded ${recorded} accesses for ${with_.n} + ${apart.n} × 2 page loads with recording on`);
    const cost = (with_.p50 - without.p50) / without.p50;
    const costMean = (with_.mean - without.mean) / without.mean;
    return {
      id: 'audit-view',
      title: `Access audit: the conversation page with and without recording the view (${o.clients} agents at once)`,
      columns: ['views recorded', 'recording off (same run)', 'before: file and messages apart, each recorded (same run)'],
      rows: [
        { metric: 'page p50', values: [ms(with_.p50), ms(without.p50), ms(apart.p50)] },
        { metric: 'page mean', values: [ms(with_.mean), ms(without.mean), ms(apart.mean)] },
        { metric: 'page p99', values: [ms(with_.p99), ms(without.p99), ms(apart.p99)] },
        { metric: 'page loads', values: [count(with_.n), count(without.n), count(apart.n)] },
        { metric: 'audit rows written', values: [count(with_.n), '0', count(2 * apart.n)] },
      ],
      target: 'page p50 with the view recorded ≤ 1.10 × without',
      measured: `+${(cost * 100).toFixed(1)} % at p50, +${(costMean * 100).toFixed(1)} % mean (before, apart: +${(((apart.p50 - without.p50) / without.p50) * 100).toFixed(1)} % at p50)`,
      pass: cost <= 0.1,
      notes: [
        `a page is GET /conversations/:id/opened (the file and its latest 50 messages, one access record); ${o.rounds} alternating rounds of ${count(o.loadsPerRound)} loads per agent, and after each pair a round of the page as loaded before (GET /conversations/:id and its messages together, two records)`,
        `the agents' HTTP clients run in a child process, not on the app's event loop`,
        `audit table held ${count(o.priorEvents)} events before the run`,
      ],
      server: env.server,
    };
  });
}
