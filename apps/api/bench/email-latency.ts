/**
 * New mail to agent socket (issue 3): an e-mail channel in IDLE on a real Dovecot INBOX; mails are
 * APPENDed one at a time and timed until the team's agents get `message.created`. Beside it, in
 * the same run and for the same APPENDs: a bare imapflow client in IDLE on the same mailbox timing
 * Dovecot's EXISTS notification.
 */
import { startDovecot } from '@guichet/testing';
import { MailboxWatcherService } from '../src/modules/email/mailbox-watcher.service';
import { withBenchEnv, type Log } from './lib/env';
import { createAgents, createOrganization, createTeams } from './lib/fixtures';
import { benchTag, citizenMail, createEmailChannelOverApi, storedOnChannel, type ImapClient } from './lib/mailbox';
import type { BenchResult } from './lib/report';
import { SocketFleet } from './lib/socket-fleet';
import { count, ms, summarize } from './lib/stats';
import { DeadlineError, nowMs, runPaced, sleep } from './lib/timing';

export interface EmailLatencyBenchOptions {
  agents: number;
  messages: number;
  warmup: number;
  spacingMs: number;
  targetP99Ms: number;
}

export const EMAIL_LATENCY_DEFAULTS: EmailLatencyBenchOptions = {
  agents: 3,
  messages: 50,
  warmup: 5,
  spacingMs: 300,
  targetP99Ms: 1_500,
};

const EVENT = 'message.created';

/** Waits until the channel's watcher is in IDLE (bounded). */
async function watcherIdle(watchers: MailboxWatcherService, channelId: string, timeoutMs: number): Promise<number> {
  const start = nowMs();
  while (watchers.status(channelId)?.state !== 'idle') {
    if (nowMs() - start > timeoutMs)
      throw new DeadlineError(
        `watcher of ${channelId} not idle after ${timeoutMs} ms: ${JSON.stringify(watchers.status(channelId))}`,
      );
    await sleep(20);
  }
  return nowMs() - start;
}

