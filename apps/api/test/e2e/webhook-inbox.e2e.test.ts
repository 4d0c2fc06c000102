import { createHmac, randomBytes } from 'node:crypto';
import { twilioSignature } from '@guichet/channels';
import type { MessageDto } from '@guichet/contracts';
import {
  connectRecording,
  expectEventually,
  metaPayloads as P,
  startTwilioServer,
  type RecordingClient,
  type TwilioServer,
} from '@guichet/testing';
import { seedTown, startTestApp, type TestApp } from '../harness';

const ACCOUNT = 'AC' + 'e'.repeat(32);
const TOKEN = 'jeton-twilio-boite';
const META_SECRET = 'secret-meta-boite';
const PAGE = '4242';
const SMS_NUMBER = '+33700000031';
const smsSid = () => 'SM' + randomBytes(16).toString('hex');
const callSid = () => 'CA' + randomBytes(16).toString('hex');
const mid = () => `m_${randomBytes(10).toString('hex')}`;

interface Answer {
  status: number;
  text: string;
  retryAfter: string | null;
}

interface Channels {
  sms: string;
  voice: string;
  messenger: string;
}

/** A town with an SMS line, a voice line and a Messenger page, created over the API (secrets encrypted at rest). */
async function townWithChannels(t: TestApp, twilio: TwilioServer) {
  const town = await seedTown(t);
  const create = async (kind: string, config: object) => {
    const res = await t.http('POST', '/api/v1/channels', {
      token: town.admin.token,
      body: { kind, name: `Canal ${kind}`, teamId: town.etatCivil.id, config },
    });
    expect(res.status).toBe(201);
    return res.body.id as string;
  };
  const twilioConfig = { accountSid: ACCOUNT, authToken: TOKEN, apiBaseUrl: twilio.url };
  const channels: Channels = {
    sms: await create('sms', { ...twilioConfig, phoneNumber: SMS_NUMBER }),
    voice: await create('voice', { ...twilioConfig, phoneNumber: '+33140000031', forwardTo: '+33140000099' }),
    messenger: await create('messenger', {
      pageId: PAGE,
      pageAccessToken: 'page-token',
      appSecret: META_SECRET,
      verifyToken: 'verif',
      graphApiBaseUrl: 'http://127.0.0.1:9',
    }),
  };
  return { town, channels };
}

/** Webhooks signed as Twilio and Meta sign them, posted to one instance; the answer as the provider reads it. */
function provider(app: TestApp, ch: Channels) {
  const post = async (path: string, body: string, headers: Record<string, string>): Promise<Answer> => {
    const res = await fetch(app.url + path, { method: 'POST', headers, body });
    return { status: res.status, text: await res.text(), retryAfter: res.headers.get('retry-after') };
  };
  const twilio = (path: string, params: Record<string, string>) =>
    post(path, new URLSearchParams(params).toString(), {
      'content-type': 'application/x-www-form-urlencoded',
      'x-twilio-signature': twilioSignature(TOKEN, app.config.publicUrl + path, params),
    });
  return {
    sms: (sid: string, from: string, body: string, extra: Record<string, string> = {}) =>
      twilio(`/webhooks/twilio/${ch.sms}/sms`, {
        MessageSid: sid,
        AccountSid: ACCOUNT,
        From: from,
        To: SMS_NUMBER,
        Body: body,
        NumMedia: '0',
        ...extra,
      }),
    call: (sid: string, from: string) =>
      twilio(`/webhooks/twilio/${ch.voice}/voice`, { CallSid: sid, AccountSid: ACCOUNT, From: from, To: '+33140000031' }),
    callStatus: (sid: string, params: Record<string, string>) =>
      twilio(`/webhooks/twilio/${ch.voice}/voice-status`, { CallSid: sid, AccountSid: ACCOUNT, ...params }),
    meta: (psid: string, m: string, text: string) => {
      const raw = JSON.stringify(P.messaging('page', [{ accountId: PAGE, events: [P.text(PAGE, psid, m, text)] }]));
      return post(`/webhooks/meta/${ch.messenger}`, raw, {
        'content-type': 'application/json',
        'x-hub-signature-256': `sha256=${createHmac('sha256', META_SECRET).update(raw).digest('hex')}`,
      });
    },
  };
}

/** How many messages each of these provider ids filed (ids filed at least once, in code-point order). */
const messagesWith = async (app: TestApp, externalIds: string[]) =>
  once(
    (
      await app.db.query(`SELECT external_id, count(*)::int AS n FROM message WHERE external_id = ANY($1) GROUP BY external_id`, [
        externalIds,
      ])
    ).rows as { external_id: string; n: number }[],
  );
/** `{ external_id, n }` rows in code-point order of their ids; given ids: each once. */
function once(rows: (string | { external_id: string; n: number })[]) {
  return rows
    .map((r) => (typeof r === 'string' ? { external_id: r, n: 1 } : r))
    .sort((a, b) => (a.external_id < b.external_id ? -1 : a.external_id > b.external_id ? 1 : 0));
}
const inboxRows = async (app: TestApp) =>
  (await app.db.query(`SELECT kind, attempts, failed_at IS NOT NULL AS failed, error FROM webhook_inbox ORDER BY id`)).rows;
