import { Injectable, Module } from '@nestjs/common';
import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import { pbxSignature, twilioSignature } from '@guichet/channels';
import type { ConversationDto } from '@guichet/contracts';
import {
  expectEventually,
  metaPayloads as P,
  startDovecot,
  startGraphServer,
  startSmtpCapture,
  startTwilioServer,
  type Dovecot,
  type GraphServer,
  type SmtpCapture,
  type TwilioServer,
} from '@guichet/testing';
import { Database, type AfterCommit } from '../../src/common/database';
import { DomainEvents, OnDomainEvent } from '../../src/modules/events/domain-event-bus';
import { DOMAIN_EVENT_TYPES, domainEvent, type DomainEvent } from '../../src/modules/events/domain-events';
import { MailboxWatcherService } from '../../src/modules/email/mailbox-watcher.service';
import { IngestOutboxRelay } from '../../src/modules/ingest/ingest-outbox.relay';
import { DomainEventReceiptPurge } from '../../src/modules/events/receipt-purge';
import { QUEUES, JobQueue } from '../../src/infra/jobs/job-queue';
import { seedTown, startTestApp, type TestApp } from '../harness';

/** What a listener saw of one event, and whether its write was already visible to another connection. */
interface Heard {
  event: DomainEvent;
  committed: boolean;
}

/**
 * A new feature's listener, in one file: it hears every domain event and checks that the
 * message or conversation it names is already committed (read on another connection).
 */
@Injectable()
class EveryEventListener {
  static heard: Heard[] = [];
  constructor(private readonly db: Database) {}

  @OnDomainEvent(DOMAIN_EVENT_TYPES)
  async onEvent(event: DomainEvent): Promise<void> {
    const [row] = event.messageId
      ? await this.db.query(`SELECT 1 FROM message WHERE id = $1`, [event.messageId])
      : await this.db.query(`SELECT 1 FROM conversation WHERE id = $1`, [event.conversationId]);
    EveryEventListener.heard.push({ event, committed: !!row });
  }
}

/** A listener that fails on every message: it must neither undo the write nor stop the others. */
@Injectable()
class FailingListener {
  @OnDomainEvent('message.received')
  explode(): void {
    throw new Error('écouteur en panne');
  }

  @OnDomainEvent('message.received')
  async explodeLater(): Promise<void> {
    throw new Error('écouteur en panne, plus tard');
  }
}

/** A listener that must never miss a status change (a deadline, an acknowledgement): run from the durable queue. */
@Injectable()
class DurableStatusListener {
  static runs: { eventId: string; status: string }[] = [];

  @OnDomainEvent('conversation.status_changed', { durable: true })
  async onStatus(event: DomainEvent<'conversation.status_changed'>, manager: EntityManager): Promise<void> {
    // What a durable listener writes goes through `manager`: it commits with the mark that it ran.
    await manager.query(`SELECT 1`);
    DurableStatusListener.runs.push({ eventId: event.id, status: event.status });
  }
}

/**
 * A listener that must hear every citizen's message and new conversation once (an acknowledgement
 * of receipt): durable, so the ingest's group commit reaches it through its outbox.
 */
@Injectable()
class DurableInboundListener {
  static runs: { eventId: string; type: string; messageId: string | null }[] = [];

  @OnDomainEvent(['message.received', 'conversation.created'], { durable: true })
  async onInbound(event: DomainEvent<'message.received' | 'conversation.created'>, manager: EntityManager): Promise<void> {
    await manager.query(`SELECT 1`);
    DurableInboundListener.runs.push({ eventId: event.id, type: event.type, messageId: event.messageId });
  }
}

/**
 * A listener that must never miss a file being read or a delivery receipt (a report of response
 * times, say): durable, with a filter so that only those changes make jobs.
 */
@Injectable()
class DurableUpdateListener {
  static runs: { eventId: string; conversationId: string; change: string }[] = [];