export async function benchEmailLatency(o: EmailLatencyBenchOptions, log: Log): Promise<BenchResult> {
  const dovecot = await startDovecot();
  try {
    const box = await dovecot.addUser('etat-civil');
    return await withBenchEnv(
      log,
      async (env) => {
        const organizationId = await createOrganization(env.db);
        const [teamId] = await createTeams(env.db, organizationId, ['État civil']);
        const agents = await createAgents(env.db, { organizationId, role: 'agent', teamIds: [teamId!], count: o.agents });
        const channelId = await createEmailChannelOverApi(env, dovecot, box, organizationId, teamId!);
        const pickUpMs = await watcherIdle(env.app.app.get(MailboxWatcherService), channelId, 30_000);
        const fleet = SocketFleet.start();
        const clients: ImapClient[] = [];
        try {
          await fleet.connect(
            env.app.url,
            agents.map((a) => a.token),
            EVENT,
          );
          // The baseline: a second IMAP session in IDLE on the same INBOX, timing each EXISTS.
          const idler = await dovecot.client(box);
          clients.push(idler);
          const appender = await dovecot.client(box);
          clients.push(appender);
          await idler.mailboxOpen('INBOX', { readOnly: true });
          // EXISTS n: the n-th message is there (one notification may cover several APPENDs).
          const existsAt = new Map<number, number>();
          let seen = 0;
          idler.on('exists', (e: { count: number }) => {
            const at = nowMs();
            for (let n = seen + 1; n <= e.count; n++) existsAt.set(n, at);
            seen = Math.max(seen, e.count);
          });
          // Stays in IDLE until its logout in `finally` (it is never sent another command).
          void idler.idle().catch(() => undefined);
          await sleep(200);

          const total = o.warmup + o.messages;
          const sentAt: number[] = [];
          const appendMs: number[] = [];
          const tag = benchTag();
          log(
            `email-latency: ${o.agents} agents; ${o.warmup} warm-up + ${o.messages} APPENDs ${o.spacingMs} ms apart; watcher idle ${ms(pickUpMs)} after the channel's creation`,
          );
          await runPaced(total, o.spacingMs, 5 * 60_000, async (i) => {
            const raw = Buffer.from(citizenMail(i, tag));
            sentAt[i] = nowMs();
            const res = await appender.append('INBOX', raw);
            if (!res) throw new Error(`APPEND ${i} refused`);
            if (i >= o.warmup) appendMs.push(nowMs() - sentAt[i]!);
          });
          const { arrivals } = await fleet.collect(total * o.agents, 30_000);
          // The baseline's last notifications may come after the app's events (two IDLE sessions).
          for (let waited = 0; seen < total && waited < 5_000; waited += 50) await sleep(50);
          // The INBOX was empty: the i-th APPEND (from 0) makes EXISTS i + 1.
          const idleLatencies: number[] = [];
          let idleMissing = 0;
          for (let i = o.warmup; i < total; i++) {
            const at = existsAt.get(i + 1);
            if (at === undefined) idleMissing++;
            else idleLatencies.push(at - sentAt[i]!);
          }
          const latencies = arrivals.filter((a) => a.marker >= o.warmup && a.marker < total).map((a) => a.at - sentAt[a.marker]!);
          const missing = o.messages * o.agents - latencies.length;
          const stored = await storedOnChannel(env, channelId);
          if (stored !== total) throw new Error(`${stored} messages stored, expected ${total}`);

          const [p, b, a] = [summarize(latencies), summarize(idleLatencies), summarize(appendMs)];
          return {
            id: 'email-latency',
            title: `New e-mail to agent socket ${EVENT} (IMAP IDLE, ${o.agents} agents)`,
            columns: ['APPEND → agent socket message.created', 'APPEND → IDLE EXISTS (bare imapflow)'],
            rows: [
              {
                metric: 'deliveries received',
                values: [`${count(p.n)} / ${count(o.messages * o.agents)}`, `${count(b.n)} / ${count(o.messages)}`],
              },
              { metric: 'latency p50', values: [ms(p.p50), ms(b.p50)] },
              { metric: 'latency p99', values: [ms(p.p99), ms(b.p99)] },
              { metric: 'latency max', values: [ms(p.max), ms(b.max)] },
              { metric: 'APPEND command p50 / p99', values: [`${ms(a.p50)} / ${ms(a.p99)}`, 'same APPENDs'] },
            ],
            target: `p99 ≤ ${count(o.targetP99Ms)} ms with every delivery received`,
            measured: `p99 ${ms(p.p99)} (Dovecot's own IDLE notification p99 ${ms(b.p99)}), ${count(missing)} missing`,
            pass: p.p99 <= o.targetP99Ms && missing === 0 && idleMissing === 0,
            notes: [
              `${o.warmup} warm-up + ${o.messages} measured mails, APPENDed one at a time ${o.spacingMs} ms apart on a third IMAP connection; both columns time the same APPENDs from just before the command (CLOCK_MONOTONIC), agents' sockets in a child process`,
              `the channel's watcher wakes on EXISTS during IDLE, FETCHes the new UIDs, parses, stores (one ingest transaction), flags \\Seen and goes back to IDLE; the app column includes Dovecot's notification delay (baseline column) plus that work; checked after: ${count(stored)} messages stored`,
              `Dovecot config from libs/testing dovecot.ts (maildir, mailbox_idle_check_interval = 1 secs as a fallback to inotify)${idleMissing ? `; ${idleMissing} EXISTS notifications not seen by the bare client` : ''}`,
            ],
            server: env.server,
          };
        } finally {
          for (const c of clients) await c.logout().catch(() => c.close());
          await fleet.close();
        }
      },
      { runJobs: true },
    );
  } finally {
    await dovecot.close();
  }
}
