import { randomBytes } from 'node:crypto';
import { request } from 'node:http';
import { pbxSignature, signMetaPayload, twilioSignature } from '@guichet/channels';
import { expectEventually } from '@guichet/testing';
import { seedTown, startTestApp, type TestApp } from '../harness';

const ACCOUNT = 'AC' + 'b'.repeat(32);
const TOKEN = 'auth-token-corps-0001';
const APP_SECRET = 'app-secret-corps-0001';
const PBX_SECRET = 'secret-partage-corps-0001';
const UNKNOWN = '00000000-0000-4000-8000-00000000dead';
const MiB = 1024 * 1024;

/** JSON that is slow to parse (deep nesting) and invalid in the end: a parser would answer 400. */
const garbage = (bytes: number) => Buffer.alloc(bytes, '[');

interface Answer {
  status?: number;
  body?: string;
}

/**
 * A POST that announces `declared` bytes (or is chunked) and sends only `first` of them for now:
 * the answer is recorded whenever it comes, `rest()` sends the remaining bytes, `abort()` gives up.
 */
function partialPost(
  baseUrl: string,
  path: string,
  o: { headers?: Record<string, string>; declared: number | 'chunked'; first: Buffer },
) {
  const answer: Answer = {};
  const headers: Record<string, string | number> = { 'content-type': 'application/json', ...o.headers };
  if (o.declared !== 'chunked') headers['content-length'] = o.declared;
  const req = request(`${baseUrl}${path}`, { method: 'POST', headers });
  req.on('response', (res) => {
    const chunks: Buffer[] = [];
    res.on('data', (c: Buffer) => chunks.push(c));
    res.on('end', () => Object.assign(answer, { status: res.statusCode, body: Buffer.concat(chunks).toString('utf8') }));
  });
  // The server may close the connection of a refused request while bytes are still on their way.
  req.on('error', () => undefined);
  req.write(o.first);
  return {
    answer,
    rest: (bytes: Buffer) => req.end(bytes),
    abort: () => req.destroy(),
  };
}

const message = (a: Answer) => (JSON.parse(a.body!) as { message: string }).message;