  @OnDomainEvent(['conversation.updated', 'message.updated'], {
    durable: true,
    when: (e) =>
      (e.type === 'conversation.updated' && e.change === 'read') || (e.type === 'message.updated' && e.change === 'status'),
  })
  async onUpdate(event: DomainEvent<'conversation.updated' | 'message.updated'>, manager: EntityManager): Promise<void> {
    await manager.query(`SELECT 1`);
    DurableUpdateListener.runs.push({ eventId: event.id, conversationId: event.conversationId, change: event.change });
  }
}

/** A durable listener that fails on the events named in `failing` (a bug hit by one file only). */
@Injectable()
class DurableFlakyListener {
  static failing = new Set<string>();
  static runs: string[] = [];

  @OnDomainEvent('conversation.status_changed', { durable: true })
  async onStatus(
    event: DomainEvent<'conversation.status_changed'>,
    manager: EntityManager,
    afterCommit: AfterCommit,
  ): Promise<void> {
    await manager.query(`SELECT 1`);
    if (DurableFlakyListener.failing.has(event.id)) throw new Error('panne sur ce dossier');
    // Counted once its transaction commits: a batch that fails rolls back what its events did.
    afterCommit(() => void DurableFlakyListener.runs.push(event.id));
  }
}

@Module({
  providers: [
    EveryEventListener,
    FailingListener,
    DurableStatusListener,
    DurableInboundListener,
    DurableUpdateListener,
    DurableFlakyListener,
  ],
})
class ListenersModule {}

const ACCOUNT = 'AC' + 'e'.repeat(32);
const TOKEN = 'auth-token-evenements-01';
const PAGE = '2002';
const IG_ACCOUNT = '17841';
const APP_SECRET = 'app-secret-evenements';
const PBX_SECRET = 'secret-standard-evenements-01';
const ADDRESS = 'accueil@ville-evenements.fr';
const hex = (n = 8) => randomBytes(n).toString('hex');

