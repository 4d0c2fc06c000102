/**
 * Two instances under load for an hour (issue 18, item 4). Two API processes (the compiled
 * main.js) on one PostgreSQL and one Redis of the bench's own, 200 agents' sockets spread over
 * both, inbound traffic on every channel (e-mail through Dovecot, Twilio SMS and voice webhooks,
 * Meta webhooks, the public web form) at half the ingest capacity measured at the start, agents
 * replying and transferring; meanwhile one instance is SIGKILLed and restarted, then Redis is
 * restarted, then PostgreSQL. Checked at the end: every message stored once, every reply sent
 * once (counted at the SMTP capture, the Twilio stand-in and the Graph stand-in), every agent told
 * of every message of its service (live, or by its catch-up after a reconnect), the mailbox
 * watcher's takeover time, p99 webhook ack and event latency, each instance's RSS every minute.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { Pool } from 'pg';
import { signMetaPayload, twilioSignature } from '@guichet/channels';
import {
  metaPayloads,
  startDovecot,
  startGraphServer,
  startSmtpCapture,
  startTwilioServer,
  type DovecotUser,
} from '@guichet/testing';
import type { Log } from './lib/env';
import { createAgents, createOrganization, createTeams, MUNICIPAL_SERVICES, type BenchAgent } from './lib/fixtures';
import { apiJson } from './lib/http';
import { CHANNEL_ADDRESS } from './lib/mailbox';
import type { BenchResult } from './lib/report';
import { count, ms, summarize } from './lib/stats';
import { metricValue, soakSecrets, SoakInstance, SoakPostgres, SoakRedis } from './lib/soak-stack';
import {
  SOAK_MARKER_SQL,
  soakMarker,
  type SoakAgentReport,
  type SoakAgentsCommand,
  type SoakAgentsReply,
} from './lib/soak-protocol';
import { nowMs, sleep } from './lib/timing';
import { inboxDrained } from './lib/twilio-webhooks';

export interface SoakBenchOptions {
  durationMs: number;
  agents: number;
  /** How long saturating traffic of the run's mix measures the ingest capacity. */
  capacityMs: number;
  /** Share of the measured capacity sent during the run. */
  loadShare: number;
  /** Agent replies per inbound message (on e-mail, SMS and Messenger conversations). */
  replyShare: number;
  /** Transfers per inbound web form request. */
  transferShare: number;
  /** How long after a fault latencies are left out of the calm-period figures. */
  recoveryMs: number;
  rssEveryMs: number;
  /** RSS growth allowed after warm-up. */
  rssGrowthMax: number;
  ackP99TargetMs: number;
  eventP99TargetMs: number;
  takeoverTargetMs: number;
}

export const SOAK_DEFAULTS: SoakBenchOptions = {
  durationMs: 60 * 60_000,
  agents: 200,
  capacityMs: 60_000,
  loadShare: 0.5,
  replyShare: 0.1,
  transferShare: 0.3,
  recoveryMs: 30_000,
  rssEveryMs: 60_000,
  rssGrowthMax: 0.1,
  ackP99TargetMs: 1_000,
  eventP99TargetMs: 2_000,
  takeoverTargetMs: 10_000,
};

type Kind = 'sms' | 'voice' | 'messenger' | 'email' | 'webform';
/** Shares of the inbound traffic per channel. */
const MIX: [Kind, number][] = [
  ['sms', 0.4],
  ['messenger', 0.2],
  ['email', 0.15],
  ['webform', 0.15],
  ['voice', 0.1],
];
const TEAMS = MUNICIPAL_SERVICES;
/** Which service each channel belongs to; web form requests are transferred to the last two. */
const TEAM_OF: Record<Kind, number> = { email: 0, sms: 1, voice: 2, messenger: 3, webform: 4 };
const TRANSFER_TO = [5, 6];
const TWILIO_ACCOUNT = 'AC' + '1'.repeat(32);
const SMS_NUMBER = '+33700000011';
const VOICE_NUMBER = '+33140000011';
const PAGE_ID = '2002';
const PUBLIC_URL = 'http://guichet.soak';
const DATABASE = 'guichet_soak';

const phone = (i: number) => `+3361${String(3_000_000 + (i % 2_000)).padStart(7, '0')}`;

/** The agents' child process (soak-agents-child.js), one command at a time. */
class AgentFleet {
  private readonly child: ChildProcess;
  private waiting: ((r: SoakAgentsReply) => void) | null = null;

  constructor() {
    this.child = fork(join(__dirname, 'lib', 'soak-agents-child.js'), [], { stdio: 'inherit' });
    this.child.on('message', (r: SoakAgentsReply) => {
      const w = this.waiting;
      this.waiting = null;
      w?.(r);
    });
    this.child.on('exit', (code, signal) =>
      this.waiting?.({ type: 'error', message: `agents' process exited (${signal ?? code})` }),
    );
  }

  async ask<T extends SoakAgentsReply['type']>(
    cmd: SoakAgentsCommand,
    expect: T,
  ): Promise<Extract<SoakAgentsReply, { type: T }>> {
    const r = await new Promise<SoakAgentsReply>((resolve) => {
      this.waiting = resolve;
      this.child.send(cmd);
    });
    if (r.type === 'error') throw new Error(r.message);
    if (r.type !== expect) throw new Error(`agents answered ${r.type}, expected ${expect}`);
    return r as Extract<SoakAgentsReply, { type: T }>;
  }

  close(): void {
    if (this.child.exitCode === null) this.child.kill();
  }
}

interface Fault {
  what: string;
  /** Monotonic start and end (the latter once the service is back). */
  from: number;
  to: number;
  detail: string;
}

interface Transfer {
  conversationId: string;
  from: number;
  to: number;
  sentAt: number;
  ackAt: number;
  ok?: boolean;
}

/** Webhook senders retry as the providers do: until a 2xx, on any error or 5xx, every second. */
async function deliver(
  instances: SoakInstance[],
  rr: { i: number },
  path: string,
  body: string,
  headers: Record<string, string>,
  deadlineMs: number,
): Promise<{ ackMs: number; attempts: number; lastStatus: string; by: number }> {
  const start = nowMs();
  let attempts = 0;
  let lastStatus: string;
  for (;;) {
    // A load balancer skips an instance whose health check (/api/v1/health/ready) fails.
    const up = instances.filter((x) => x.serving);
    const target = (up.length ? up : instances)[rr.i++ % (up.length || instances.length)]!;
    attempts++;
    try {
      const res = await fetch(`${target.url}${path}`, { method: 'POST', headers, body, signal: AbortSignal.timeout(15_000) });
      await res.arrayBuffer();
      lastStatus = String(res.status);
      if (res.status >= 200 && res.status < 300)
        return { ackMs: nowMs() - start, attempts, lastStatus, by: instances.indexOf(target) };
      if (res.status < 500 && res.status !== 429) throw new Error(`${path} answered ${res.status}`);
    } catch (e) {
      if (e instanceof Error && e.message.startsWith(path)) throw e;
      lastStatus = e instanceof Error ? ((e.cause as { code?: string } | undefined)?.code ?? e.name) : String(e);
    }
    if (nowMs() - start > deadlineMs) throw new Error(`${path}: no 2xx after ${attempts} attempts (${lastStatus})`);
    await sleep(1_000);
  }
}