describe('webhook bodies: read once the route and the channel exist, within what the provider sends, signature before parsing', () => {
  let t: TestApp;
  let town: Awaited<ReturnType<typeof seedTown>>;
  let sms: string;
  let voice: string;
  let messenger: string;
  let pbx: string;

  const stored = async () => ({
    messages: await t.count('message'),
    contacts: await t.count('contact'),
    conversations: await t.count('conversation'),
  });

  beforeAll(async () => {
    t = await startTestApp();
    town = await seedTown(t);
    const create = async (kind: string, config: object) => {
      const res = await t.http('POST', '/api/v1/channels', {
        token: town.admin.token,
        body: { kind, name: `Canal ${kind}`, teamId: town.etatCivil.id, config },
      });
      expect(res.status).toBe(201);
      return res.body.id as string;
    };
    sms = await create('sms', { accountSid: ACCOUNT, authToken: TOKEN, phoneNumber: '+33700000011' });
    voice = await create('voice', { accountSid: ACCOUNT, authToken: TOKEN, phoneNumber: '+33140000011' });
    messenger = await create('messenger', {
      pageId: '2002',
      pageAccessToken: 'page-token',
      appSecret: APP_SECRET,
      verifyToken: 'verif-corps',
      graphApiBaseUrl: 'http://127.0.0.1:9',
    });
    pbx = await create('pbx', { vendor: '3CX', sharedSecret: PBX_SECRET });
  });
  afterAll(() => t?.close());

  const routes = (channel: { twilioSms: string; twilioVoice: string; meta: string; pbx: string }) => [
    `/webhooks/twilio/${channel.twilioSms}/sms`,
    `/webhooks/twilio/${channel.twilioSms}/status`,
    `/webhooks/twilio/${channel.twilioVoice}/voice`,
    `/webhooks/twilio/${channel.twilioVoice}/voice-status`,
    `/webhooks/meta/${channel.meta}`,
    `/webhooks/calls/${channel.pbx}`,
  ];

  it('answers 404 for an unknown channel, a channel of another kind or an unknown webhook route before an 8 MB body is even sent', async () => {
    const paths = [
      ...routes({ twilioSms: UNKNOWN, twilioVoice: UNKNOWN, meta: UNKNOWN, pbx: UNKNOWN }),
      ...routes({ twilioSms: voice, twilioVoice: sms, meta: pbx, pbx: messenger }),
      '/webhooks/twilio/pas-un-id/sms',
      '/webhooks/ailleurs/quelque-chose',
      '/WEBHOOKS/meta/' + UNKNOWN,
    ];
    for (const contentType of ['application/json', 'application/x-www-form-urlencoded']) {
      const pending = paths.map((path) => ({
        path,
        post: partialPost(t.url, path, {
          headers: { 'content-type': contentType },
          declared: 8 * MiB,
          first: garbage(64 * 1024),
        }),
      }));
      try {
        // The server keeps answering while the garbage is on its way.
        expect((await t.http('GET', '/api/v1/health')).status).toBe(200);
        for (const { path, post } of pending) {
          await expectEventually(() => expect({ path, status: post.answer.status }).toEqual({ path, status: 404 }));
          if (!path.includes('ailleurs')) expect(message(post.answer)).toBe('canal introuvable');
        }
      } finally {
        pending.forEach(({ post }) => post.abort());
      }
    }
    expect((await t.http('GET', '/api/v1/health')).status).toBe(200);
  });

  it('refuses a body larger than the provider ever sends with 413 and a French reason, before it is sent in full', async () => {
    const cases = [
      { path: `/webhooks/twilio/${sms}/sms`, declared: MiB, limit: 64 * 1024, reason: /64 Kio/ },
      { path: `/webhooks/twilio/${voice}/voice`, declared: MiB, limit: 64 * 1024, reason: /64 Kio/ },
      { path: `/webhooks/meta/${messenger}`, declared: 8 * MiB, limit: 4 * MiB, reason: /4 Mio/ },
      { path: `/webhooks/calls/${pbx}`, declared: MiB, limit: 16 * 1024, reason: /16 Kio/ },
    ];
    for (const c of cases) {
      for (const declared of [c.declared, 'chunked'] as const) {
        // Chunked: no length announced, refused once the limit is passed (by a little: what the
        // server leaves unread must fit in the kernel's buffers, or this client loses the answer).
        const post = partialPost(t.url, c.path, {
          declared,
          first: garbage(declared === 'chunked' ? c.limit + 16 * 1024 : 64 * 1024),
        });
        try {
          await expectEventually(() =>
            expect({ path: c.path, declared, status: post.answer.status }).toEqual({ path: c.path, declared, status: 413 }),
          );
          expect(message(post.answer)).toMatch(/trop volumineu/);
          expect(message(post.answer)).toMatch(c.reason);
        } finally {
          post.abort();
        }
      }
    }
  });

  it('refuses garbage with a bad signature with 403 before parsing it, while the server keeps answering; nothing is stored', async () => {
    const before = await stored();
    const raw = garbage(MiB);
    // Within Meta's limit: the server waits for the whole body (the signature covers it), answering others meanwhile.
    const meta = partialPost(t.url, `/webhooks/meta/${messenger}`, {
      headers: { 'x-hub-signature-256': `sha256=${'0'.repeat(64)}` },
      declared: raw.length,
      first: raw.subarray(0, 1000),
    });
    try {
      expect((await t.http('GET', '/api/v1/health')).status).toBe(200);
      expect(meta.answer.status).toBeUndefined();
      meta.rest(raw.subarray(1000));
      await expectEventually(() => expect(meta.answer.status).toBe(403));
      expect(message(meta.answer)).toMatch(/signature X-Hub-Signature-256 invalide/);
    } finally {
      meta.abort();
    }
    // Garbage that a parser would refuse with 400 gets 403: the signature is checked first.
    const small = garbage(8 * 1024).toString();
    const post = (path: string, headers: Record<string, string>, body = small) =>
      fetch(t.url + path, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
    const forged = [
      await post(`/webhooks/calls/${pbx}`, { 'x-guichet-signature': pbxSignature('un-autre-secret-000', small) }),
      await post(`/webhooks/calls/${pbx}`, {}),
      await post(`/webhooks/meta/${messenger}`, { 'x-hub-signature-256': signMetaPayload(small, 'un-autre-secret') }),
      await post(`/webhooks/twilio/${sms}/sms`, {
        'content-type': 'application/x-www-form-urlencoded',
        'x-twilio-signature': 'AAAAAAAAAAAAAAAAAAAAAAAAAAA=',
      }),
      await post(`/webhooks/twilio/${voice}/voice`, { 'content-type': 'application/x-www-form-urlencoded' }),
    ];
    expect(forged.map((r) => r.status)).toEqual([403, 403, 403, 403, 403]);
    expect(await stored()).toEqual(before);
  });

  it('parses a correctly signed body only after its signature: signed garbage is a 400 with a French reason', async () => {
    const before = await stored();
    const small = garbage(8 * 1024).toString();
    const pbxRes = await fetch(`${t.url}/webhooks/calls/${pbx}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-guichet-signature': pbxSignature(PBX_SECRET, small) },
      body: small,
    });
    expect(pbxRes.status).toBe(400);
    expect((await pbxRes.json()).message).toBe('corps JSON invalide');
    const metaRes = await fetch(`${t.url}/webhooks/meta/${messenger}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-hub-signature-256': signMetaPayload(small, APP_SECRET) },
      body: small,
    });
    expect(metaRes.status).toBe(400);
    expect((await metaRes.json()).message).toBe('corps JSON invalide');
    expect(await stored()).toEqual(before);
  });

  it('still files a correctly signed SMS, call event and Messenger message, whatever content type they announce', async () => {
    const before = await stored();
    const path = `/webhooks/twilio/${sms}/sms`;
    const params = {
      MessageSid: 'SM' + randomBytes(16).toString('hex'),
      AccountSid: ACCOUNT,
      From: '+33611223344',
      To: '+33700000011',
      Body: 'Bonjour & merci = 100 % ✓',
    };
    const smsRes = await fetch(t.url + path, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        'x-twilio-signature': twilioSignature(TOKEN, t.config.publicUrl + path, params),
      },
      body: new URLSearchParams(params).toString(),
    });
    expect(smsRes.status).toBe(200);
    const call = JSON.stringify({
      event: 'ringing',
      callId: `c-${randomBytes(4).toString('hex')}`,
      from: '0612345678',
      to: '+33140000000',
      direction: 'inbound',
      at: new Date().toISOString(),
    });
    const callRes = await fetch(`${t.url}/webhooks/calls/${pbx}`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain', 'x-guichet-signature': pbxSignature(PBX_SECRET, call) },
      body: call,
    });
    expect(callRes.status).toBe(202);
    const mid = `m_${randomBytes(8).toString('hex')}`;
    const meta = JSON.stringify({
      object: 'page',
      entry: [
        {
          id: '2002',
          time: Date.now(),
          messaging: [
            { sender: { id: 'PSID-CORPS' }, recipient: { id: '2002' }, timestamp: Date.now(), message: { mid, text: 'Bonjour' } },
          ],
        },
      ],
    });
    const metaRes = await fetch(`${t.url}/webhooks/meta/${messenger}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-hub-signature-256': signMetaPayload(meta, APP_SECRET) },
      body: meta,
    });
    expect(metaRes.status).toBe(200);
    // The SMS and the Messenger message were acknowledged once stored: filed right after.
    await t.webhooksProcessed();
    expect((await stored()).messages).toBe(before.messages + 3);
    const { rows } = await t.db.query(`SELECT body FROM message WHERE external_id = $1`, [params.MessageSid]);
    expect(rows).toEqual([{ body: 'Bonjour & merci = 100 % ✓' }]);
  });

  it('lists the webhook routes in the OpenAPI document with their body and signature header', async () => {
    const res = await t.http('GET', '/api/docs/openapi.json');
    expect(res.status).toBe(200);
    const paths = res.body.paths as Record<
      string,
      Record<
        string,
        {
          requestBody?: { content: Record<string, unknown> };
          parameters?: { in: string; name: string; required?: boolean }[];
          description?: string;
        }
      >
    >;
    const signed = [
      { path: '/webhooks/twilio/{channelId}/sms', header: 'X-Twilio-Signature', type: 'application/x-www-form-urlencoded' },
      { path: '/webhooks/twilio/{channelId}/status', header: 'X-Twilio-Signature', type: 'application/x-www-form-urlencoded' },
      { path: '/webhooks/twilio/{channelId}/voice', header: 'X-Twilio-Signature', type: 'application/x-www-form-urlencoded' },
      {
        path: '/webhooks/twilio/{channelId}/voice-status',
        header: 'X-Twilio-Signature',
        type: 'application/x-www-form-urlencoded',
      },
      { path: '/webhooks/meta/{channelId}', header: 'X-Hub-Signature-256', type: 'application/json' },
      { path: '/webhooks/calls/{channelId}', header: 'X-Guichet-Signature', type: 'application/json' },
    ];
    for (const r of signed) {
      const op = paths[r.path]?.post;
      expect({ path: r.path, documented: !!op }).toEqual({ path: r.path, documented: true });
      expect(Object.keys(op!.requestBody!.content)).toEqual([r.type]);
      expect(op!.parameters).toEqual(
        expect.arrayContaining([expect.objectContaining({ in: 'header', name: r.header, required: true })]),
      );
      expect(op!.parameters).toEqual(expect.arrayContaining([expect.objectContaining({ in: 'path', name: 'channelId' })]));
      expect(op!.description).toMatch(/signature/i);
    }
    const handshake = paths['/webhooks/meta/{channelId}']!.get!;
    expect(handshake.parameters!.map((p) => p.name)).toEqual(
      expect.arrayContaining(['channelId', 'hub.mode', 'hub.verify_token', 'hub.challenge']),
    );
  });
});