describe('domain events: one typed bus after commit, listeners in their own files, durable listeners from the queue', () => {
  let t: TestApp;
  let town: Awaited<ReturnType<typeof seedTown>>;
  let twilio: TwilioServer;
  let graph: GraphServer;
  let dovecot: Dovecot;
  let smtp: SmtpCapture;
  let box: Awaited<ReturnType<Dovecot['addUser']>>;
  const ch: Record<'email' | 'sms' | 'whatsapp' | 'voice' | 'messenger' | 'instagram' | 'pbx', string> = {} as never;

  const twilioHook = async (path: string, params: Record<string, string>, answers = 200) => {
    const res = await fetch(t.url + path, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        'x-twilio-signature': twilioSignature(TOKEN, t.config.publicUrl + path, params),
      },
      body: new URLSearchParams(params).toString(),
    });
    expect(res.status).toBe(answers);
    // Acknowledged once stored: processed right after.
    await t.webhooksProcessed();
  };
  const metaHook = async (payload: object, channelId = ch.messenger) => {
    const raw = JSON.stringify(payload);
    const sig = `sha256=${createHmac('sha256', APP_SECRET).update(raw).digest('hex')}`;
    expect(
      (await t.http('POST', `/webhooks/meta/${channelId}`, { body: raw, headers: { 'x-hub-signature-256': sig } })).status,
    ).toBe(200);
    await t.webhooksProcessed();
  };
  const pbxHook = async (e: object) => {
    const raw = JSON.stringify(e);
    const res = await fetch(`${t.url}/webhooks/calls/${ch.pbx}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-guichet-signature': pbxSignature(PBX_SECRET, raw) },
      body: raw,
    });
    expect(res.status).toBe(202);
  };
  const channel = async (kind: string, config: object) => {
    const res = await t.http('POST', '/api/v1/channels', {
      token: town.admin.token,
      body: { kind, name: `Canal ${kind}`, teamId: town.etatCivil.id, config },
    });
    expect(res.status).toBe(201);
    return res.body.id as string;
  };
  const conversationOf = async (externalId: string) =>
    (await t.db.query(`SELECT conversation_id FROM message WHERE external_id = $1`, [externalId])).rows[0]
      ?.conversation_id as string;
  const get = async (id: string, token = town.supervisor.token): Promise<ConversationDto> =>
    (await t.http('GET', `/api/v1/conversations/${id}`, { token })).body;
  const update = async (id: string, changes: object, token = town.supervisor.token) => {
    const res = await t.http('PATCH', `/api/v1/conversations/${id}`, {
      token,
      body: { ...changes, version: (await get(id, token)).version },
    });
    expect(res.status).toBe(200);
    return res.body as ConversationDto;
  };
  /** "type channel" → count, over what the listener heard (message events by the message's channel). */
  const tally = (types: string[]) => {
    const out: Record<string, number> = {};
    for (const { event: e } of EveryEventListener.heard) {
      if (!types.includes(e.type)) continue;
      if (e.type === 'registration.changed' || e.type === 'municipal_event.changed') continue;
      const via = 'message' in e ? (e.message.channelKind ?? 'interne') : (e.conversation.lastChannelKind ?? 'aucun');
      const key = `${e.type} ${via}`;
      out[key] = (out[key] ?? 0) + 1;
    }
    return out;
  };

  /**
   * Every `message.received` (inbound) and `conversation.created` among `events` was run by the
   * durable listener exactly once, under its id, and its receipt was written.
   */
  const expectDurablyOnce = async (events: DomainEvent[]) => {
    const wanted = events.filter((e) => e.type === 'message.received' || e.type === 'conversation.created').map((e) => e.id);
    expect(wanted.length).toBeGreaterThan(0);
    const runs = () => DurableInboundListener.runs.filter((r) => wanted.includes(r.eventId)).map((r) => r.eventId);
    await expectEventually(() => expect(runs().sort()).toEqual([...wanted].sort()), { timeoutMs: 20_000 });
    // (The listener notes its run inside its transaction: the receipts commit just after.)
    await expectEventually(async () => {
      const { rows } = await t.db.query(
        `SELECT count(*)::int AS n FROM domain_event_receipt WHERE listener = 'DurableInboundListener.onInbound' AND event_id = ANY($1)`,
        [wanted],
      );
      expect(rows[0].n).toBe(wanted.length);
    });
  };

  beforeAll(async () => {
    delete process.env.HTTP_PROXY;
    delete process.env.HTTPS_PROXY;
    [twilio, graph, dovecot, smtp, t] = await Promise.all([
      startTwilioServer(),
      startGraphServer(),
      startDovecot(),
      startSmtpCapture(),
      startTestApp({}, [ListenersModule]),
    ]);
    twilio.addAccount(ACCOUNT, TOKEN);
    graph.acceptTokens('page-token-ev');
    town = await seedTown(t);
    box = await dovecot.addUser('accueil');
    const twilioConfig = { accountSid: ACCOUNT, authToken: TOKEN, apiBaseUrl: twilio.url };
    ch.email = await channel('email', {
      address: ADDRESS,
      displayName: 'Mairie — accueil',
      imap: { host: '127.0.0.1', port: dovecot.port, secure: false, user: box.user, password: box.password },
      smtp: { host: '127.0.0.1', port: smtp.port, secure: false, user: smtp.user, password: smtp.password },
      processed: 'seen',
    });
    ch.sms = await channel('sms', { ...twilioConfig, phoneNumber: '+33700000011' });
    ch.whatsapp = await channel('whatsapp', { ...twilioConfig, whatsappNumber: '+33700000012' });
    ch.voice = await channel('voice', { ...twilioConfig, phoneNumber: '+33140000011', forwardTo: '+33140000099' });
    ch.messenger = await channel('messenger', {
      pageId: PAGE,
      pageAccessToken: 'page-token-ev',
      appSecret: APP_SECRET,
      verifyToken: 'verif-token-ev',
      graphApiBaseUrl: graph.url,
    });
    ch.instagram = await channel('instagram', {
      instagramAccountId: IG_ACCOUNT,
      pageAccessToken: 'page-token-ev',
      appSecret: APP_SECRET,
      verifyToken: 'verif-token-ev-ig',
      graphApiBaseUrl: graph.url,
    });
    ch.pbx = await channel('pbx', { vendor: '3CX', sharedSecret: PBX_SECRET });
    const watchers = t.app.get(MailboxWatcherService);
    await expectEventually(() => expect(watchers.status(ch.email)?.state).toBe('idle'), { timeoutMs: 15_000, intervalMs: 50 });
  });
  afterAll(async () => {
    await t?.close();
    await Promise.all([twilio?.close(), graph?.close(), dovecot?.close(), smtp?.close()]);
  });

  it('a listener added in one file hears, once committed, every event of every channel, the tracking page and the agents', async () => {
    EveryEventListener.heard = [];
    // E-mail, through Dovecot.
    const mailId = `<${hex()}@exemple.fr>`;
    await dovecot.append(
      box,
      [
        `From: Anne Mail <anne.${hex(3)}@exemple.fr>`,
        `To: ${ADDRESS}`,
        'Subject: Acte de naissance',
        `Message-ID: ${mailId}`,
        'Content-Type: text/plain; charset=utf-8',
        '',
        'Bonjour',
        '',
      ].join('\r\n'),
    );
    // SMS and WhatsApp, through Twilio's webhooks.
    await twilioHook(`/webhooks/twilio/${ch.sms}/sms`, {
      MessageSid: 'SM' + hex(16),
      AccountSid: ACCOUNT,
      From: '+33611000001',
      To: '+33700000011',
      Body: 'Bonjour',
      NumMedia: '0',
    });
    await twilioHook(`/webhooks/twilio/${ch.whatsapp}/sms`, {
      MessageSid: 'SM' + hex(16),
      AccountSid: ACCOUNT,
      From: 'whatsapp:+33611000002',
      To: 'whatsapp:+33700000012',
      Body: 'Salut',
      NumMedia: '0',
    });
    // A Twilio call nobody answers: the call, then its outcome.
    const callSid = 'CA' + hex(16);
    await twilioHook(`/webhooks/twilio/${ch.voice}/voice`, {
      CallSid: callSid,
      AccountSid: ACCOUNT,
      From: '+33611000003',
      To: '+33140000011',
      CallStatus: 'ringing',
      Direction: 'inbound',
    });
    await twilioHook(`/webhooks/twilio/${ch.voice}/voice-status`, {
      CallSid: callSid,
      AccountSid: ACCOUNT,
      DialCallStatus: 'no-answer',
      DialCallDuration: '0',
    });
    // Messenger: a message, a reaction to it, and a reply written in Meta's own inbox (echo).
    const mid = `m_${hex()}`;
    await metaHook(P.messaging('page', [{ accountId: PAGE, events: [P.text(PAGE, 'PSID-EV', mid, 'Bonjour la mairie')] }]));
    await metaHook(P.messaging('page', [{ accountId: PAGE, events: [P.reaction(PAGE, 'PSID-EV', mid, '👍')] }]));
    await metaHook(
      P.messaging('page', [{ accountId: PAGE, events: [P.echo(PAGE, 'PSID-EV', `m_${hex()}`, 'Réponse depuis Meta')] }]),
    );
    // A switchboard call.
    await pbxHook({
      event: 'ringing',
      callId: `3cx-${hex(4)}`,
      from: '+33611000004',
      to: '+33140000000',
      direction: 'inbound',
      at: new Date().toISOString(),
    });
    // The web form, then the citizen's reply on the tracking page.
    const form = await t.http('POST', `/api/v1/public/organizations/${town.org.slug}/requests`, {
      body: {
        teamId: town.scolarite.id,
        name: 'Élodie Martin',
        email: `elodie.${hex(3)}@exemple.fr`,
        subject: 'Cantine',
        body: 'Bonjour',
      },
      headers: { 'x-forwarded-for': '10.9.0.1' },
    });
    expect(form.status).toBe(201);
    const tracking = await t.http('POST', `/api/v1/public/requests/${form.body.reference}?token=${form.body.trackingToken}`, {
      body: { body: 'Une précision' },
    });
    expect(tracking.status).toBe(201);
    // Agents: a note and a reply on the SMS file, then a status change, an assignment and a transfer.
    await expectEventually(async () => expect(await t.count('message')).toBeGreaterThanOrEqual(10), { timeoutMs: 15_000 });
    const smsFile = (await t.db.query(`SELECT conversation_id FROM message WHERE channel_id = $1`, [ch.sms])).rows[0]
      .conversation_id as string;
    const agent = town.agentEC;
    const note = await t.http('POST', `/api/v1/conversations/${smsFile}/messages`, {
      token: agent.token,
      body: { kind: 'note', body: 'À voir', version: (await get(smsFile, agent.token)).version },
    });
    expect(note.status).toBe(201);
    const reply = await t.http('POST', `/api/v1/conversations/${smsFile}/messages`, {
      token: agent.token,
      body: { kind: 'reply', body: 'Bonjour, bien reçu', channelId: ch.sms, version: (await get(smsFile, agent.token)).version },
    });
    expect(reply.status).toBe(201);
    await update(smsFile, { status: 'pending' });
    await update(smsFile, { assigneeId: agent.id });
    await update(smsFile, { teamId: town.scolarite.id, note: 'Pour la Scolarité.' });

    const expected = {
      'message.received email': 1,
      'message.received sms': 1,
      'message.received whatsapp': 1,
      'message.received voice': 1,
      'message.received messenger': 2,
      'message.received pbx': 1,
      'message.received webform': 2,
      'message.sent messenger': 1,
      // The agent's note, then the handover note of the transfer.
      'message.sent interne': 2,
      'message.sent sms': 1,
      'call.missed voice': 1,
      'conversation.created email': 1,
      'conversation.created sms': 1,
      'conversation.created whatsapp': 1,
      'conversation.created voice': 1,
      'conversation.created messenger': 1,
      'conversation.created pbx': 1,
      'conversation.created webform': 1,
      'conversation.status_changed sms': 1,
      // Assigned to the agent, then unassigned by the transfer to a service the agent cannot see (issue 21).
      'conversation.assigned sms': 2,
      'conversation.transferred sms': 1,
    };
    await expectEventually(() => expect(tally(Object.keys(expected).map((k) => k.split(' ')[0]!))).toEqual(expected), {
      timeoutMs: 15_000,
    });
    // Updates: a message joining a file, the call moving on, the reply's delivery status, the agents' changes.
    await expectEventually(() =>
      expect(Object.keys(tally(['conversation.updated', 'message.updated']))).toEqual(
        expect.arrayContaining([
          'conversation.updated sms',
          'conversation.updated voice',
          'conversation.updated messenger',
          'conversation.updated webform',
          'message.updated voice',
          'message.updated sms',
        ]),
      ),
    );
    const agentChanges = EveryEventListener.heard.filter(
      ({ event: e }) => e.type === 'conversation.updated' && e.change === 'agent',
    );
    expect(agentChanges).toHaveLength(3);
    // Every event went out after its write committed, with its own id, and names its organization.
    expect(EveryEventListener.heard.every((h) => h.committed)).toBe(true);
    expect(new Set(EveryEventListener.heard.map((h) => h.event.id)).size).toBe(EveryEventListener.heard.length);
    expect(EveryEventListener.heard.every((h) => h.event.organizationId === town.org.id)).toBe(true);
    // The durable listener heard each citizen's message and each new conversation of every channel
    // once, under the same event id as the in-process listeners, whichever road it took (the
    // ingest's outbox, or a writer's transaction).
    await expectDurablyOnce(EveryEventListener.heard.map((h) => h.event));
  });

  it('Instagram, a file opened and delivery receipts reach the same listener after commit, and a durable listener of updates once', async () => {
    EveryEventListener.heard = [];
    DurableUpdateListener.runs = [];
    // Instagram: a citizen's direct message.
    const igMid = `m_${hex()}`;
    await metaHook(
      P.messaging('instagram', [{ accountId: IG_ACCOUNT, events: [P.text(IG_ACCOUNT, 'IGSID-EV', igMid, 'Bonjour')] }]),
      ch.instagram,
    );
    await expectEventually(async () => expect(await conversationOf(igMid)).toBeTruthy());
    const igFile = await conversationOf(igMid);
    // An agent opens the file: it is read (conversation.updated, change "read").
    expect((await get(igFile, town.agentEC.token)).unread).toBe(false);
    // An SMS, the agent's reply sent by the worker, then Twilio's delivery receipt.
    const sid = 'SM' + hex(16);
    await twilioHook(`/webhooks/twilio/${ch.sms}/sms`, {
      MessageSid: sid,
      AccountSid: ACCOUNT,
      From: '+33611000020',
      To: '+33700000011',
      Body: 'Bonjour',
      NumMedia: '0',
    });
    await expectEventually(async () => expect(await conversationOf(sid)).toBeTruthy());
    const smsFile = await conversationOf(sid);
    const reply = await t.http('POST', `/api/v1/conversations/${smsFile}/messages`, {
      token: town.agentEC.token,
      body: { kind: 'reply', body: 'Bien reçu', channelId: ch.sms, version: (await get(smsFile, town.agentEC.token)).version },
    });
    expect(reply.status).toBe(201);
    const sentSid = await expectEventually(async () => {
      const { rows } = await t.db.query(`SELECT external_id, status FROM message WHERE id = $1`, [reply.body.id]);
      expect(rows[0].status).toBe('sent');
      return rows[0].external_id as string;
    });
    // A status callback is answered 204 (no TwiML).
    await twilioHook(
      `/webhooks/twilio/${ch.sms}/status`,
      { MessageSid: sentSid, AccountSid: ACCOUNT, MessageStatus: 'delivered' },
      204,
    );

    const mine = (h: Heard) => h.event.conversationId === igFile || h.event.conversationId === smsFile;
    const seen = (type: string, change?: string) =>
      EveryEventListener.heard.filter(
        (h) => mine(h) && h.event.type === type && (change === undefined || ('change' in h.event && h.event.change === change)),
      );
    await expectEventually(() => {
      expect(tally(['message.received', 'conversation.created'])).toMatchObject({
        'message.received instagram': 1,
        'conversation.created instagram': 1,
      });
      expect(seen('conversation.updated', 'read').map((h) => h.event.conversationId)).toContain(igFile);
      expect(
        seen('message.updated', 'status')
          .filter((h) => h.event.messageId === reply.body.id)
          .map((h) => (h.event as DomainEvent<'message.updated'>).message.status),
        // The worker's claim (told before it calls Twilio), its outcome, Twilio's receipt.
      ).toEqual(['sending', 'sent', 'delivered']);
    });
    expect(EveryEventListener.heard.filter(mine).every((h) => h.committed)).toBe(true);
    // The durable listener heard each of them once, under the in-process listeners' ids.
    const wanted = [...seen('conversation.updated', 'read'), ...seen('message.updated', 'status')].map((h) => h.event.id);
    await expectEventually(
      () =>
        expect(
          DurableUpdateListener.runs
            .filter((r) => r.conversationId === igFile || r.conversationId === smsFile)
            .map((r) => r.eventId)
            .sort(),
        ).toEqual([...wanted].sort()),
      { timeoutMs: 20_000 },
    );
    await expectDurablyOnce(EveryEventListener.heard.filter(mine).map((h) => h.event));
  });

  it("the ingest's outbox: a burst of messages shares transactions, and each of their events reaches the durable listener once", async () => {
    EveryEventListener.heard = [];
    const sids = Array.from({ length: 40 }, () => 'SM' + hex(16));
    await Promise.all(
      sids.map((sid, i) =>
        twilioHook(`/webhooks/twilio/${ch.sms}/sms`, {
          MessageSid: sid,
          AccountSid: ACCOUNT,
          From: `+336120000${String(i % 25).padStart(2, '0')}`,
          To: '+33700000011',
          Body: `Message ${i}`,
          NumMedia: '0',
        }),
      ),
    );
    await expectEventually(() =>
      expect(EveryEventListener.heard.filter((h) => h.event.type === 'message.received')).toHaveLength(sids.length),
    );
    await expectDurablyOnce(EveryEventListener.heard.map((h) => h.event));
    // 25 senders: 25 new conversations, 15 messages joining one.
    expect(EveryEventListener.heard.filter((h) => h.event.type === 'conversation.created')).toHaveLength(25);
    expect(await t.count('domain_event_outbox')).toBe(0);

    // Rows a crash left between the commit and the relay (written here as the statement writes
    // them) are relayed by the sweep; two sweeps at once share them without doubling any.
    const { rows: stored } = await t.db.query(
      `SELECT m.id AS message_id, m.conversation_id, c.organization_id FROM message m JOIN conversation c ON c.id = m.conversation_id
        WHERE m.external_id = ANY($1) ORDER BY m.external_id`,
      [sids.slice(0, 5)],
    );
    const left = stored.map((r) => ({ ...r, ids: [randomUUID(), randomUUID()] }));
    for (const r of left)
      await t.db.query(
        `INSERT INTO domain_event_outbox (id, conversation_event_id, organization_id, conversation_id, message_id, new_conversation)
         VALUES ($1, $2, $3, $4, $5, false)`,
        [r.ids[0], r.ids[1], r.organization_id, r.conversation_id, r.message_id],
      );
    const relay = t.app.get(IngestOutboxRelay);
    await Promise.all([relay.drain(), relay.drain()]);
    expect(await t.count('domain_event_outbox')).toBe(0);
    await expectEventually(
      () =>
        expect(
          DurableInboundListener.runs
            .filter((r) => left.some((l) => l.ids.includes(r.eventId)))
            .map((r) => `${r.type} ${r.messageId}`)
            .sort(),
        ).toEqual(left.map((l) => `message.received ${l.message_id}`).sort()),
      { timeoutMs: 15_000 },
    );
    // (conversation.updated has no durable listener here: its half of each row is dropped.)
    expect(DurableInboundListener.runs.filter((r) => left.some((l) => l.ids.includes(r.eventId)))).toHaveLength(5);
  });

  it('a listener that throws neither undoes the write nor stops the other listeners', async () => {
    EveryEventListener.heard = [];
    const sid = 'SM' + hex(16);
    await twilioHook(`/webhooks/twilio/${ch.sms}/sms`, {
      MessageSid: sid,
      AccountSid: ACCOUNT,
      From: '+33611000009',
      To: '+33700000011',
      Body: 'Encore moi',
      NumMedia: '0',
    });
    expect(await conversationOf(sid)).toBeTruthy();
    await expectEventually(() =>
      expect(EveryEventListener.heard.filter((h) => h.event.type === 'message.received')).toHaveLength(1),
    );
  });

  it('a durable listener runs from the job queue once per event, its job enqueued in the same transaction as the write', async () => {
    const sid = 'SM' + hex(16);
    await twilioHook(`/webhooks/twilio/${ch.sms}/sms`, {
      MessageSid: sid,
      AccountSid: ACCOUNT,
      From: '+33611000010',
      To: '+33700000011',
      Body: 'Bonjour',
      NumMedia: '0',
    });
    const id = await conversationOf(sid);
    const closed = await update(id, { status: 'closed' });
    const heard = () => DurableStatusListener.runs.filter((r) => r.status === 'closed');
    await expectEventually(() => expect(heard()).toHaveLength(1), { timeoutMs: 15_000 });
    const eventId = heard()[0]!.eventId;
    // The listener records its run inside its transaction: the receipt is visible once that commits
    // (another durable listener hearing status changes would have its own receipt).
    await expectEventually(async () =>
      expect(
        (
          await t.db.query(`SELECT listener FROM domain_event_receipt WHERE event_id = $1 AND listener LIKE 'DurableStatus%'`, [
            eventId,
          ])
        ).rows,
      ).toEqual([{ listener: 'DurableStatusListener.onStatus' }]),
    );

    // A write that rolls back takes its durable job with it.
    const events = t.app.get(DomainEvents);
    const lost = domainEvent('conversation.status_changed', town.org.id, {
      conversation: closed,
      previousStatus: 'closed',
      status: 'open',
      byAgentId: null,
    });
    await expect(
      t.app.get(Database).tx(async (m, afterCommit) => {
        await events.record(m, afterCommit, lost);
        throw new Error('annulé');
      }),
    ).rejects.toThrow('annulé');
    expect(
      (
        await t.db.query(
          `SELECT count(*)::int AS n FROM pgboss.job WHERE name = $1 AND data->'events' @> jsonb_build_array(jsonb_build_object('id', $2::text))`,
          [QUEUES.domainEvents, lost.id],
        )
      ).rows[0].n,
    ).toBe(0);

    // The same job delivered twice (a crash after the work, before the queue heard of it) runs
    // once; here in the shape jobs had before they carried batches, which still run.
    const again = domainEvent('conversation.status_changed', town.org.id, {
      conversation: closed,
      previousStatus: 'open',
      status: 'pending',
      byAgentId: null,
    });
    const queue = t.app.get(JobQueue);
    await queue.send(QUEUES.domainEvents, { listener: 'DurableStatusListener.onStatus', event: again });
    await queue.send(QUEUES.domainEvents, { listener: 'DurableStatusListener.onStatus', event: again });
    await expectEventually(
      async () => {
        const { rows } = await t.db.query(`SELECT state FROM pgboss.job WHERE name = $1 AND data->'event'->>'id' = $2`, [
          QUEUES.domainEvents,
          again.id,
        ]);
        expect(rows.map((r) => r.state)).toEqual(['completed', 'completed']);
      },
      { timeoutMs: 15_000 },
    );
    expect(DurableStatusListener.runs.filter((r) => r.eventId === again.id)).toHaveLength(1);
    expect(DurableStatusListener.runs.filter((r) => r.eventId === lost.id)).toHaveLength(0);
  });

  it("a write's events reach a durable listener in one job; one failing event is retried alone, the others run once", async () => {
    const sid = 'SM' + hex(16);
    await twilioHook(`/webhooks/twilio/${ch.sms}/sms`, {
      MessageSid: sid,
      AccountSid: ACCOUNT,
      From: '+33611000011',
      To: '+33700000011',
      Body: 'Bonjour',
      NumMedia: '0',
    });
    const conversation = await update(await conversationOf(sid), { status: 'pending' });
    const [first, broken, last] = (['open', 'pending', 'resolved'] as const).map((status) =>
      domainEvent('conversation.status_changed', town.org.id, { conversation, previousStatus: 'open', status, byAgentId: null }),
    );
    DurableFlakyListener.failing.add(broken!.id);
    await t.app.get(Database).tx((m, afterCommit) => t.app.get(DomainEvents).record(m, afterCommit, first!, broken!, last!));
    const jobs = await t.db.query(
      `SELECT jsonb_array_length(data->'events') AS n FROM pgboss.job
        WHERE name = $1 AND data->>'listener' = 'DurableFlakyListener.onStatus' AND data->'events' @> jsonb_build_array(jsonb_build_object('id', $2::text))`,
      [QUEUES.domainEvents, first!.id],
    );
    expect(jobs.rows).toEqual([{ n: 3 }]);

    // The batch fails on `broken`: it is split, the other two run (once), `broken` waits for its retry.
    const ran = () => DurableFlakyListener.runs.filter((id) => [first!.id, broken!.id, last!.id].includes(id)).sort();
    await expectEventually(() => expect(ran()).toEqual([first!.id, last!.id].sort()), { timeoutMs: 15_000 });
    DurableFlakyListener.failing.clear();
    await expectEventually(() => expect(ran()).toEqual([first!.id, broken!.id, last!.id].sort()), { timeoutMs: 30_000 });
  });

  it('receipts of durable listeners are purged once older than two weeks, by bounded batches', async () => {
    const old = Array.from({ length: 3 }, () => randomUUID());
    const recent = randomUUID();
    for (const id of old)
      await t.db.query(
        `INSERT INTO domain_event_receipt (event_id, listener, handled_at) VALUES ($1, 'Purge.test', now() - interval '15 days')`,
        [id],
      );
    await t.db.query(
      `INSERT INTO domain_event_receipt (event_id, listener, handled_at) VALUES ($1, 'Purge.test', now() - interval '13 days')`,
      [recent],
    );
    expect(await t.app.get(DomainEventReceiptPurge).purge()).toBeGreaterThanOrEqual(3);
    const { rows } = await t.db.query(`SELECT event_id FROM domain_event_receipt WHERE listener = 'Purge.test'`);
    expect(rows.map((r) => r.event_id)).toEqual([recent]);
  });
});
