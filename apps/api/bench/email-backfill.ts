/**
 * E-mail backfill (issue 3): a real Dovecot mailbox holding N citizen mails (APPENDed beforehand)
 * is imported by an e-mail channel created over the API; measured from the channel's creation to
 * the Nth message stored. Beside it, from the same mailbox in the same run: a bare imapflow fetch
 * of the sources, and that fetch plus mailparser's simpleParser without storing.
 */
import { parseEmail, type EmailConfig } from '@guichet/channels';
import { startDovecot, type Dovecot, type DovecotUser } from '@guichet/testing';
import { ChannelService } from '../src/modules/channels/channel.service';
import { EmailIngestService } from '../src/modules/email/email-ingest.service';
import { CpuMeter } from './lib/cpu';
import { withBenchEnv, type BenchEnv, type Log } from './lib/env';
import { createOrganization, createTeams } from './lib/fixtures';
import {
  appendMails,
  benchTag,
  citizenMail,
  CHANNEL_ADDRESS,
  createEmailChannelOverApi,
  simpleParser,
  storedOnChannel,
  type ImapClient,
} from './lib/mailbox';
import type { BenchResult } from './lib/report';
import { count, perSecond, seconds } from './lib/stats';
import { DeadlineError, nowMs, runPool, sleep } from './lib/timing';

export interface EmailBackfillBenchOptions {
  messages: number;
  /** IMAP connections used to APPEND the mailbox's content beforehand. */
  appendConnections: number;
  /** Each baseline runs this many times: before and after the import, alternating. */
  baselineRuns: number;
  pollMs: number;
  /** Mails pushed afterwards straight through parseEmail() and EmailIngestService (no IMAP), for a CPU breakdown. */
  cpuProbe: number;
  /** Throughput ratio to fetch-plus-parse. */
  target: number;
  deadlineMs: number;
}

export const EMAIL_BACKFILL_DEFAULTS: EmailBackfillBenchOptions = {
  messages: 5_000,
  appendConnections: 4,
  baselineRuns: 2,
  pollMs: 50,
  cpuProbe: 500,
  target: 0.3,
  deadlineMs: 10 * 60_000,
};

interface Run {
  messages: number;
  bytes: number;
  elapsedMs: number;
  cpu: CpuMeter;
}

/** One pass over the whole INBOX (read-only): FETCH 1:* (UID, BODY[]), optionally parsing each source. */
async function fetchAll(dovecot: Dovecot, box: DovecotUser, parse: boolean, cpu: CpuMeter): Promise<Omit<Run, 'cpu'>> {
  const client: ImapClient = await dovecot.client(box);
  try {
    cpu.start();
    const start = nowMs();
    await client.mailboxOpen('INBOX', { readOnly: true });
    let messages = 0;
    let bytes = 0;
    for await (const m of client.fetch('1:*', { uid: true, source: true })) {
      if (!m.source) throw new Error(`UID ${m.uid} came without its source`);
      if (parse) {
        const parsed = await simpleParser(m.source);
        if (!parsed.text) throw new Error(`UID ${m.uid}: no text part parsed`);
      }
      messages++;
      bytes += m.source.length;
    }
    const elapsedMs = nowMs() - start;
    cpu.stop();
    return { messages, bytes, elapsedMs };
  } finally {
    await client.logout().catch(() => client.close());
  }
}

/** Process CPU per mail (ms) of parseEmail() alone, then of EmailIngestService.process() (parse + ingest), 50 at a time like the watcher. */
async function cpuBreakdown(env: BenchEnv, channelId: string, n: number): Promise<{ parseMs: number; processMs: number }> {
  const channel = await env.app.app.get(ChannelService).resolve(null, channelId);
  if (!channel) throw new Error(`channel ${channelId} not found`);
  const ref = { id: channel.id, organizationId: channel.organizationId, config: channel.config as EmailConfig };
  const tag = benchTag();
  const sources = Array.from({ length: n }, (_, i) => Buffer.from(citizenMail(i, `probe-${tag}`)));
  const parse = new CpuMeter();
  parse.start();
  await runPool(n, 50, 5 * 60_000, async (i) => {
    await parseEmail(sources[i]!, { channelId, channelAddress: CHANNEL_ADDRESS });
  });
  parse.stop();
  const emails = env.app.app.get(EmailIngestService);
  const full = new CpuMeter();
  full.start();
  await runPool(n, 50, 5 * 60_000, async (i) => {
    const r = await emails.process(ref, { folder: 'INBOX', uid: 1_000_000 + i, source: sources[i]! });
    if (r.kind !== 'stored' || !r.created) throw new Error(`probe mail ${i}: ${JSON.stringify(r)}`);
  });
  full.stop();
  return { parseMs: parse.processMs / n, processMs: full.processMs / n };
}

