import { createHmac, randomBytes } from 'node:crypto';
import { connect } from 'node:net';
import fc from 'fast-check';
import { pbxSignature, twilioSignature } from '@guichet/channels';
import { metaPayloads as P, startGraphServer, type GraphServer } from '@guichet/testing';
import { seedTown, startTestApp, type TestApp } from '../harness';

/**
 * Property-based fuzz of every public and webhook endpoint: random Unicode, NUL bytes and lone
 * surrogates in fields, headers and paths never get a 5xx, the process keeps answering, and a
 * validly signed message posted twice is stored exactly once. Seeded: a failure prints the seed
 * and the shrunk counterexample, and runs again the same way.
 */
const SEED = 20_251_126;
const ACCOUNT = 'AC' + 'e'.repeat(32);
const TWILIO_TOKEN = 'auth-token-fuzz-0001';
const PBX_SECRET = 'secret-partage-fuzz-0001';
const META_SECRET = 'app-secret-fuzz-1';
const PAGE = '4004';

/**
 * Characters that broke things, mixed with any UTF-16 code unit (lone surrogates included) and
 * any code point. A unit may be several characters long (UNIT_MAX_CHARS): lengths are in units.
 */
const SPECIALS = [
  '\u0000',
  '\ud800',
  '\udbff',
  '\udc00',
  '\udfff',
  '\ud83d',
  '\ude00',
  '\ufffd',
  '\ufeff',
  '\u202e',
  '\u200b',
  '\u0085',
  '\r\n',
  '"',
  '\\',
  '%00',
  '%',
  '<style>',
  'é',
  '—',
  '😀',
  ' ',
];
const UNIT_MAX_CHARS = Math.max(...SPECIALS.map((x) => x.length));
const unit = fc.oneof(
  fc.constantFrom(...SPECIALS),
  fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)),
  fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }),
);
const nasty = (maxLength = 40) => fc.string({ unit, maxLength: Math.floor(maxLength) });
/** A path segment or query value: well-formed text percent-encoded (NULs kept), or any bytes percent-encoded (broken UTF-8 too). */
const encoded = fc.oneof(
  nasty().map((s) => encodeURIComponent(s.toWellFormed())),
  fc.uint8Array({ maxLength: 24 }).map((bytes) => [...bytes].map((b) => `%${b.toString(16).padStart(2, '0')}`).join('')),
);
/** Header values as HTTP carries them (latin1 bytes; fetch itself refuses NUL, CR and LF). */
const headerValue = fc.string({
  unit: fc
    .integer({ min: 0x21, max: 0xff })
    .filter((c) => c !== 0x7f)
    .map((c) => String.fromCharCode(c)),
  maxLength: 60,
});
const headers = fc.record(
  { 'user-agent': headerValue, 'accept-language': headerValue, 'x-forwarded-for': headerValue },
  { requiredKeys: [] },
);
/** Valid French mobile numbers (06 12 xx xx xx). */
const phone = fc.integer({ min: 0, max: 999_999 }).map((n) => `+33612${String(n).padStart(6, '0')}`);