export async function benchSoak(o: SoakBenchOptions, log: Log): Promise<BenchResult> {
  const cleanups: (() => Promise<void> | void)[] = [];
  const runCleanups = async () => {
    for (const fn of cleanups.reverse()) await Promise.resolve(fn()).catch(() => undefined);
    cleanups.length = 0;
  };
  // Interrupted (Ctrl-C, timeout): its servers must not outlive it on a shared machine.
  const interrupted = (signal: NodeJS.Signals) => {
    log(`soak: ${signal}, stopping its servers`);
    void runCleanups().finally(() => process.exit(130));
  };
  process.once('SIGINT', interrupted);
  process.once('SIGTERM', interrupted);
  try {
    // --- servers of the bench's own -----------------------------------------------------------
    const pg = await SoakPostgres.start(log, DATABASE);
    cleanups.push(() => pg.stop());
    const redis = await SoakRedis.start();
    cleanups.push(() => redis.stop());
    const dovecot = await startDovecot();
    cleanups.push(() => dovecot.close());
    const box: DovecotUser = await dovecot.addUser('etat-civil');
    const smtp = await startSmtpCapture({ user: box.user, password: box.password });
    cleanups.push(() => smtp.close());
    const twilio = await startTwilioServer();
    cleanups.push(() => twilio.close());
    const graph = await startGraphServer();
    cleanups.push(() => graph.close());
    const authToken = randomBytes(16).toString('hex');
    twilio.addAccount(TWILIO_ACCOUNT, authToken);

    const env = { databaseUrl: pg.url(DATABASE), redisUrl: redis.url, publicUrl: PUBLIC_URL, ...soakSecrets() };
    const instances = [await SoakInstance.create('instance A', env, log), await SoakInstance.create('instance B', env, log)];
    for (const x of instances) cleanups.push(() => (x.stop(), x.cleanup()));
    // The first migrates (under its advisory lock); the second then starts on a migrated database.
    const startMs: number[] = [];
    for (const x of instances) startMs.push(await x.start());
    log(
      `soak: PostgreSQL on port ${pg.port}, redis-server on ${redis.port}, Dovecot on ${dovecot.port}; ${instances.map((x, i) => `${x.name} on ${x.port} (ready in ${ms(startMs[i]!)})`).join(', ')}`,
    );
    const db = new Pool({ connectionString: pg.url(DATABASE), max: 3, application_name: 'guichet-soak-bench' });
    db.on('error', () => undefined);
    cleanups.push(() => db.end());

    // --- fixtures ------------------------------------------------------------------------------
    const organizationId = await createOrganization(db, 'Ville de Longue-Durée');
    const slug = (await db.query<{ slug: string }>(`SELECT slug FROM organization WHERE id = $1`, [organizationId])).rows[0]!
      .slug;
    const teamIds = await createTeams(db, organizationId, TEAMS);
    const [admin] = await createAgents(db, { organizationId, role: 'admin', teamIds, count: 1 });
    const agentsByTeam: BenchAgent[][] = [];
    const agentTeam: number[] = [];
    const agents: BenchAgent[] = [];
    for (let t = 0; t < TEAMS.length; t++) {
      const n = Math.floor(o.agents / TEAMS.length) + (t < o.agents % TEAMS.length ? 1 : 0);
      const list = await createAgents(db, { organizationId, role: 'agent', teamIds: [teamIds[t]!], count: n });
      agentsByTeam.push(list);
      for (const a of list) {
        agents.push(a);
        agentTeam.push(t);
      }
    }
    const api = instances[0]!.url;
    const channel = async (kind: string, team: number, config: object): Promise<string> => {
      const res = await apiJson<{ id?: string }>(api, 'POST', '/channels', admin!.token, {
        kind,
        name: `Canal ${kind}`,
        teamId: teamIds[team],
        config,
      });
      if (res.status !== 201 || !res.body.id)
        throw new Error(`POST /channels (${kind}) answered ${res.status}: ${JSON.stringify(res.body)}`);
      return res.body.id;
    };
    const appSecret = randomBytes(16).toString('hex');
    const channels: Record<Kind, string> = {
      email: await channel('email', TEAM_OF.email, {
        address: CHANNEL_ADDRESS,
        imap: { host: '127.0.0.1', port: dovecot.port, secure: false, user: box.user, password: box.password },
        smtp: { host: '127.0.0.1', port: smtp.port, secure: false, user: box.user, password: box.password },
        processed: 'seen',
      }),
      sms: await channel('sms', TEAM_OF.sms, {
        accountSid: TWILIO_ACCOUNT,
        authToken,
        phoneNumber: SMS_NUMBER,
        apiBaseUrl: twilio.url,
      }),
      voice: await channel('voice', TEAM_OF.voice, {
        accountSid: TWILIO_ACCOUNT,
        authToken,
        phoneNumber: VOICE_NUMBER,
        apiBaseUrl: twilio.url,
      }),
      messenger: await channel('messenger', TEAM_OF.messenger, {
        pageId: PAGE_ID,
        pageAccessToken: randomBytes(16).toString('hex'),
        appSecret,
        verifyToken: randomBytes(8).toString('hex'),
        graphApiBaseUrl: graph.url,
      }),
      webform: await channel('webform', TEAM_OF.webform, {}),
    };

    // --- agents ----------------------------------------------------------------------------------
    const maxMarker = 8_000_000;
    const fleet = new AgentFleet();
    cleanups.push(() => fleet.close());
    const urls = instances.map((x) => x.url);
    const ready = await fleet.ask(
      {
        type: 'init',
        urls,
        maxMarker,
        agents: agents.map((a, i) => ({ token: a.token, teamId: teamIds[agentTeam[i]!]!, firstUrl: i % 2 })),
      },
      'ready',
    );
    if (ready.failed) throw new Error(`${ready.failed} agents could not connect: ${ready.firstError}`);
    log(`soak: ${ready.connected} agents connected (${TEAMS.length} services, alternately on both instances)`);

    // --- inbound traffic -------------------------------------------------------------------------
    const sentAt = new Float64Array(maxMarker).fill(Number.NaN);
    const kindOf = new Uint8Array(maxMarker);
    /** Which instance acknowledged each webhook (1 + its index; 0: none), for the evidence of a missed event. */
    const ackedBy = new Uint8Array(maxMarker);
    /** Attempts its webhook took (a retry after an instance died may find it stored already). */
    const attemptsOf = new Uint8Array(maxMarker);
    /** Wall-clock time each e-mail's APPEND completed (NaN: not an e-mail, or refused). */
    const appendedAt = new Float64Array(maxMarker).fill(Number.NaN);
    const KINDS: Kind[] = ['sms', 'voice', 'messenger', 'email', 'webform'];
    let nextMarker = 0;
    const sent: Record<Kind, number> = { sms: 0, voice: 0, messenger: 0, email: 0, webform: 0 };
    const acked: Record<Kind, number> = { sms: 0, voice: 0, messenger: 0, email: 0, webform: 0 };
    const acks: { at: number; ms: number }[] = [];
    let retries = 0;
    const failures: string[] = [];
    const webform = { refused: 0, unknown: 0, refusedMarkers: new Set<number>(), unknownMarkers: new Set<number>() };
    const callSids: string[] = [];
    const rr = { i: 0 };
    const tag = randomBytes(3).toString('hex');
    const imap = await Promise.all([dovecot.client(box), dovecot.client(box)]);
    const freeImap = [...imap];
    // The connections idle at the end (one that failed was dropped then).
    cleanups.push(() => Promise.all(freeImap.map((c) => c.logout().catch(() => c.close()))).then(() => undefined));

    const sendOne = async (kind: Kind): Promise<void> => {
      const m = nextMarker++;
      kindOf[m] = KINDS.indexOf(kind);
      sent[kind]++;
      const text = `Bonjour, où en est ma demande ${soakMarker(m)} ? Merci.`;
      sentAt[m] = nowMs();
      const webhook = async (path: string, body: string, headers: Record<string, string>) => {
        const r = await deliver(instances, rr, path, body, headers, 10 * 60_000);
        retries += r.attempts - 1;
        ackedBy[m] = r.by + 1;
        attemptsOf[m] = Math.min(255, r.attempts);
        acks.push({ at: sentAt[m]!, ms: r.ackMs });
        acked[kind]++;
      };
      try {
        if (kind === 'sms' || kind === 'voice') {
          const path = `/webhooks/twilio/${channels[kind]}/${kind}`;
          const params: Record<string, string> =
            kind === 'sms'
              ? {
                  MessageSid: `SM${tag}${String(m).padStart(26, '0')}`,
                  AccountSid: TWILIO_ACCOUNT,
                  From: phone(m),
                  To: SMS_NUMBER,
                  Body: text,
                  NumMedia: '0',
                }
              : {
                  CallSid: `CA${tag}${String(m).padStart(26, '0')}`,
                  AccountSid: TWILIO_ACCOUNT,
                  From: phone(m),
                  To: VOICE_NUMBER,
                  CallStatus: 'ringing',
                  Direction: 'inbound',
                };
          if (kind === 'voice') callSids.push(params.CallSid!);
          const signature = twilioSignature(authToken, PUBLIC_URL + path, params);
          await webhook(path, new URLSearchParams(params).toString(), {
            'content-type': 'application/x-www-form-urlencoded',
            'x-twilio-signature': signature,
          });
        } else if (kind === 'messenger') {
          const psid = String(9_000_000 + (m % 1_500));
          const raw = JSON.stringify(
            metaPayloads.messaging('page', [
              { accountId: PAGE_ID, events: [metaPayloads.text(PAGE_ID, psid, `m_${tag}_${m}`, text)] },
            ]),
          );
          await webhook(`/webhooks/meta/${channels.messenger}`, raw, {
            'content-type': 'application/json',
            'x-hub-signature-256': signMetaPayload(raw, appSecret),
          });
        } else if (kind === 'email') {
          const raw = [
            `From: Citoyen ${m % 500} <citoyen.${m % 500}@exemple.fr>`,
            `To: <${CHANNEL_ADDRESS}>`,
            `Subject: Demande ${m}`,
            `Date: ${new Date().toUTCString().replace('GMT', '+0000')}`,
            `Message-ID: <soak.${tag}.${m}@exemple.fr>`,
            'MIME-Version: 1.0',
            'Content-Type: text/plain; charset=utf-8',
            '',
            text,
            '',
          ].join('\r\n');
          // As a mail server delivers: a connection that fails is dropped (never reused) and the
          // delivery tried again on a new one, every second until a deadline.
          const deadline = nowMs() + 10 * 60_000;
          for (let attempt = 1; ; attempt++) {
            let c: (typeof freeImap)[number] | undefined;
            try {
              c = freeImap.pop() ?? (await dovecot.client(box));
              if (!(await c.append('INBOX', Buffer.from(raw)))) throw new Error(`APPEND ${m} refused`);
              freeImap.push(c);
              appendedAt[m] = Date.now();
              attemptsOf[m] = Math.min(255, attempt);
              acked.email++;
              break;
            } catch (e) {
              if (c) void c.logout().catch(() => c!.close());
              if (nowMs() >= deadline) throw e;
              retries++;
              await sleep(1_000);
            }
          }
        } else {
          // A citizen's browser: one POST, no automatic retry (an error page asks to try again later).
          const up = instances.filter((x) => x.serving);
          const target = (up.length ? up : instances)[rr.i++ % (up.length || instances.length)]!;
          try {
            const res = await fetch(`${target.url}/api/v1/public/organizations/${slug}/requests`, {
              method: 'POST',
              headers: { 'content-type': 'application/json' },
              body: JSON.stringify({
                teamId: teamIds[TEAM_OF.webform],
                name: `Citoyenne ${m}`,
                email: `citoyenne.${m % 700}@exemple.fr`,
                subject: `Demande en ligne ${m}`,
                body: text,
              }),
              signal: AbortSignal.timeout(15_000),
            });
            await res.arrayBuffer();
            if (res.status === 201 || res.status === 200) acked.webform++;
            else {
              webform.refused++;
              if (res.status < 500) failures.push(`web form ${m}: ${res.status}`);
              webform.refusedMarkers.add(m);
            }
          } catch {
            // No answer (its instance died or stalled): the request may or may not have been stored.
            webform.unknown++;
            webform.unknownMarkers.add(m);
          }
        }
      } catch (e) {
        failures.push(`${kind} ${m}: ${e instanceof Error ? e.message : String(e)}`);
      }
    };

    const pick = (): Kind => {
      let x = Math.random();
      for (const [kind, share] of MIX) if ((x -= share) < 0) return kind;
      return 'sms';
    };

    // --- arrivals from the agents, drained as the run goes -----------------------------------
    const deliveries: { at: number; ms: number }[] = [];
    let catchUps = 0;
    let catchUpFailures = 0;
    const drain = async () => {
      const r = await fleet.ask({ type: 'drain' }, 'arrivals');
      for (let i = 0; i < r.markers.length; i++) {
        const s = sentAt[r.markers[i]!]!;
        if (!Number.isNaN(s)) deliveries.push({ at: s, ms: r.times[i]! - s });
      }
      catchUps = r.catchUps;
      catchUpFailures = r.catchUpFailures;
    };

    // --- capacity: the run's own mix, saturating both instances ----------------------------------
    // (SMS webhooks alone, the lightest kind, measured twice what the mix sustains: the hour at
    // half of that never caught up.)
    const inFlight = new Set<Promise<void>>();
    const launch = (kind: Kind) => {
      const p: Promise<void> = sendOne(kind).finally(() => inFlight.delete(p));
      inFlight.add(p);
    };
    const capStart = nowMs();
    const capFirst = nextMarker;
    while (nowMs() - capStart < o.capacityMs) {
      while (inFlight.size < 16) launch(pick());
      await Promise.race(inFlight);
    }
    await Promise.all(inFlight);
    // A webhook is acknowledged once stored (webhook inbox) and filed after: the capacity counts
    // what was filed, so it runs until the inbox is drained (acks alone would measure the INSERT).
    await inboxDrained(db);
    const capacity = (nextMarker - capFirst) / ((nowMs() - capStart) / 1000);
    const capacityAcks = summarize(acks.map((a) => a.ms));
    acks.length = 0;
    await drain();
    deliveries.length = 0;
    const rate = capacity * o.loadShare;
    log(
      `soak: ingest capacity ${capacity.toFixed(1)} messages/s (the run's mix) over both instances (ack p99 ${ms(capacityAcks.p99)}); running ${(o.durationMs / 60_000).toFixed(1)} min at ${rate.toFixed(1)} messages/s`,
    );

    // --- agents replying and transferring ----------------------------------------------------
    const replied = new Set<string>();
    const replyMarkers = new Map<number, { conversationId: string; kind: string; status: number | string }>();
    const transfers: Transfer[] = [];
    const transferred = new Set<string>();
    const agentOps = { replies: 0, replyConflicts: 0, replyErrors: [] as string[], transferErrors: [] as string[] };
    const asAgent = async <T>(team: number, method: 'GET' | 'POST' | 'PATCH', path: string, body?: unknown) => {
      const list = agentsByTeam[team]!;
      const a = list[Math.floor(Math.random() * list.length)]!;
      const up = instances.filter((x) => x.serving);
      const target = (up.length ? up : instances)[rr.i++ % (up.length || instances.length)]!;
      const res = await fetch(`${target.url}/api/v1${path}`, {
        method,
        headers: { authorization: `Bearer ${a.token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
        body: body ? JSON.stringify(body) : undefined,
        signal: AbortSignal.timeout(15_000),
      });
      const text = await res.text();
      return { status: res.status, body: (text ? JSON.parse(text) : null) as T };
    };
    const replyOnce = async () => {
      const { rows } = await db.query<{ id: string; kind: Kind }>(
        `SELECT c.id, ch.kind FROM conversation c JOIN message m ON m.conversation_id = c.id AND m.direction = 'inbound'
           JOIN channel ch ON ch.id = m.channel_id
          WHERE c.organization_id = $1 AND ch.kind IN ('sms', 'email', 'messenger') AND m.created_at > now() - interval '60 seconds'
          ORDER BY m.created_at DESC LIMIT 50`,
        [organizationId],
      );
      const c = rows.find((r) => !replied.has(r.id));
      if (!c) return;
      replied.add(c.id);
      const team = TEAM_OF[c.kind];
      const marker = nextMarker++;
      kindOf[marker] = 255;
      for (let attempt = 0; attempt < 3; attempt++) {
        const conv = await asAgent<{ version: number }>(team, 'GET', `/conversations/${c.id}`);
        if (conv.status !== 200) throw new Error(`GET conversation answered ${conv.status}`);
        sentAt[marker] = nowMs();
        const res = await asAgent<unknown>(team, 'POST', `/conversations/${c.id}/messages`, {
          kind: 'reply',
          body: `${soakMarker(marker)} Bonjour, votre demande est bien prise en compte.`,
          version: conv.body.version,
        });
        replyMarkers.set(marker, { conversationId: c.id, kind: c.kind, status: res.status });
        if (res.status === 409) {
          agentOps.replyConflicts++;
          continue;
        }
        if (res.status !== 201 && res.status !== 200)
          agentOps.replyErrors.push(`${res.status} ${JSON.stringify(res.body).slice(0, 200)}`);
        else agentOps.replies++;
        return;
      }
    };
    const transferOnce = async () => {
      const { rows } = await db.query<{ id: string }>(
        `SELECT id FROM conversation WHERE organization_id = $1 AND team_id = $2 AND created_at < now() - interval '2 seconds'
          ORDER BY created_at DESC LIMIT 50`,
        [organizationId, teamIds[TEAM_OF.webform]],
      );
      const c = rows.find((r) => !transferred.has(r.id));
      if (!c) return;
      transferred.add(c.id);
      const to = TRANSFER_TO[transfers.length % TRANSFER_TO.length]!;
      const conv = await asAgent<{ version: number }>(TEAM_OF.webform, 'GET', `/conversations/${c.id}`);
      if (conv.status !== 200) throw new Error(`GET conversation answered ${conv.status}`);
      const t: Transfer = { conversationId: c.id, from: TEAM_OF.webform, to, sentAt: Date.now(), ackAt: Number.NaN };
      transfers.push(t);
      const res = await asAgent<unknown>(TEAM_OF.webform, 'PATCH', `/conversations/${c.id}`, {
        teamId: teamIds[to],
        version: conv.body.version,
        note: 'Demande transmise à votre service pour traitement.',
      });
      t.ackAt = Date.now();
      t.ok = res.status === 200;
      if (res.status !== 200) agentOps.transferErrors.push(`${res.status} ${JSON.stringify(res.body).slice(0, 200)}`);
    };

    // --- faults -----------------------------------------------------------------------------------
    const faults: Fault[] = [];
    let takeoverMs = Number.NaN;
    /**
     * From the SIGKILL to the storing of the last mail APPENDed before it: the survivor's catch-up,
     * read afterwards from the stored messages. (The watcher's IDLE state was the earlier measure: under a
     * steady flow of mail it syncs again before idling, so it was never seen.)
     */
    let backlogMs = Number.NaN;
    /** Wall-clock time of the SIGKILL (messages' times are the database's), for the evidence of a missed event. */
    let killedAt = Number.NaN;
    const watchers = async (x: SoakInstance) => metricValue((await x.metrics()) ?? '', 'guichet_mailbox_watchers');
    /**
     * Backends holding a mailbox lock (session advisory locks on the watchers' own connection):
     * read from PostgreSQL, so a takeover is dated even while the survivor is too busy to answer
     * its /metrics (as it is right after the kill, carrying the whole load alone).
     */
    const lockHolders = async () =>
      (
        await db.query<{ pid: number }>(
          `SELECT l.pid FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
            WHERE l.locktype = 'advisory' AND l.granted AND a.application_name = 'guichet-mailbox-locks'`,
        )
      ).rows.map((r) => r.pid);
    const killOne = async () => {
      // The instance that watches the mailbox dies: the other must take it over.
      let holder = instances[0]!;
      for (const x of instances) if ((await watchers(x)) >= 1) holder = x;
      const other = instances.find((x) => x !== holder)!;
      const before = new Set(await lockHolders());
      const from = nowMs();
      killedAt = Date.now();
      await holder.kill();
      log(`soak: SIGKILL ${holder.name} (it watched the mailbox)`);
      while (nowMs() - from < 300_000 && Number.isNaN(takeoverMs)) {
        if ((await lockHolders()).some((pid) => !before.has(pid))) takeoverMs = nowMs() - from;
        else await sleep(100);
      }
      log(`soak: ${other.name} took the mailbox ${ms(takeoverMs)} after the kill; restarting ${holder.name}`);
      // As long as it takes on a loaded machine (its first start may take over a minute there).
      const restartMs = await holder.start(600_000);
      faults.push({
        what: `SIGKILL ${holder.name}, restarted`,
        from,
        to: nowMs(),
        detail: `mailbox taken over in ${ms(takeoverMs)}; back in ${ms(restartMs)}`,
      });
    };
    const restartRedis = async () => {
      const from = nowMs();
      await redis.restart();
      log(`soak: redis-server restarted (${ms(nowMs() - from)})`);
      faults.push({ what: 'Redis restarted', from, to: nowMs(), detail: '' });
    };
    const restartPostgres = async () => {
      const from = nowMs();
      await pg.restart();
      log(`soak: PostgreSQL restarted (${ms(nowMs() - from)})`);
      faults.push({ what: 'PostgreSQL restarted', from, to: nowMs(), detail: '' });
    };
    const plan: { atMs: number; run: () => Promise<void>; done?: boolean }[] = [
      { atMs: o.durationMs * 0.2, run: killOne },
      { atMs: o.durationMs * 0.45, run: restartRedis },
      { atMs: o.durationMs * 0.7, run: restartPostgres },
    ];
    let faultsDone = false;

    // --- the run ---------------------------------------------------------------------------------
    /**
     * RSS (from /proc) of each instance, and from its /metrics: V8 heap in use and committed (in use
     * and free), memory outside it (buffers, MiB), and its connected sockets (what RSS follows when
     * agents move between instances).
     */
    type Inside = { heapMiB: number; heapTotalMiB: number; externalMiB: number; sockets: number } | null;
    const rss: { atMs: number; kb: (number | null)[]; inside: Inside[] }[] = [];
    const loadStart = nowMs();
    const sample = async () => {
      const s: (typeof rss)[number] = { atMs: nowMs() - loadStart, kb: instances.map((x) => x.rssKb()), inside: [] };
      rss.push(s);
      s.inside = await Promise.all(
        instances.map(async (x): Promise<Inside> => {
          const m = await x.metrics();
          if (!m) return null;
          return {
            heapMiB: metricValue(m, 'nodejs_heap_size_used_bytes') / 2 ** 20,
            heapTotalMiB: metricValue(m, 'nodejs_heap_size_total_bytes') / 2 ** 20,
            externalMiB: metricValue(m, 'nodejs_external_memory_bytes') / 2 ** 20,
            sockets: metricValue(m, 'guichet_socket_connections'),
          };
        }),
      );
    };
    await sample();
    const inboundStart = nextMarker;
    const background: Promise<void>[] = [];
    let stop = false;
    // RSS, drains, faults, agent actions: each on its own timer loop.
    background.push(
      (async () => {
        while (!stop) {
          await sleep(Math.min(o.rssEveryMs, 1_000));
          if (nowMs() - loadStart >= rss.length * o.rssEveryMs) await sample();
        }
      })(),
      (async () => {
        while (!stop) {
          await sleep(2_000);
          await drain();
        }
      })(),
      (async () => {
        try {
          for (const f of plan) {
            while (!stop && nowMs() - loadStart < f.atMs) await sleep(200);
            if (stop) return;
            await f.run();
          }
        } catch (e) {
          // Reported as a failure of the run; the load stops and everything is cleaned up.
          failures.push(`fault plan: ${e instanceof Error ? e.message : String(e)}`);
        }
        faultsDone = true;
      })(),
      (async () => {
        const every = 1000 / (rate * o.replyShare);
        while (!stop) {
          await sleep(every);
          await replyOnce().catch((e: unknown) => agentOps.replyErrors.push(String(e)));
        }
      })(),
      (async () => {
        const every = 1000 / (rate * MIX.find(([k]) => k === 'webform')![1] * o.transferShare);
        while (!stop) {
          await sleep(every);
          await transferOnce().catch((e: unknown) => agentOps.transferErrors.push(String(e)));
        }
      })(),
    );
    const spacing = 1000 / rate;
    // The load goes on until the last fault is over and its recovery time has passed (short runs).
    const loadGoesOn = () =>
      nowMs() - loadStart < o.durationMs || !faultsDone || nowMs() - (faults.at(-1)?.to ?? 0) < o.recoveryMs;
    for (let i = 0; loadGoesOn(); i++) {
      const wait = loadStart + i * spacing - nowMs();
      if (wait > 0) await sleep(wait);
      if (inFlight.size < 2_000) launch(pick());
    }
    const inboundEnd = nextMarker;
    log(
      `soak: ${count(inboundEnd - inboundStart)} messages sent in ${((nowMs() - loadStart) / 1000).toFixed(0)} s; waiting for retries, ingest and sends to finish`,
    );
    await Promise.all(inFlight);
    stop = true;
    await Promise.all(background);
    await sample();

    // --- settle: mail watched, queue empty ---------------------------------------------------
    const settleStart = nowMs();
    const expectedIn = Object.values(acked).reduce((s, v) => s + v, 0);
    let storedIn = 0;
    let queued = 0;
    while (nowMs() - settleStart < 120_000) {
      storedIn = Number(
        (
          await db.query<{ n: string }>(
            `SELECT count(*) AS n FROM message WHERE direction = 'inbound' AND (body ~ $1 OR external_id LIKE 'CA%')`,
            [SOAK_MARKER_SQL],
          )
        ).rows[0]!.n,
      );
      queued = Number(
        (
          await db.query<{ n: string }>(
            `SELECT count(*) AS n FROM message WHERE direction = 'outbound' AND status IN ('queued', 'sending')`,
          )
        ).rows[0]!.n,
      );
      if (storedIn >= expectedIn && queued === 0) break;
      await sleep(1_000);
    }
    await sleep(3_000);
    await drain();
    const final = await fleet.ask({ type: 'final', timeoutMs: 60_000 }, 'final');
    await drain();

    // --- in vs stored -----------------------------------------------------------------------------
    const { rows: inRows } = await db.query<{ marker: number; n: number; kind: Kind }>(
      `SELECT substring(m.body from $1)::int AS marker, count(*)::int AS n, min(ch.kind) AS kind
         FROM message m JOIN channel ch ON ch.id = m.channel_id
        WHERE m.direction = 'inbound' AND m.body ~ $1 GROUP BY 1`,
      [SOAK_MARKER_SQL],
    );
    const { rows: callRows } = await db.query<{ external_id: string; n: number }>(
      `SELECT external_id, count(*)::int AS n FROM message WHERE channel_id = $1 AND external_id = ANY($2) GROUP BY 1`,
      [channels.voice, callSids],
    );
    const storedMarkers = new Map(inRows.map((r) => [r.marker, r.n]));
    if (!Number.isNaN(killedAt)) {
      const before: number[] = [];
      for (let m = 0; m < inboundEnd; m++) if (appendedAt[m]! < killedAt) before.push(m);
      const { rows } = await db.query<{ last: Date | null }>(
        `SELECT max(created_at) AS last FROM message WHERE direction = 'inbound' AND body ~ $1
            AND substring(body from $1)::int = ANY($2::int[])`,
        [SOAK_MARKER_SQL, before],
      );
      if (rows[0]?.last) backlogMs = Math.max(0, rows[0].last.getTime() - killedAt);
    }
    const lost: number[] = [];
    const duplicated: number[] = [];
    let inboundSent = 0;
    for (let m = 0; m < inboundEnd; m++) {
      const k = kindOf[m]!;
      if (k === 255 || KINDS[k] === 'voice') continue;
      if (KINDS[k] === 'webform' && (webform.refusedMarkers.has(m) || webform.unknownMarkers.has(m))) {
        if ((storedMarkers.get(m) ?? 0) > 1) duplicated.push(m);
        continue;
      }
      inboundSent++;
      const n = storedMarkers.get(m) ?? 0;
      if (n === 0 && !(KINDS[k] === 'webform')) lost.push(m);
      if (n > 1) duplicated.push(m);
    }
    const webformLost = [...Array(inboundEnd).keys()].filter(
      (m) =>
        kindOf[m] === KINDS.indexOf('webform') &&
        !webform.refusedMarkers.has(m) &&
        !webform.unknownMarkers.has(m) &&
        !storedMarkers.has(m),
    ).length;
    const callsStored = callRows.length;
    const callsDuplicated = callRows.filter((r) => r.n > 1).length;
    const storedTotal = inRows.reduce((s, r) => s + r.n, 0) + callRows.reduce((s, r) => s + r.n, 0);

    // --- replies: queued vs sent, counted at the peers ------------------------------------------
    const { rows: outRows } = await db.query<{ marker: number; status: string; n: number }>(
      `SELECT substring(body from $1)::int AS marker, min(status) AS status, count(*)::int AS n
         FROM message WHERE direction = 'outbound' AND body ~ $1 GROUP BY 1`,
      [SOAK_MARKER_SQL],
    );
    const atPeers = new Map<number, number>();
    const countAt = (text: string) => {
      for (const m of text.replace(/=\r?\n/g, '').matchAll(/\[soak#(\d{8})\]/g))
        atPeers.set(Number(m[1]), (atPeers.get(Number(m[1])) ?? 0) + 1);
    };
    for (const mail of smtp.messages) {
      // One count per mail (a mail's text and HTML parts both carry the marker).
      const seen = new Set([...mail.text.replace(/=\r?\n/g, '').matchAll(/\[soak#(\d{8})\]/g)].map((x) => Number(x[1])));
      for (const m of seen) atPeers.set(m, (atPeers.get(m) ?? 0) + 1);
    }
    for (const r of twilio.creates()) countAt(r.form.Body ?? '');
    for (const r of graph.requests.filter((x) => x.method === 'POST' && /messages$/.test(x.path)))
      countAt(JSON.stringify(r.body));
    const statuses: Record<string, number> = {};
    for (const r of outRows) statuses[r.status] = (statuses[r.status] ?? 0) + 1;
    const repliesStored = outRows.length;
    const repliesDupRows = outRows.filter((r) => r.n > 1).length;
    const sentTwice = [...atPeers.entries()].filter(([, n]) => n > 1).map(([m]) => m);
    const sentOnce = outRows.filter((r) => atPeers.get(r.marker) === 1).length;
    const neverSent = outRows.filter((r) => !atPeers.has(r.marker));

    // --- every agent told of every message of its service ----------------------------------------
    const { rows: expectRows } = await db.query<{ marker: number; conversation_id: string; team_id: string; at: string }>(
      `SELECT substring(m.body from $1)::int AS marker, m.conversation_id, c.team_id, (extract(epoch from m.created_at) * 1000)::text AS at
         FROM message m JOIN conversation c ON c.id = m.conversation_id WHERE m.body ~ $1`,
      [SOAK_MARKER_SQL],
    );
    const transferOf = new Map(transfers.filter((t) => t.ok !== false).map((t) => [t.conversationId, t]));
    const teamIndex = new Map(teamIds.map((id, i) => [id, i]));
    let expected = 0;
    let live = 0;
    let caughtUp = 0;
    const missed: string[] = [];
    let missedCount = 0;
    /** Messages some agent missed, by their time relative to the SIGKILL (s, rounded down). */
    const missedMarkers = new Map<number, number>();
    const reports: SoakAgentReport[] = final.agents;
    const bits = reports.map((r) => Buffer.from(r.bits, 'base64'));
    for (const row of expectRows) {
      const at = Number(row.at);
      const t = transferOf.get(row.conversation_id);
      // The service the file belonged to when the message was written (either one during a transfer).
      const teams = !t ? [teamIndex.get(row.team_id)!] : at < t.sentAt ? [t.from] : at > t.ackAt ? [t.to] : [t.from, t.to];
      for (let a = 0; a < agents.length; a++) {
        if (!teams.includes(agentTeam[a]!)) continue;
        expected++;
        if ((bits[a]![row.marker >> 3]! & (1 << (row.marker & 7))) !== 0) {
          live++;
          continue;
        }
        const gap = reports[a]!.gaps.find(
          (g) =>
            g.caughtUpAt !== null &&
            at >= g.from - 5_000 &&
            at <= g.caughtUpAt &&
            (g.seen.some(([id, last]) => id === row.conversation_id && last >= at - 1) ||
              // Transferred away from this agent's service before the catch-up, or while it read
              // its list (the transfer may have committed before the read, its answer after):
              // the list rightly no longer shows the file (the transfer is checked below).
              (t !== undefined && t.from === agentTeam[a] && t.sentAt <= g.caughtUpAt)),
        );
        if (gap) {
          caughtUp++;
          continue;
        }
        missedCount++;
        missedMarkers.set(row.marker, Math.floor((at - killedAt) / 1000));
        if (missed.length < 8) {
          const clock = (ms: number) => new Date(ms).toISOString().slice(11, 23);
          const near = reports[a]!.gaps.map((g) => `${clock(g.from)}→${g.to ? clock(g.to) : 'down'} (${g.reason})`).join(', ');
          const by = ackedBy[row.marker]
            ? `, acknowledged by ${instances[ackedBy[row.marker]! - 1]!.name} at attempt ${attemptsOf[row.marker]}`
            : '';
          const moved = t ? `; transferred ${t.from}→${t.to}, asked ${clock(t.sentAt)}, answered ${clock(t.ackAt)}` : '';
          missed.push(
            `agent ${a} (service ${agentTeam[a]}, first on ${instances[a % 2]!.name}): message ${soakMarker(row.marker)} (${KINDS[kindOf[row.marker]!] ?? 'reply'}${by}) stored ${clock(at)} (${((at - killedAt) / 1000).toFixed(1)} s after the SIGKILL)${moved}; its gaps: ${near || 'none'}`,
          );
        }
      }
    }
    // Transfers: both services' agents hear of each (or were disconnected around it).
    let transferExpected = 0;
    let transferMissed = 0;
    for (const t of transfers.filter((x) => x.ok)) {
      for (let a = 0; a < agents.length; a++) {
        if (agentTeam[a] !== t.from && agentTeam[a] !== t.to) continue;
        transferExpected++;
        if (reports[a]!.transfers.includes(t.conversationId)) continue;
        if (reports[a]!.gaps.some((g) => t.ackAt >= g.from - 5_000 && t.sentAt <= (g.caughtUpAt ?? Infinity))) continue;
        transferMissed++;
        if (missed.length < 12)
          missed.push(`agent ${a} (service ${agentTeam[a]}): no conversation.updated for the transfer of ${t.conversationId}`);
      }
    }

    // --- latencies, calm and whole run ---------------------------------------------------------------
    const calm = (at: number) => !faults.some((f) => at >= f.from - 2_000 && at <= f.to + o.recoveryMs);
    // Whether the load is sustained: latencies window by window show a backlog that never drains
    // (too much load for the machine) apart from the recovery after each fault.
    const windowMs = Math.max(60_000, Math.round(o.durationMs / 12));
    const timeline = Array.from({ length: Math.ceil((nowMs() - loadStart) / windowMs) }, (_, w) => {
      const inWindow = (at: number) => at >= loadStart + w * windowMs && at < loadStart + (w + 1) * windowMs;
      const a = acks.filter((x) => inWindow(x.at)).map((x) => x.ms);
      const e = summarize(deliveries.filter((x) => inWindow(x.at)).map((x) => x.ms));
      const sa = summarize(a);
      const fault = faults
        .filter((f) => inWindow(f.from))
        .map((f) => ` (${f.what})`)
        .join('');
      return `      ${String(Math.round((w * windowMs) / 60_000)).padStart(4)} min  ${(a.length / (windowMs / 1000)).toFixed(1).padStart(6)}/s  ${ms(sa.p50).padStart(11)} / ${ms(sa.p99).padStart(12)}  ${ms(e.p99).padStart(12)}${fault}`;
    }).join('\n');
    const ackAll = summarize(acks.map((a) => a.ms));
    const ackCalm = summarize(acks.filter((a) => calm(a.at)).map((a) => a.ms));
    const evAll = summarize(deliveries.map((d) => d.ms));
    const evCalm = summarize(deliveries.filter((d) => calm(d.at)).map((d) => d.ms));

    // --- RSS: flat after warm-up (each instance since it last started carrying its load) --------------
    // An instance restarted after a SIGKILL gets webhooks at once but no socket: the agents it lost
    // reconnected to the other one and stay there until something drops them (here the Redis restart).
    // Its warm-up counts from the first sample after its last start where it holds a quarter of the
    // agents (half is its share), so an idle instance is not the baseline; an instance that keeps its
    // sockets through the faults keeps its early baseline, reconnection storms included.
    // The growth is the trend of the samples after warm-up (least squares: the fitted line's end over
    // its start), not the last sample over the first: RSS follows the collector's heap as it grows
    // and shrinks by tens of MiB, and a first sample taken in such a dip made a flat hour read +11.8 %
    // (instance B, 238 MiB at 6 min, then 262–266 MiB from 15 to 60 min). A leak is a trend; a dip is not.
    const warmupMs = Math.max(o.rssEveryMs, o.durationMs * 0.1);
    const rssVerdicts = instances.map((x, i) => {
      const started = x.readyAt - loadStart;
      const loaded = rss.find((s) => s.atMs >= started && (s.inside[i]?.sockets ?? 0) >= o.agents / 4)?.atMs ?? started;
      const since = Math.max(warmupMs, loaded + warmupMs);
      const samples = rss.filter((s) => s.atMs >= since && s.kb[i] != null).map((s) => ({ x: s.atMs, y: s.kb[i]! }));
      if (samples.length < 3) return { name: x.name, growth: Number.NaN, pass: true, note: 'too few samples after warm-up' };
      const { from, to } = trend(samples);
      const growth = to / from - 1;
      const mib = (kb: number) => (kb / 1024).toFixed(0);
      return {
        name: x.name,
        growth,
        pass: growth < o.rssGrowthMax,
        note:
          `trend ${mib(from)} → ${mib(to)} MiB from ${(since / 60_000).toFixed(0)} min ` +
          `(samples ${mib(samples[0]!.y)} → ${mib(samples.at(-1)!.y)} MiB, ${mib(Math.min(...samples.map((p) => p.y)))}–${mib(Math.max(...samples.map((p) => p.y)))})`,
      };
    });
    const insideText = (x: Inside | undefined) =>
      x
        ? `heap ${x.heapMiB.toFixed(0)} of ${x.heapTotalMiB.toFixed(0)}, external ${x.externalMiB.toFixed(0)}, ${String(x.sockets).padStart(3)} sockets`
        : 'heap ? of ?, external ?,   ? sockets';
    const rssTable = rss
      .map(
        (s) =>
          `${(s.atMs / 60_000).toFixed(1).padStart(5)} min  ${s.kb
            .map((k, i) => (k == null ? '   down' : `${(k / 1024).toFixed(0).padStart(5)} MiB (${insideText(s.inside[i])})`))
            .join('  ')}`,
      )
      .join('\n');

    const unexpected = instances.flatMap((x) => x.unexpectedExits);
    const checks = [
      {
        name: 'messages in = stored',
        pass:
          lost.length === 0 &&
          duplicated.length === 0 &&
          callsDuplicated === 0 &&
          callsStored === acked.voice &&
          webformLost === 0,
      },
      { name: 'replies sent once', pass: sentTwice.length === 0 && neverSent.length === 0 && repliesDupRows === 0 },
      { name: 'every agent told', pass: missedCount === 0 && transferMissed === 0 },
      { name: 'watcher takeover', pass: takeoverMs <= o.takeoverTargetMs },
      { name: 'webhook ack p99 (calm)', pass: ackCalm.p99 <= o.ackP99TargetMs },
      { name: 'event p99 (calm)', pass: evCalm.p99 <= o.eventP99TargetMs },
      { name: 'RSS flat', pass: rssVerdicts.every((v) => v.pass) },
      { name: 'no instance died by itself', pass: unexpected.length === 0 && failures.length === 0 },
    ];
    const pct = (v: number) => (Number.isNaN(v) ? 'n/a' : `${(v * 100).toFixed(1)} %`);
    const mix = MIX.map(([k]) => `${k} ${count(sent[k])}`).join(', ');
    return {
      id: 'soak',
      title: `Two instances under load (${(o.durationMs / 60_000).toFixed(0)} min, ${o.agents} agents, ${(o.loadShare * 100).toFixed(0)} % of capacity, SIGKILL + Redis + PostgreSQL restarts)`,
      columns: ['whole run (faults included)', 'calm periods (no fault within 30 s)'],
      rows: [
        { metric: 'inbound messages sent (acknowledged)', values: [`${count(inboundSent + acked.voice)} (${mix})`, ''] },
        {
          metric: 'stored / lost / duplicated',
          values: [
            `${count(storedTotal)} / ${count(lost.length + webformLost)} / ${count(duplicated.length + callsDuplicated)}`,
            '',
          ],
        },
        {
          metric: 'replies queued / sent once / sent twice / never sent',
          values: [`${count(repliesStored)} / ${count(sentOnce)} / ${count(sentTwice.length)} / ${count(neverSent.length)}`, ''],
        },
        {
          metric: 'agent deliveries expected / live / by catch-up / missed',
          values: [`${count(expected)} / ${count(live)} / ${count(caughtUp)} / ${count(missedCount)}`, ''],
        },
        { metric: 'transfer notices expected / missed', values: [`${count(transferExpected)} / ${count(transferMissed)}`, ''] },
        {
          metric: 'mailbox watcher takeover after SIGKILL (lock taken / last mail sent before the kill stored)',
          values: [`${ms(takeoverMs)} / ${ms(backlogMs)}`, ''],
        },
        {
          metric: 'webhook ack p50 / p99 / max',
          values: [
            `${ms(ackAll.p50)} / ${ms(ackAll.p99)} / ${ms(ackAll.max)}`,
            `${ms(ackCalm.p50)} / ${ms(ackCalm.p99)} / ${ms(ackCalm.max)}`,
          ],
        },
        {
          metric: 'event latency p50 / p99 / max (inbound → agent socket)',
          values: [
            `${ms(evAll.p50)} / ${ms(evAll.p99)} / ${ms(evAll.max)}`,
            `${ms(evCalm.p50)} / ${ms(evCalm.p99)} / ${ms(evCalm.max)}`,
          ],
        },
        ...rssVerdicts.map((v) => ({
          metric: `RSS growth after warm-up (trend), ${v.name}`,
          values: [`${pct(v.growth)} (${v.note})`, ''],
        })),
        {
          metric: 'ingest capacity at the start (baseline)',
          values: [
            `${capacity.toFixed(1)} messages/s (the run's mix), ack p99 ${ms(capacityAcks.p99)}`,
            `run rate ${rate.toFixed(1)}/s`,
          ],
        },
      ],
      target: `0 lost, 0 duplicated, 0 sent twice, every agent told; takeover ≤ ${o.takeoverTargetMs / 1000} s; calm p99 ack ≤ ${o.ackP99TargetMs} ms, event ≤ ${o.eventP99TargetMs} ms; RSS trend < ${o.rssGrowthMax * 100} % after warm-up`,
      measured: checks.map((c) => `${c.name} ${c.pass ? 'PASS' : 'FAIL'}`).join('; '),
      pass: checks.every((c) => c.pass),
      notes: [
        `faults: ${faults.map((f) => `${f.what} at ${((f.from - loadStart) / 60_000).toFixed(1)} min (${ms(f.to - f.from)}${f.detail ? `, ${f.detail}` : ''})`).join('; ')}`,
        `servers of the bench's own: embedded PostgreSQL (port ${pg.port}), redis-server (port ${redis.port}), Dovecot, SMTP capture, Twilio and Graph stand-ins; the instances are \`node --max-semi-space-size=16 main.js\` (MALLOC_ARENA_MAX=2, as the Dockerfile) with DATABASE_URL, REDIS_URL, RUN_JOBS=1, one PUBLIC_URL (webhooks signed for it, as behind a load balancer)`,
        `agents: ${o.agents} sockets in ${TEAMS.length} services, half on each instance at the start; after a drop each reconnects to either instance and reads its service's conversation list again (the web app's refetch); ${count(catchUps)} catch-ups (${count(catchUpFailures)} failed attempts), ${reports.filter((r) => r.connected).length} connected at the end; connects per instance ${instances.map((x, i) => `${x.name} ${count(reports.reduce((s, r) => s + r.connects[i]!, 0))}`).join(', ')}`,
        `webhooks retried as the providers do (every second until a 2xx): ${count(retries)} retries; web form (no retry): ${count(webform.refused)} refused, ${count(webform.unknown)} without an answer; voice calls stored ${count(callsStored)} of ${count(acked.voice)}`,
        `agents' actions: ${count(agentOps.replies)} replies (${count(agentOps.replyConflicts)} stale-version 409s retried), ${count(transfers.length)} transfers of web form requests; reply statuses ${JSON.stringify(statuses)}${agentOps.replyErrors.length ? `; reply errors: ${agentOps.replyErrors.slice(0, 3).join(' | ')}` : ''}${agentOps.transferErrors.length ? `; transfer errors: ${agentOps.transferErrors.slice(0, 3).join(' | ')}` : ''}`,
        ...(lost.length ? [`lost markers (first 10): ${lost.slice(0, 10).join(', ')}`] : []),
        ...(duplicated.length ? [`duplicated markers (first 10): ${duplicated.slice(0, 10).join(', ')}`] : []),
        ...(sentTwice.length ? [`replies sent twice (first 10): ${sentTwice.slice(0, 10).join(', ')}`] : []),
        ...(neverSent.length
          ? [
              `replies never sent (first 5): ${neverSent
                .slice(0, 5)
                .map((r) => `${r.marker} ${r.status}`)
                .join(', ')}`,
            ]
          : []),
        ...(missed.length
          ? [
              `missed deliveries (first ones):\n${missed.join('\n')}`,
              `messages missed by some agent, by their time after the SIGKILL (s: messages): ${[
                ...[...missedMarkers.values()].reduce((m, s) => m.set(s, (m.get(s) ?? 0) + 1), new Map<number, number>()),
              ]
                .sort((a, b) => a[0] - b[0])
                .map(([s, n]) => `${s}: ${n}`)
                .join(', ')}`,
            ]
          : []),
        ...(failures.length ? [`sender failures (first 5): ${failures.slice(0, 5).join(' | ')}`] : []),
        ...(unexpected.length ? [`instances that died by themselves: ${unexpected.join(' | ')}`] : []),
        `RSS (V8 heap in use of committed, memory outside it, connected sockets) every ${(o.rssEveryMs / 1000).toFixed(0)} s (${instances.map((x) => x.name).join(', ')}):\n${rssTable}`,
        `timeline, by when messages were sent (minutes from the start of the load: messages/s acknowledged; ack p50 / p99; event p99):\n${timeline}`,
        `calm periods leave out latencies of messages sent from 2 s before a fault to ${o.recoveryMs / 1000} s after the service came back`,
      ],
      server: (await db.query<{ v: string }>(`SELECT current_setting('server_version') AS v`)).rows[0]!.v,
    };
  } finally {
    process.off('SIGINT', interrupted);
    process.off('SIGTERM', interrupted);
    await runCleanups();
  }
}

/** The least-squares line through `points`: its values at the first and the last point's x. */
export function trend(points: { x: number; y: number }[]): { from: number; to: number } {
  const n = points.length;
  const mx = points.reduce((a, p) => a + p.x, 0) / n;
  const my = points.reduce((a, p) => a + p.y, 0) / n;
  const sxx = points.reduce((a, p) => a + (p.x - mx) ** 2, 0);
  const slope = sxx === 0 ? 0 : points.reduce((a, p) => a + (p.x - mx) * (p.y - my), 0) / sxx;
  const at = (x: number) => my + slope * (x - mx);
  return { from: at(points[0]!.x), to: at(points.at(-1)!.x) };
}