class Baseline {
  readonly cpu = new CpuMeter();
  messages = 0;
  bytes = 0;
  elapsedMs = 0;

  constructor(
    private readonly dovecot: Dovecot,
    private readonly box: DovecotUser,
    private readonly parse: boolean,
    private readonly expected: number,
  ) {}

  async run(): Promise<void> {
    const r = await fetchAll(this.dovecot, this.box, this.parse, this.cpu);
    if (r.messages !== this.expected) throw new Error(`fetched ${r.messages} messages, expected ${this.expected}`);
    this.messages += r.messages;
    this.bytes += r.bytes;
    this.elapsedMs += r.elapsedMs;
  }

  get perSecond(): number {
    return (this.messages / this.elapsedMs) * 1000;
  }
}

export async function benchEmailBackfill(o: EmailBackfillBenchOptions, log: Log): Promise<BenchResult> {
  const dovecot = await startDovecot();
  try {
    const box = await dovecot.addUser('etat-civil');
    const appendMs = await appendMails(dovecot, box, o.messages, o.appendConnections, benchTag());
    log(
      `email-backfill: Dovecot on ${dovecot.port}, ${count(o.messages)} mails APPENDed in ${seconds(appendMs)} over ${o.appendConnections} connections`,
    );
    const fetchOnly = new Baseline(dovecot, box, false, o.messages);
    const fetchParse = new Baseline(dovecot, box, true, o.messages);
    const half = Math.ceil(o.baselineRuns / 2);
    for (let r = 0; r < half; r++) {
      await fetchOnly.run();
      await fetchParse.run();
    }

    return await withBenchEnv(
      log,
      async (env) => {
        const organizationId = await createOrganization(env.db);
        const [teamId] = await createTeams(env.db, organizationId, ['État civil']);
        const cpu = new CpuMeter();
        cpu.start();
        const start = nowMs();
        const channelId = await createEmailChannelOverApi(env, dovecot, box, organizationId, teamId!);
        let firstAt: number | null = null;
        let stored = 0;
        for (let polls = 0; stored < o.messages; polls++) {
          if (nowMs() - start > o.deadlineMs)
            throw new DeadlineError(`${stored}/${o.messages} messages stored after ${seconds(o.deadlineMs)}`);
          await sleep(o.pollMs);
          stored = await storedOnChannel(env, channelId);
          if (stored > 0 && firstAt === null) firstAt = nowMs() - start;
        }
        const elapsedMs = nowMs() - start;
        cpu.stop();
        log(`email-backfill: ${count(stored)} messages stored in ${seconds(elapsedMs)}`);
        for (let r = half; r < o.baselineRuns; r++) {
          await fetchOnly.run();
          await fetchParse.run();
        }
        const { rows } = await env.db.query<{ conversations: number; contacts: number }>(
          `SELECT (SELECT count(DISTINCT conversation_id)::int FROM message WHERE channel_id = $1) AS conversations,
                  (SELECT count(*)::int FROM contact WHERE organization_id = $2) AS contacts`,
          [channelId, organizationId],
        );
        const shape = rows[0]!;
        if (stored !== o.messages || shape.conversations !== o.messages) {
          throw new Error(
            `import stored ${stored} messages in ${shape.conversations} conversations, expected ${o.messages} each`,
          );
        }

        const probe = await cpuBreakdown(env, channelId, o.cpuProbe);
        const importCpu = cpu.processMs / o.messages;
        const appRate = (o.messages / elapsedMs) * 1000;
        const steadyRate = firstAt !== null ? ((o.messages - 1) / (elapsedMs - firstAt)) * 1000 : Number.NaN;
        const ratio = appRate / fetchParse.perSecond;
        return {
          id: 'email-backfill',
          title: `E-mail backfill of ${count(o.messages)} messages from a local Dovecot`,
          columns: ['e-mail channel import (stored)', 'imapflow FETCH (source only)', 'FETCH + simpleParser'],
          rows: [
            {
              metric: 'messages',
              values: [
                count(stored),
                `${count(fetchOnly.messages)} (${o.baselineRuns} runs)`,
                `${count(fetchParse.messages)} (${o.baselineRuns} runs)`,
              ],
            },
            { metric: 'elapsed', values: [seconds(elapsedMs), seconds(fetchOnly.elapsedMs), seconds(fetchParse.elapsedMs)] },
            {
              metric: 'throughput',
              values: [perSecond(appRate), perSecond(fetchOnly.perSecond), perSecond(fetchParse.perSecond)],
            },
            { metric: 'first message stored after', values: [firstAt === null ? '—' : seconds(firstAt), '—', '—'] },
            { metric: 'throughput after the first message', values: [perSecond(steadyRate), '—', '—'] },
            {
              metric: 'machine CPU busy (all cores)',
              values: [cpu, fetchOnly.cpu, fetchParse.cpu].map((c) => `${c.machineBusyPercent.toFixed(0)} %`),
            },
            {
              metric: 'bench process CPU per message',
              values: [
                `${(cpu.processMs / o.messages).toFixed(2)} ms`,
                `${(fetchOnly.cpu.processMs / fetchOnly.messages).toFixed(2)} ms`,
                `${(fetchParse.cpu.processMs / fetchParse.messages).toFixed(2)} ms`,
              ],
            },
          ],
          target: `import ≥ ${(o.target * 100).toFixed(0)} % of FETCH + parse messages/s`,
          measured: `${(ratio * 100).toFixed(1)} % (${perSecond(appRate)} vs ${perSecond(fetchParse.perSecond)})`,
          pass: ratio >= o.target,
          notes: [
            `mailbox: ${count(o.messages)} multipart/alternative mails (text + HTML, ${(fetchOnly.bytes / fetchOnly.messages / 1024).toFixed(1)} KiB average), one new citizen each, APPENDed before the timed part; Dovecot ${dovecot.port} on loopback, maildir, its own config (libs/testing dovecot.ts)`,
            `import = from just before POST /api/v1/channels (admin, processed: seen) to the ${count(o.messages)}th message row, polled every ${o.pollMs} ms; it includes the watcher's pick-up of a new channel (refreshed every 2 s) and the \\Seen flag STOREs; checked after: ${count(stored)} messages in ${count(shape.conversations)} conversations, ${count(shape.contacts)} contacts`,
            `the importer fetches batches of 50 UIDs (the next one while the current one is stored) and stores the senders of a batch all at once, each mail through the e-mail parser and the ingest, whose transactions concurrent mails share (group commit); the baselines stream FETCH 1:* on one read-only connection (${o.baselineRuns} runs each, half before the import and half after; the app is running but idle during the later ones)`,
            `CPU: the app, its watcher and these baselines share one Node process (at most one core); the import costs ${importCpu.toFixed(2)} ms of process CPU per message against ${(fetchParse.cpu.processMs / fetchParse.messages).toFixed(2)} ms for fetch + simpleParser. Breakdown measured afterwards on ${count(o.cpuProbe)} more mails pushed without IMAP: parseEmail() (mailparser + threading hints) ${probe.parseMs.toFixed(2)} ms, EmailIngestService.process() (parse, then the ingest: HTML sanitized, stored, events) ${probe.processMs.toFixed(2)} ms, so the ingest is about ${(probe.processMs - probe.parseMs).toFixed(2)} ms and the watcher's IMAP work (FETCH batches, cursor saves, \\Seen STOREs) about ${Math.max(0, importCpu - probe.processMs).toFixed(2)} ms; the process saturates near ${perSecond(1000 / importCpu)}`,
          ],
          server: env.server,
        };
      },
      { runJobs: true },
    );
  } finally {
    await dovecot.close();
  }
}