describe('fuzz: random Unicode, NULs and lone surrogates on every public and webhook endpoint', () => {
  let t: TestApp;
  let town: Awaited<ReturnType<typeof seedTown>>;
  let graph: GraphServer;
  const channels = { sms: '', voice: '', pbx: '', messenger: '' };
  let tracked = { reference: '', token: '' };
  let n = 0;
  const unique = () => `${Date.now().toString(36)}${(++n).toString(36)}`;

  const send = async (method: string, path: string, init: { headers?: Record<string, string>; body?: BodyInit } = {}) => {
    const res = await fetch(t.url + path, { method, headers: init.headers, body: init.body });
    const text = await res.text();
    return { status: res.status, text };
  };
  /** No 5xx: a French 4xx or the usual answer. */
  const answered = (res: { status: number; text: string }, label: string) => {
    if (res.status >= 500) throw new Error(`${label}: ${res.status} ${res.text}`);
    return res;
  };
  const run = (property: fc.IAsyncProperty<any>, numRuns: number) => fc.assert(property, { seed: SEED, numRuns });
  /** Messages filed under these ids, once every acknowledged webhook has been processed (none refused). */
  const stored = async (channelId: string, prefix: string) => {
    await t.webhooksProcessed();
    expect((await t.db.query(`SELECT kind, error FROM webhook_inbox WHERE failed_at IS NOT NULL`)).rows).toEqual([]);
    return (
      await t.db.query(`SELECT count(*)::int AS n FROM message WHERE channel_id = $1 AND starts_with(external_id, $2)`, [
        channelId,
        prefix,
      ])
    ).rows[0].n as number;
  };
  const twilio = (path: string, params: Record<string, string>, h: Record<string, string> = {}) =>
    send('POST', path, {
      headers: {
        ...h,
        'content-type': 'application/x-www-form-urlencoded',
        'x-twilio-signature': twilioSignature(TWILIO_TOKEN, t.config.publicUrl + path, params),
      },
      body: new URLSearchParams(params).toString(),
    });
  const meta = (raw: string, h: Record<string, string> = {}) =>
    send('POST', `/webhooks/meta/${channels.messenger}`, {
      headers: {
        ...h,
        'content-type': 'application/json',
        'x-hub-signature-256': `sha256=${createHmac('sha256', META_SECRET).update(raw).digest('hex')}`,
      },
      body: raw,
    });
  const pbx = (raw: string, h: Record<string, string> = {}) =>
    send('POST', `/webhooks/calls/${channels.pbx}`, {
      headers: { ...h, 'content-type': 'application/json', 'x-guichet-signature': pbxSignature(PBX_SECRET, raw) },
      body: raw,
    });

  beforeAll(async () => {
    graph = await startGraphServer();
    graph.acceptTokens('page-token');
    t = await startTestApp({ publicRequestsPerHour: 100_000 });
    town = await seedTown(t);
    const create = async (kind: string, config: object) => {
      const res = await t.http('POST', '/api/v1/channels', {
        token: town.admin.token,
        body: { kind, name: `Canal ${kind}`, teamId: town.etatCivil.id, config },
      });
      expect(res.status).toBe(201);
      return res.body.id as string;
    };
    const twilioConfig = { accountSid: ACCOUNT, authToken: TWILIO_TOKEN, apiBaseUrl: 'http://127.0.0.1:9' };
    channels.sms = await create('sms', { ...twilioConfig, phoneNumber: '+33700000042' });
    channels.voice = await create('voice', { ...twilioConfig, phoneNumber: '+33140000042' });
    channels.pbx = await create('pbx', { vendor: '3CX', sharedSecret: PBX_SECRET });
    channels.messenger = await create('messenger', {
      pageId: PAGE,
      pageAccessToken: 'page-token',
      appSecret: META_SECRET,
      verifyToken: 'verif',
      graphApiBaseUrl: graph.url,
    });
    const created = await t.http('POST', `/api/v1/public/organizations/${town.org.slug}/requests`, {
      body: { teamId: town.etatCivil.id, name: 'Suivi Fuzz', email: 'suivi.fuzz@example.fr', subject: 'Suivi', body: 'Bonjour' },
    });
    tracked = { reference: created.body.reference, token: created.body.trackingToken };
  });
  afterAll(async () => {
    // The process is alive and answers after everything it was sent.
    expect((await t.http('GET', '/api/v1/health')).status).toBe(200);
    await t?.close();
    await graph?.close();
  });

  it('answers random organization slugs with a 4xx or the organization', async () => {
    await run(
      fc.asyncProperty(encoded, headers, async (slug, h) => {
        answered(await send('GET', `/api/v1/public/organizations/${slug}`, { headers: h }), `describe ${slug}`);
      }),
      15,
    );
  });

  it('stores or refuses (4xx) a JSON form whose every field is random, and stores a valid one with random text', async () => {
    const field = (valid: () => string) => fc.oneof(nasty(), fc.constant(null).map(valid));
    await run(
      fc.asyncProperty(
        fc.record({
          teamId: field(() => town.etatCivil.id),
          name: nasty(),
          email: field(() => `f.${unique()}@example.fr`),
          phone: nasty(20),
          subject: nasty(),
          body: nasty(200),
          website: fc.constantFrom(undefined, '', '\u0000'),
        }),
        encoded,
        headers,
        async (form, slug, h) => {
          const res = answered(
            await send('POST', `/api/v1/public/organizations/${town.org.slug}/requests`, {
              headers: { ...h, 'content-type': 'application/json' },
              body: JSON.stringify(form),
            }),
            'form',
          );
          expect([201, 400, 429]).toContain(res.status);
          answered(
            await send('POST', `/api/v1/public/organizations/${slug}/requests`, {
              headers: { 'content-type': 'application/json' },
              body: JSON.stringify(form),
            }),
            'form slug',
          );
        },
      ),
      25,
    );
    // Random text in every field of an otherwise valid form: stored.
    await run(
      // Within the form's limits (120 and 200 characters).
      fc.asyncProperty(nasty(119 / UNIT_MAX_CHARS), nasty(199 / UNIT_MAX_CHARS), nasty(300), async (name, subject, body) => {
        const res = await t.http('POST', `/api/v1/public/organizations/${town.org.slug}/requests`, {
          body: {
            teamId: town.etatCivil.id,
            name: `N${name}`,
            email: `ok.${unique()}@example.fr`,
            subject: `S${subject}`,
            body: `B${body}`,
          },
        });
        expect(res.status).toBe(201);
      }),
      10,
    );
  });

  it('stores or refuses (4xx) a multipart form with random fields and file names', async () => {
    await run(
      fc.asyncProperty(
        nasty(),
        nasty(200),
        nasty(),
        fc.uint8Array({ maxLength: 64 }),
        headers,
        async (name, body, fileName, bytes, h) => {
          const form = new FormData();
          form.append('teamId', town.etatCivil.id);
          form.append('name', name);
          form.append('email', `mp.${unique()}@example.fr`);
          form.append('subject', 'Pièce jointe');
          form.append('body', body);
          form.append('attachments', new Blob([bytes]), fileName);
          answered(
            await send('POST', `/api/v1/public/organizations/${town.org.slug}/requests`, { headers: h, body: form }),
            'multipart',
          );
        },
      ),
      15,
    );
  });

  it('answers random references and tokens on the tracking page with a 4xx, and stores random replies with the right token', async () => {
    await run(
      fc.asyncProperty(encoded, encoded, headers, async (reference, token, h) => {
        answered(await send('GET', `/api/v1/public/requests/${reference}?token=${token}`, { headers: h }), 'tracking get');
        answered(
          await send('GET', `/api/v1/public/requests/${tracked.reference}?token=${token}`, { headers: h }),
          'tracking token',
        );
        answered(
          await send('POST', `/api/v1/public/requests/${tracked.reference}?token=${token}`, {
            headers: { ...h, 'content-type': 'application/json' },
            body: '{"body":"x"}',
          }),
          'tracking post',
        );
      }),
      15,
    );
    await run(
      fc.asyncProperty(nasty(300), headers, async (body, h) => {
        const res = answered(
          await send('POST', `/api/v1/public/requests/${tracked.reference}?token=${tracked.token}`, {
            headers: { ...h, 'content-type': 'application/json' },
            body: JSON.stringify({ body: `R${body}` }),
          }),
          'tracking reply',
        );
        expect([201, 429]).toContain(res.status);
      }),
      10,
    );
  });

  it('answers random logins with a 4xx', async () => {
    await run(
      fc.asyncProperty(nasty(), nasty(), headers, async (email, password, h) => {
        const res = answered(
          await send('POST', '/api/v1/auth/login', {
            headers: { ...h, 'content-type': 'application/json' },
            body: JSON.stringify({ email, password }),
          }),
          'login',
        );
        expect(res.status).toBeGreaterThanOrEqual(400);
      }),
      15,
    );
  });

  it('stores a signed Twilio SMS with random text exactly once, and answers random signed fields with a 4xx or TwiML', async () => {
    await run(
      fc.asyncProperty(
        phone,
        nasty(300),
        nasty(),
        nasty(12),
        nasty(),
        headers,
        async (from, body, profile, extraKey, extraValue, h) => {
          const sid = `SM${randomBytes(16).toString('hex')}`;
          const params = {
            MessageSid: sid,
            AccountSid: ACCOUNT,
            From: from,
            To: '+33700000042',
            Body: body,
            ProfileName: profile,
            NumMedia: '0',
            [`X${extraKey}`]: extraValue,
          };
          for (let i = 0; i < 2; i++)
            expect(answered(await twilio(`/webhooks/twilio/${channels.sms}/sms`, params, h), 'sms').status).toBe(200);
          expect(await stored(channels.sms, sid)).toBe(1);
        },
      ),
      20,
    );
    await run(
      fc.asyncProperty(nasty(), nasty(), nasty(), nasty(), async (sid, from, status, error) => {
        answered(await twilio(`/webhooks/twilio/${channels.sms}/sms`, { MessageSid: sid, From: from, Body: 'x' }), 'sms fields');
        answered(
          await twilio(`/webhooks/twilio/${channels.sms}/status`, {
            MessageSid: sid,
            MessageStatus: status,
            ErrorCode: error,
            ErrorMessage: from,
          }),
          'status',
        );
        answered(
          await twilio(`/webhooks/twilio/${channels.sms}/status`, {
            MessageSid: `SM${unique()}`,
            MessageStatus: 'failed',
            ErrorCode: error,
            ErrorMessage: from,
          }),
          'late status',
        );
      }),
      10,
    );
  });

  it('answers signed Twilio voice webhooks with random fields with a 4xx or TwiML, and stores a call once', async () => {
    await run(
      fc.asyncProperty(
        fc.oneof(
          phone.map((v) => [v, true] as const),
          nasty().map((v) => [v, false] as const),
        ),
        nasty(),
        nasty(),
        nasty(),
        async ([from, valid], to, dial, callStatus) => {
          const sid = `CA${randomBytes(16).toString('hex')}`;
          for (let i = 0; i < 2; i++)
            answered(
              await twilio(`/webhooks/twilio/${channels.voice}/voice`, {
                CallSid: sid,
                AccountSid: ACCOUNT,
                From: from,
                To: to,
                CallStatus: 'ringing',
              }),
              'voice',
            );
          if (valid) expect(await stored(channels.voice, sid)).toBe(1);
          answered(
            await twilio(`/webhooks/twilio/${channels.voice}/voice-status`, {
              CallSid: sid,
              DialCallStatus: dial,
              DialCallDuration: to,
            }),
            'voice-status dial',
          );
          answered(
            await twilio(`/webhooks/twilio/${channels.voice}/voice-status`, {
              CallSid: `${sid}${to}`,
              CallStatus: callStatus,
              CallDuration: dial,
            }),
            'voice-status end',
          );
        },
      ),
      15,
    );
  });

  it('stores a signed switchboard call with random fields exactly once, and answers random signed bodies with a 4xx', async () => {
    await run(
      // Within the event's limits (`to` 60 characters, `extension` 20).
      fc.asyncProperty(
        phone,
        nasty(),
        nasty(59 / UNIT_MAX_CHARS),
        nasty(20 / UNIT_MAX_CHARS),
        headers,
        async (from, callId, to, extension, h) => {
          const prefix = `fz-${unique()}-`;
          const raw = JSON.stringify({
            event: 'ringing',
            callId: `${prefix}${callId}`,
            from,
            to: `T${to}`,
            direction: 'inbound',
            extension,
            at: new Date().toISOString(),
          });
          for (let i = 0; i < 2; i++) expect(answered(await pbx(raw, h), 'pbx').status).toBe(202);
          expect(await stored(channels.pbx, prefix)).toBe(1);
        },
      ),
      15,
    );
    await run(
      fc.asyncProperty(fc.oneof(nasty(200), fc.json()), async (raw) => {
        expect(answered(await pbx(raw), 'pbx raw').status).toBeGreaterThanOrEqual(400);
      }),
      10,
    );
  });

  it('stores a signed Meta message with random text exactly once, and answers random signed bodies with a 4xx', async () => {
    await run(
      fc.asyncProperty(nasty(300), nasty(), fc.bigInt({ min: 1n, max: 10n ** 15n }), headers, async (text, midTail, psid, h) => {
        const prefix = `m_fz${unique()}_`;
        const raw = JSON.stringify(
          P.messaging('page', [{ accountId: PAGE, events: [P.text(PAGE, String(psid), `${prefix}${midTail}`, `T${text}`)] }]),
        );
        for (let i = 0; i < 2; i++) expect(answered(await meta(raw, h), 'meta').status).toBe(200);
        expect(await stored(channels.messenger, prefix)).toBe(1);
      }),
      15,
    );
    await run(
      fc.asyncProperty(fc.oneof(nasty(200), fc.json()), async (raw) => {
        answered(await meta(raw), 'meta raw');
      }),
      10,
    );
  });

  it('answers a NUL byte in a raw request header or path with 400, and keeps answering', async () => {
    for (const line of [
      'GET /api/v1/health HTTP/1.1\r\nHost: x\r\nX-Test: a\u0000b\r\n\r\n',
      'GET /api/v1/hea\u0000lth HTTP/1.1\r\nHost: x\r\n\r\n',
    ]) {
      const { port } = new URL(t.url);
      const answer = await new Promise<string>((resolve, reject) => {
        const socket = connect(Number(port), '127.0.0.1', () => socket.end(Buffer.from(line, 'latin1')));
        let data = '';
        socket.on('data', (d) => (data += d.toString('latin1')));
        socket.on('close', () => resolve(data));
        socket.on('error', reject);
      });
      expect(answer).toMatch(/^HTTP\/1\.1 400 /);
    }
    expect((await t.http('GET', '/api/v1/health')).status).toBe(200);
  });
});