const metric = async (app: TestApp, line: RegExp) => {
  const text = await (await fetch(`${app.url}/metrics`)).text();
  const m = text.split('\n').find((l) => line.test(l));
  return m === undefined ? undefined : Number(m.split(' ').pop());
};

describe('provider webhooks acknowledged once stored, processed after (webhook inbox)', () => {
  let twilio: TwilioServer;
  let t: TestApp;
  let channels: Channels;
  let hooks: ReturnType<typeof provider>;
  let ec: RecordingClient;

  beforeAll(async () => {
    delete process.env.HTTP_PROXY;
    delete process.env.HTTPS_PROXY;
    twilio = await startTwilioServer();
    twilio.addAccount(ACCOUNT, TOKEN);
    t = await startTestApp();
    const made = await townWithChannels(t, twilio);
    channels = made.channels;
    hooks = provider(t, channels);
    ec = await connectRecording(t.url, made.town.agentEC.token);
  });
  afterAll(async () => {
    ec?.close();
    await t?.close();
    await twilio?.close();
  });

  it('files a webhook delivered several times (at once and after it was filed) once, with one event to the agents', async () => {
    const sid = smsSid();
    const answers = await Promise.all([1, 2, 3].map(() => hooks.sms(sid, '+33612340001', 'Bonjour, trois fois')));
    for (const a of answers) expect(a).toMatchObject({ status: 200, text: expect.stringMatching(/<Response\/>$/) });
    await t.webhooksProcessed();
    expect((await hooks.sms(sid, '+33612340001', 'Bonjour, trois fois')).status).toBe(200);
    await t.webhooksProcessed();
    expect(await messagesWith(t, [sid])).toEqual(once([sid]));
    const [{ id }] = (await t.db.query(`SELECT id FROM message WHERE external_id = $1`, [sid])).rows;
    await expectEventually(async () => expect(ec.of<MessageDto>('message.created').filter((m) => m.id === id)).toHaveLength(1));
  });

  it('files once a row a drainer left behind after the writer committed (killed before its delete)', async () => {
    const sid = smsSid();
    expect((await hooks.sms(sid, '+33612340002', 'Avant la panne')).status).toBe(200);
    await t.webhooksProcessed();
    // What an instance killed between the writer's commit and its own leaves: the row, again.
    const body = new URLSearchParams({
      MessageSid: sid,
      AccountSid: ACCOUNT,
      From: '+33612340002',
      To: SMS_NUMBER,
      Body: 'Avant la panne',
      NumMedia: '0',
    }).toString();
    await t.db.query(
      `INSERT INTO webhook_inbox (channel_id, kind, dedupe_key, order_key, payload) VALUES ($1, 'twilio-sms', $2, 'phone:+33612340002', $3)`,
      [channels.sms, `sms:${sid}`, body],
    );
    // Nobody told this instance: its poll finds the row.
    await t.webhooksProcessed(10_000);
    expect(await messagesWith(t, [sid])).toEqual([{ external_id: sid, n: 1 }]);
    expect(await inboxRows(t)).toEqual([]);
  });

  it('keeps a payload the writer refuses as failed with its reason, answered 200 and never tried again', async () => {
    // Passes the acknowledgement's checks (signature, MessageSid's shape, sender), refused by the ingest.
    const sid = 'SM' + 'a'.repeat(1000);
    expect((await hooks.sms(sid, '+33612340003', 'Identifiant trop long')).status).toBe(200);
    await t.webhooksProcessed();
    const failed = [{ kind: 'twilio-sms', attempts: 1, failed: true, error: 'identifiant externe du message invalide' }];
    expect(await inboxRows(t)).toEqual(failed);
    expect(await metric(t, /^guichet_webhook_inbox_rows\{state="failed"\}/)).toBe(1);
    // Twilio's (or anyone's) retry of it: acknowledged, nothing stored, nothing tried.
    expect((await hooks.sms(sid, '+33612340003', 'Identifiant trop long')).status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect(await inboxRows(t)).toEqual(failed);
    expect(await messagesWith(t, [sid])).toEqual([]);
    await t.db.query(`DELETE FROM webhook_inbox`);
  });

  it('still refuses a forged webhook (403) and a malformed one (400 with its reason) before storing anything', async () => {
    const path = `/webhooks/twilio/${channels.sms}/sms`;
    const params = { MessageSid: smsSid(), AccountSid: ACCOUNT, From: '+33612340004', To: SMS_NUMBER, Body: 'x' };
    const forged = await fetch(t.url + path, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        'x-twilio-signature': twilioSignature('autre', t.config.publicUrl + path, params),
      },
      body: new URLSearchParams(params).toString(),
    });
    expect(forged.status).toBe(403);
    const malformed = await hooks.sms('pas-un-sid', '+33612340004', 'x');
    expect(malformed.status).toBe(400);
    expect(JSON.parse(malformed.text).message).toBe('MessageSid manquant ou invalide');
    expect(await inboxRows(t)).toEqual([]);
  });

  it('two instances draining one inbox never process a row twice', async () => {
    const other = await startTestApp({
      databaseUrl: t.config.databaseUrl,
      encryptionKey: t.config.encryptionKey,
      appSecret: t.config.appSecret,
    });
    try {
      const otherHooks = provider(other, channels);
      // MMS: each processing of a row queues one media job, so a row processed twice would show.
      const sids = Array.from({ length: 40 }, smsSid);
      await Promise.all(
        sids.map(async (sid, i) => {
          const to = i % 2 ? otherHooks : hooks;
          const answer = await to.sms(sid, `+3361234${String(100 + (i % 5)).padStart(4, '0')}`, `Message ${i}`, {
            NumMedia: '1',
            MediaUrl0: `${twilio.url}/media/${sid}`,
            MediaContentType0: 'image/jpeg',
          });
          expect(answer.status).toBe(200);
        }),
      );
      await t.webhooksProcessed();
      expect(await messagesWith(t, sids)).toEqual(once(sids));
      const { rows } = await t.db.query(
        `SELECT m.external_id, count(j.id)::int AS jobs FROM message m
           LEFT JOIN pgboss.job j ON j.name = 'telephony-media' AND j.data->>'messageId' = m.id::text
          WHERE m.external_id = ANY($1) GROUP BY m.external_id`,
        [sids],
      );
      expect(rows.filter((r: { jobs: number }) => r.jobs !== 1)).toEqual([]);
      expect(rows).toHaveLength(sids.length);
    } finally {
      await other.close();
    }
  });

  it('an instance that stops before processing leaves its rows to the next; back-pressure for Meta only; /metrics; ready unaffected', async () => {
    // An ingress-only instance (WEBHOOK_DRAIN=0) stands for one whose drainer died: it stores, acknowledges, processes nothing.
    const a = await startTestApp({ webhooks: { drain: false, backlogLimit: 4 } });
    let aOpen = true;
    let b: TestApp | undefined;
    try {
      const { channels: ch } = await townWithChannels(a, twilio);
      const toA = provider(a, ch);
      const [sms1, sms2, call, m1, m2] = [smsSid(), smsSid(), callSid(), mid(), mid()];
      expect((await toA.sms(sms1, '+33612340011', 'Premier')).status).toBe(200);
      const ringing = await toA.call(call, '+33612340012');
      expect(ringing.status).toBe(200);
      expect(ringing.text).toContain('<Dial');
      // Nobody answered: voicemail TwiML at once, the call recorded as missed once processed (behind its own row).
      const noAnswer = await toA.callStatus(call, { DialCallStatus: 'no-answer' });
      expect(noAnswer.text).toContain('<Record');
      expect((await toA.meta('PSID-1', m1, 'Bonjour Messenger')).status).toBe(200);
      // Four rows wait (the instance's count of them is at most a second old): Meta, which
      // delivers again what is refused, is told to come back later…
      await new Promise((resolve) => setTimeout(resolve, 1_500));
      const refused = await toA.meta('PSID-2', m2, 'Trop tôt');
      expect(refused).toMatchObject({ status: 503, retryAfter: '30' });
      expect(JSON.parse(refused.text).message).toMatch(/^trop de notifications en attente de traitement/);
      // …Twilio, which does not, never is.
      expect((await toA.sms(sms2, '+33612340011', 'Second')).status).toBe(200);
      expect((await fetch(`${a.url}/api/v1/health/ready`)).status).toBe(200);
      expect(await metric(a, /^guichet_webhook_inbox_rows\{state="waiting"\}/)).toBe(5);
      expect(await metric(a, /^guichet_webhook_inbox_oldest_age_seconds/)).toBeGreaterThan(0);
      await new Promise((resolve) => setTimeout(resolve, 1_500));
      expect(await messagesWith(a, [sms1, sms2, call, m1])).toEqual([]);
      await a.close();
      aOpen = false;

      b = await startTestApp({
        databaseUrl: a.config.databaseUrl,
        encryptionKey: a.config.encryptionKey,
        appSecret: a.config.appSecret,
      });
      await b.webhooksProcessed(15_000);
      expect(await messagesWith(b, [sms1, sms2, call, m1, m2])).toEqual(once([sms1, sms2, call, m1]));
      // The call's steps in the order they came: filed, then missed (the other way round, the step finds no call).
      const { rows } = await b.db.query(`SELECT meta->'call'->>'outcome' AS outcome FROM message WHERE external_id = $1`, [call]);
      expect(rows).toEqual([{ outcome: 'missed' }]);
      // Meta's later delivery of the refused notification is taken once the backlog is gone.
      const toB = provider(b, ch);
      await expectEventually(async () => expect((await toB.meta('PSID-2', m2, 'Trop tôt')).status).toBe(200));
      await b.webhooksProcessed();
      expect(await messagesWith(b, [m2])).toEqual([{ external_id: m2, n: 1 }]);
    } finally {
      await b?.close();
      if (aOpen) await a.close();
    }
  });
});
