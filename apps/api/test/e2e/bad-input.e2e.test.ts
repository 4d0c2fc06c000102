import { createHmac, randomBytes } from 'node:crypto';
import { pbxSignature, twilioSignature } from '@guichet/channels';
import { LIMITS } from '@guichet/contracts';
import { metaPayloads as P, startGraphServer, type GraphServer } from '@guichet/testing';
import { seedTown, startTestApp, type TestApp } from '../harness';

const ACCOUNT = 'AC' + 'd'.repeat(32);
const TWILIO_TOKEN = 'auth-token-entrees-0001';
const PBX_SECRET = 'secret-partage-entrees-0001';
const META_SECRET = 'app-secret-entrees-1';
const PAGE = '3003';

/** What PostgreSQL cannot store, in the shapes a client can send it. */
const NUL = '\u0000';
const LONE_HIGH = '\ud800';
const LONE_LOW = '\udc00';

describe('bad input: a 4xx with a French reason, never a 500, nothing lost', () => {
  let t: TestApp;
  let town: Awaited<ReturnType<typeof seedTown>>;
  let graph: GraphServer;
  let sms: string;
  let pbx: string;
  let messenger: string;
  let counter = 0;
  // Each request posts from its own address so the per-IP limit of the form is never met.
  const ip = () => ({ 'x-forwarded-for': `10.9.${Math.floor(++counter / 250)}.${counter % 250}` });
  const formPath = () => `/api/v1/public/organizations/${town.org.slug}/requests`;
  const request = (over: Record<string, unknown> = {}) => ({
    teamId: town.etatCivil.id,
    name: 'Élodie Martin',
    email: `elodie.${randomBytes(3).toString('hex')}@example.fr`,
    subject: 'Acte de naissance',
    body: 'Bonjour, je souhaite une copie intégrale.',
    ...over,
  });
  const raw = async (method: string, path: string, init: { headers?: Record<string, string>; body?: BodyInit } = {}) => {
    const res = await fetch(t.url + path, { method, headers: init.headers, body: init.body });
    const text = await res.text();
    let body: any = text;
    try {
      body = JSON.parse(text);
    } catch {
      /* not JSON */
    }
    return { status: res.status, body, headers: res.headers };
  };
  const conversationByReference = async (reference: string) =>
    (
      await t.db.query(
        `SELECT c.id, c.subject, ct.name, m.body
           FROM conversation c JOIN contact ct ON ct.id = c.contact_id JOIN message m ON m.conversation_id = c.id
          WHERE c.reference = $1 ORDER BY m.created_at`,
        [reference],
      )
    ).rows;

  beforeAll(async () => {
    graph = await startGraphServer();
    graph.acceptTokens('page-token');
    t = await startTestApp();
    town = await seedTown(t);
    const channel = async (kind: string, config: object) => {
      const res = await t.http('POST', '/api/v1/channels', {
        token: town.admin.token,
        body: { kind, name: `Canal ${kind}`, teamId: town.etatCivil.id, config },
      });
      expect(res.status).toBe(201);
      return res.body.id as string;
    };
    sms = await channel('sms', {
      accountSid: ACCOUNT,
      authToken: TWILIO_TOKEN,
      phoneNumber: '+33700000009',
      apiBaseUrl: 'http://127.0.0.1:9',
    });
    pbx = await channel('pbx', { vendor: '3CX', sharedSecret: PBX_SECRET });
    messenger = await channel('messenger', {
      pageId: PAGE,
      pageAccessToken: 'page-token',
      appSecret: META_SECRET,
      verifyToken: 'verif',
      graphApiBaseUrl: graph.url,
    });
  });
  afterAll(async () => {
    await t?.close();
    await graph?.close();
  });

  describe('NUL bytes and lone surrogates are cleaned where PostgreSQL stores them, and the message is stored', () => {
    it('stores a form request whose fields carry NUL bytes and lone surrogates, NULs removed and surrogates replaced', async () => {
      const res = await t.http('POST', formPath(), {
        body: request({
          name: `Élo${NUL}die`,
          subject: `Acte ${LONE_HIGH}de naissance`,
          body: `Bonjour${NUL}, merci ${LONE_LOW}!`,
        }),
        headers: ip(),
      });
      expect(res.status).toBe(201);
      expect(await conversationByReference(res.body.reference)).toEqual([
        expect.objectContaining({ name: 'Élodie', subject: 'Acte \ufffdde naissance', body: 'Bonjour, merci \ufffd!' }),
      ]);
    });

    it('stores a multipart form request with a NUL byte in a field; a NUL in a part header is a malformed form (400)', async () => {
      const form = new FormData();
      for (const [k, v] of Object.entries(request({ body: `Pièce ${NUL}jointe` }))) form.append(k, String(v));
      form.append('attachments', new Blob([Buffer.from('%PDF-1.4 nul')], { type: 'application/pdf' }), 'acte.pdf');
      const res = await t.http('POST', formPath(), { form, headers: ip() });
      expect(res.status).toBe(201);
      expect((await conversationByReference(res.body.reference))[0].body).toBe('Pièce jointe');

      const before = await t.count('message');
      const header = new FormData();
      for (const [k, v] of Object.entries(request())) header.append(k, String(v));
      header.append('attachments', new Blob([Buffer.from('%PDF')], { type: 'application/pdf' }), `acte${NUL}.pdf`);
      expect(await t.http('POST', formPath(), { form: header, headers: ip() })).toMatchObject({
        status: 400,
        body: { message: 'formulaire mal formé : renvoyez-le depuis la page de la commune' },
      });
      expect(await t.count('message')).toBe(before);
    });

    it('stores a citizen reply with NUL bytes and lone surrogates on the tracking page', async () => {
      const created = (await t.http('POST', formPath(), { body: request(), headers: ip() })).body;
      const res = await t.http('POST', `/api/v1/public/requests/${created.reference}?token=${created.trackingToken}`, {
        body: { body: `Voici ${NUL}ma réponse ${LONE_HIGH}` },
        headers: ip(),
      });
      expect(res.status).toBe(201);
      expect(res.body.messages.map((m: { body: string }) => m.body)).toContain('Voici ma réponse \ufffd');
    });

    it('answers a login with a NUL byte or a lone surrogate in the e-mail or password with 401', async () => {
      for (const body of [
        { email: `a${NUL}gent@test.guichet.fr`, password: 'x' },
        { email: town.agentEC.email, password: `mot${NUL}${LONE_HIGH}` },
        { email: `${LONE_LOW}@test.guichet.fr`, password: 'x' },
      ]) {
        const res = await t.http('POST', '/api/v1/auth/login', { body, headers: ip() });
        expect(res.status).toBe(401);
      }
    });

    it('answers 404 (or 400) for NUL bytes and broken UTF-8 in URL path parameters, never 500', async () => {
      expect((await t.http('GET', '/api/v1/public/organizations/ville%00test')).status).toBe(404);
      expect(
        (await t.http('POST', '/api/v1/public/organizations/ville%00test/requests', { body: request(), headers: ip() })).status,
      ).toBe(404);
      expect((await t.http('GET', '/api/v1/public/requests/GU-%00?token=x')).status).toBe(404);
      const broken = await t.http('GET', '/api/v1/public/organizations/ville%ED%A0%80');
      expect(broken).toMatchObject({ status: 400, body: { message: 'adresse invalide' } });
      expect((await t.http('GET', `/webhooks/meta/%00?hub.mode=subscribe&hub.verify_token=x%00&hub.challenge=1`)).status).toBe(
        404,
      );
    });

    it('answers 404 for a tracking token of 32 multi-byte characters, not 500', async () => {
      const created = (await t.http('POST', formPath(), { body: request(), headers: ip() })).body;
      for (const token of ['é'.repeat(32), '€'.repeat(32), '😀'.repeat(16), `${'A'.repeat(31)}${NUL}`]) {
        const url = `/api/v1/public/requests/${created.reference}?token=${encodeURIComponent(token)}`;
        expect((await t.http('GET', url)).status).toBe(404);
        expect((await t.http('POST', url, { body: { body: 'x' }, headers: ip() })).status).toBe(404);
      }
    });

    it('stores a signed Twilio SMS carrying NUL bytes once, and answers TwiML as usual', async () => {
      const path = `/webhooks/twilio/${sms}/sms`;
      const sid = `SM${randomBytes(16).toString('hex')}`;
      const params = {
        MessageSid: sid,
        AccountSid: ACCOUNT,
        From: '+33611112222',
        To: '+33700000009',
        Body: `Bon${NUL}jour`,
        ProfileName: `Ma${NUL}rie`,
        NumMedia: '0',
      };
      const post = () =>
        raw('POST', path, {
          headers: {
            'content-type': 'application/x-www-form-urlencoded',
            'x-twilio-signature': twilioSignature(TWILIO_TOKEN, t.config.publicUrl + path, params),
          },
          body: new URLSearchParams(params).toString(),
        });
      for (let i = 0; i < 2; i++) {
        const res = await post();
        expect(res.status).toBe(200);
        expect(res.body).toMatch(/<Response\/>$/);
      }
      await t.webhooksProcessed();
      const { rows } = await t.db.query(`SELECT body FROM message WHERE channel_id = $1 AND external_id = $2`, [sms, sid]);
      expect(rows).toEqual([{ body: 'Bonjour' }]);
    });

    it('stores a signed switchboard call whose fields carry NUL bytes and a lone surrogate once', async () => {
      const callId = `call-${randomBytes(4).toString('hex')}`;
      const body = JSON.stringify({
        event: 'ringing',
        callId: `${callId}${NUL}`,
        from: '+33 6 12 34 56 78',
        to: `+33140000000${LONE_HIGH}`,
        extension: `2${NUL}01`,
        direction: 'inbound',
        at: new Date().toISOString(),
      });
      const post = () =>
        raw('POST', `/webhooks/calls/${pbx}`, {
          headers: { 'content-type': 'application/json', 'x-guichet-signature': pbxSignature(PBX_SECRET, body) },
          body,
        });
      expect((await post()).status).toBe(202);
      expect((await post()).status).toBe(202);
      const { rows } = await t.db.query(`SELECT external_id FROM message WHERE channel_id = $1`, [pbx]);
      expect(rows).toEqual([{ external_id: callId }]);
    });

    it('stores a signed Meta message carrying NUL bytes and lone surrogates once', async () => {
      const mid = `m_${randomBytes(8).toString('hex')}`;
      const body = JSON.stringify(
        P.messaging('page', [
          { accountId: PAGE, events: [P.text(PAGE, 'PSID-NUL', mid, `Bonjour${NUL} la mairie ${LONE_HIGH}`)] },
        ]),
      );
      const sign = `sha256=${createHmac('sha256', META_SECRET).update(body).digest('hex')}`;
      for (let i = 0; i < 2; i++) {
        const res = await raw('POST', `/webhooks/meta/${messenger}`, {
          headers: { 'content-type': 'application/json', 'x-hub-signature-256': sign },
          body,
        });
        expect(res).toMatchObject({ status: 200, body: 'EVENT_RECEIVED' });
      }
      await t.webhooksProcessed();
      const { rows } = await t.db.query(`SELECT body FROM message WHERE channel_id = $1 AND external_id = $2`, [messenger, mid]);
      expect(rows).toEqual([{ body: 'Bonjour la mairie \ufffd' }]);
    });
  });

  describe('file names keep their UTF-8 characters', () => {
    it('keeps "Acte de décès — François.pdf" from the form to the tracking page and the agent’s download', async () => {
      const name = 'Acte de décès — François.pdf';
      const form = new FormData();
      for (const [k, v] of Object.entries(request())) form.append(k, String(v));
      form.append('attachments', new Blob([Buffer.from('%PDF-1.4 acte')], { type: 'application/pdf' }), name);
      const created = await t.http('POST', formPath(), { form, headers: ip() });
      expect(created.status).toBe(201);
      const { rows } = await t.db.query(
        `SELECT a.id, a.file_name FROM attachment a JOIN message m ON m.id = a.message_id JOIN conversation c ON c.id = m.conversation_id WHERE c.reference = $1`,
        [created.body.reference],
      );
      expect(rows).toEqual([{ id: expect.any(String), file_name: name }]);

      const page = await t.http('GET', `/api/v1/public/requests/${created.body.reference}?token=${created.body.trackingToken}`);
      expect(page.body.messages[0].attachments).toEqual([
        { id: rows[0].id, fileName: name, contentType: 'application/pdf', size: 13 },
      ]);

      const download = await fetch(`${t.url}/api/v1/attachments/${rows[0].id}`, {
        headers: { authorization: `Bearer ${town.agentEC.token}` },
      });
      expect(download.status).toBe(200);
      const disposition = download.headers.get('content-disposition')!;
      // RFC 6266 / 8187: an ASCII fallback, then the exact UTF-8 name, percent-encoded.
      expect(disposition).toBe(
        `attachment; filename="Acte de deces _ Francois.pdf"; filename*=UTF-8''Acte%20de%20d%C3%A9c%C3%A8s%20%E2%80%94%20Fran%C3%A7ois.pdf`,
      );
      const star = /filename\*=UTF-8''(.+)$/.exec(disposition)![1]!;
      expect(decodeURIComponent(star)).toBe(name);
    });

    it('percent-encodes the characters RFC 8187 leaves out of a filename* value', async () => {
      const name = "L'acte (copie)*.pdf";
      const form = new FormData();
      for (const [k, v] of Object.entries(request())) form.append(k, String(v));
      form.append('attachments', new Blob([Buffer.from('%PDF')], { type: 'application/pdf' }), name);
      const created = await t.http('POST', formPath(), { form, headers: ip() });
      const { rows } = await t.db.query(
        `SELECT a.id FROM attachment a JOIN message m ON m.id = a.message_id JOIN conversation c ON c.id = m.conversation_id WHERE c.reference = $1`,
        [created.body.reference],
      );
      const download = await fetch(`${t.url}/api/v1/attachments/${rows[0].id}`, {
        headers: { authorization: `Bearer ${town.agentEC.token}` },
      });
      expect(download.headers.get('content-disposition')).toBe(
        `attachment; filename="L'acte (copie)*.pdf"; filename*=UTF-8''L%27acte%20%28copie%29%2A.pdf`,
      );
    });
  });

  describe('every 4xx reason is in French', () => {
    const file = (bytes: number) => new Blob([Buffer.alloc(bytes, 0x25)], { type: 'application/pdf' });
    const multipart = (build: (form: FormData) => void) => {
      const form = new FormData();
      for (const [k, v] of Object.entries(request())) form.append(k, String(v));
      build(form);
      return form;
    };
    type Case = [string, () => Promise<{ status: number; body: any }>, number, string, RegExp?];
    const cases: Case[] = [
      [
        'six attachments on the form',
        () =>
          t.http('POST', formPath(), {
            form: multipart((f) => Array.from({ length: 6 }, (_, i) => f.append('attachments', file(10), `p${i}.pdf`))),
            headers: ip(),
          }),
        400,
        `${LIMITS.attachmentsPerRequest} pièces jointes au maximum`,
      ],
      [
        'a file in another field than attachments',
        () => t.http('POST', formPath(), { form: multipart((f) => f.append('fichier', file(10), 'p.pdf')), headers: ip() }),
        400,
        'fichier envoyé dans un champ inattendu : joignez les pièces jointes au champ « attachments »',
      ],
      [
        'an attachment over 10 MiB',
        () =>
          t.http('POST', formPath(), {
            form: multipart((f) => f.append('attachments', file(LIMITS.attachmentBytes + 1), 'gros.pdf')),
            headers: ip(),
          }),
        413,
        'pièce jointe trop volumineuse : 10 Mo au maximum par fichier',
      ],
      [
        'a form field over 64 KiB',
        () => t.http('POST', formPath(), { form: multipart((f) => f.set('body', 'x'.repeat(64 * 1024 + 1))), headers: ip() }),
        400,
        'le champ « body » est trop long',
      ],
      [
        'too many form fields',
        () =>
          t.http('POST', formPath(), {
            form: multipart((f) => Array.from({ length: 20 }, (_, i) => f.append(`extra${i}`, 'x'))),
            headers: ip(),
          }),
        400,
        'trop de champs dans le formulaire',
      ],
      [
        'a multipart body without its boundary',
        () => raw('POST', formPath(), { headers: { 'content-type': 'multipart/form-data', ...ip() }, body: 'x' }),
        400,
        'formulaire mal formé : renvoyez-le depuis la page de la commune',
      ],
      [
        'a multipart body cut short',
        () =>
          raw('POST', formPath(), {
            headers: { 'content-type': 'multipart/form-data; boundary=XyZ', ...ip() },
            body: '--XyZ\r\nContent-Disposition: form-data; name="name"\r\n\r\nÉlodie',
          }),
        400,
        'formulaire mal formé : renvoyez-le depuis la page de la commune',
      ],
      [
        'malformed JSON',
        () => raw('POST', formPath(), { headers: { 'content-type': 'application/json', ...ip() }, body: '{"name": ' }),
        400,
        'corps JSON invalide',
      ],
      [
        'JSON over the size limit',
        () => t.http('POST', formPath(), { body: request({ body: 'x'.repeat(300_000) }), headers: ip() }),
        413,
        'requête trop volumineuse',
      ],
      [
        'JSON in a charset other than UTF-8',
        () => raw('POST', formPath(), { headers: { 'content-type': 'application/json; charset=latin2', ...ip() }, body: '{}' }),
        415,
        'jeu de caractères non pris en charge : envoyez le texte en UTF-8',
      ],
      [
        'a content encoding the server does not decode',
        () =>
          raw('POST', formPath(), {
            headers: { 'content-type': 'application/json', 'content-encoding': 'compress', ...ip() },
            body: '{}',
          }),
        415,
        'encodage du contenu non pris en charge',
      ],
      [
        'a urlencoded body with too many fields',
        () =>
          raw('POST', formPath(), {
            headers: { 'content-type': 'application/x-www-form-urlencoded', ...ip() },
            body: Array.from({ length: 1001 }, (_, i) => `f${i}=x`).join('&'),
          }),
        413,
        'trop de champs dans la requête',
      ],
      [
        'a multipart/mixed body',
        () => raw('POST', formPath(), { headers: { 'content-type': 'multipart/mixed; boundary=XyZ', ...ip() }, body: '--XyZ--' }),
        415,
        'type de contenu non pris en charge',
      ],
      ['an unknown API route', () => t.http('GET', '/api/v1/nulle-part'), 404, 'adresse introuvable'],
      ['a method the route does not answer', () => t.http('DELETE', formPath()), 404, 'adresse introuvable'],
      ['an unknown webhook route', () => t.http('POST', '/webhooks/inconnu', { body: {} }), 404, 'adresse introuvable'],
      [
        'broken percent-encoding in the path',
        () => t.http('GET', '/api/v1/public/organizations/%E0%A4%A'),
        400,
        'adresse invalide',
      ],
      [
        'an invalid field, with French details',
        () => t.http('POST', formPath(), { body: request({ teamId: 'pas-un-service', name: 42 }), headers: ip() }),
        400,
        'requête invalide',
        /^\["teamId: UUID invalide","name: Entrée invalide : chaîne de caractères attendu, nombre reçu"\]$/,
      ],
      [
        'a login with the wrong types',
        () => t.http('POST', '/api/v1/auth/login', { body: { email: 'agent@test.guichet.fr', password: 1234 }, headers: ip() }),
        400,
        'requête invalide',
        /^\["password: Entrée invalide : chaîne de caractères attendu, nombre reçu"\]$/,
      ],
    ];
    // A rest parameter: jest would take a fifth named parameter for a `done` callback.
    it.each(cases)('%s', async (...[, send, status, message, details]: Case) => {
      const before = await Promise.all(['conversation', 'message', 'attachment'].map((x) => t.count(x)));
      const res = await send();
      expect({ status: res.status, message: res.body?.message }).toEqual({ status, message });
      if (details) expect(JSON.stringify(res.body.details)).toMatch(details);
      else expect(res.body.details).toBeUndefined();
      expect(await Promise.all(['conversation', 'message', 'attachment'].map((x) => t.count(x)))).toEqual(before);
    });
  });
});
