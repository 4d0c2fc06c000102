import { Writable } from 'node:stream';
import { connectRecording, expectEventually } from '@guichet/testing';
import { scrubPersonalData } from '../../src/common/log-scrub';
import { seedTown, startTestApp, type TestApp } from '../harness';

/** Every line the app wrote, as written (JSON text), and parsed. */
class Capture extends Writable {
  readonly lines: string[] = [];
  override _write(chunk: Buffer, _enc: string, done: () => void): void {
    for (const l of chunk.toString('utf8').split('\n')) if (l) this.lines.push(l);
    done();
  }
  get records(): Record<string, unknown>[] {
    return this.lines.map((l) => JSON.parse(l) as Record<string, unknown>);
  }
}

// The fixtures' personal data: none of it may reach a log line, whatever the form it was written in.
const EMAIL = 'Elodie.Martin@Orange.fr';
const PHONE = '06 12 34 56 78';
const SMS_PHONE = '+33698765432';
const FORBIDDEN = [
  EMAIL,
  EMAIL.toLowerCase(),
  'elodie.martin',
  PHONE,
  '0612345678',
  '+33612345678',
  '612345678',
  SMS_PHONE,
  '698765432',
  'Élodie Martin',
  'je souhaite inscrire ma fille',
];

describe('structured logs: JSON lines with request id and organization, and no personal data', () => {
  let t: TestApp;
  let town: Awaited<ReturnType<typeof seedTown>>;
  const logs = new Capture();

  beforeAll(async () => {
    t = await startTestApp({ logLevel: 'debug', logFormat: 'json', logDestination: logs });
    town = await seedTown(t);
  });
  afterAll(() => t.close());

  it('a full flow (form request, SMS, agent reply and its job, socket events, bad input) logs no e-mail, phone, name nor body', async () => {
    const requestId = 'essai-0123456789abcdef';
    const form = await t.http('POST', `/api/v1/public/organizations/${town.org.slug}/requests`, {
      headers: { 'x-forwarded-for': '10.9.9.9' },
      body: {
        teamId: town.etatCivil.id,
        name: 'Élodie Martin',
        email: EMAIL,
        phone: PHONE,
        subject: 'Inscription',
        body: 'Bonjour, je souhaite inscrire ma fille en petite section.',
      },
    });
    expect(form.status).toBe(201);
    // Bad input quoting the address: a 4xx, logged without the address.
    const bad = await t.http('POST', `/api/v1/public/organizations/${town.org.slug}/requests`, {
      headers: { 'x-forwarded-for': '10.9.9.9' },
      body: { teamId: town.etatCivil.id, name: 'Élodie Martin', email: `${EMAIL}@`, phone: PHONE, subject: '', body: '' },
    });
    expect(bad.status).toBe(400);
    const sms = await t.ingest.ingest({
      channelId: town.sms.id,
      externalId: 'SM0123456789abcdef',
      from: { kind: 'phone', value: SMS_PHONE },
      text: 'je souhaite inscrire ma fille',
    });
    const socket = await connectRecording(t.url, town.agentEC.token);
    const joined = await socket.socket.emitWithAck('conversation.join', sms.conversationId);
    expect(joined).toEqual({ ok: true });
    const c = (await t.http('GET', `/api/v1/conversations/${sms.conversationId}`, { token: town.agentEC.token })).body;
    const reply = await t.http('POST', `/api/v1/conversations/${sms.conversationId}/messages`, {
      token: town.agentEC.token,
      headers: { 'x-request-id': requestId },
      body: {
        kind: 'reply',
        body: `Bonjour, rappelez le ${PHONE} ou écrivez à ${EMAIL}`,
        version: c.version,
        channelId: town.sms.id,
      },
    });
    expect(reply.status).toBe(201);
    expect(reply.headers.get('x-request-id')).toBe(requestId);
    // The reply's send job ran (it fails: the test SMS channel has no Twilio account).
    await expectEventually(
      async () => {
        const { rows } = await t.db.query(`SELECT status FROM message WHERE id = $1`, [reply.body.id]);
        expect(['sent', 'failed']).toContain(rows[0].status);
      },
      { timeoutMs: 15_000 },
    );
    socket.close();

    const records = await expectEventually(() => {
      const r = logs.records;
      // The job's line, with the id of the request that queued it and its organization.
      expect(r.some((x) => x.requestId === requestId && String(x.msg).startsWith('travail outbound-send'))).toBe(true);
      return r;
    });
    // The HTTP line of that request carries its id and the agent's organization, its route pattern and no path ids.
    const http = records.find((x) => x.requestId === requestId && x.res);
    expect(http).toMatchObject({
      organizationId: town.org.id,
      route: '/api/v1/conversations/:id/messages',
      res: { statusCode: 201 },
    });
    expect(http!.req).toEqual({ method: 'POST' });
    const job = records.find((x) => x.requestId === requestId && String(x.msg).startsWith('travail outbound-send'));
    expect(job).toMatchObject({ organizationId: town.org.id });
    // The socket event's line: a request id of its own and the organization.
    const event = records.find((x) => String(x.msg).startsWith('événement conversation.join'));
    expect(event).toMatchObject({ organizationId: town.org.id, requestId: expect.any(String) });

    const text = logs.lines.join('\n');
    expect(logs.lines.length).toBeGreaterThan(10);
    for (const secret of [...FORBIDDEN, town.agentEC.token, town.agentEC.email, form.body.trackingToken]) {
      expect({ secret, found: text.toLowerCase().includes(String(secret).toLowerCase()) }).toEqual({ secret, found: false });
    }
  });

  it('masks addresses, phone numbers and link queries that an error message quotes', () => {
    expect(scrubPersonalData(`refusé par le fournisseur : 'To' ${SMS_PHONE} invalide`)).toBe(
      "refusé par le fournisseur : 'To' [numéro] invalide",
    );
    expect(scrubPersonalData(`Key (value)=(${EMAIL.toLowerCase()}) already exists`)).toBe(
      'Key (value)=([adresse]) already exists',
    );
    expect(scrubPersonalData(`appel au ${PHONE} manqué`)).toBe('appel au [numéro] manqué');
    expect(scrubPersonalData('média https://api.twilio.test/Media/ME1?sig=abc&token=x abandonné')).toBe(
      'média https://api.twilio.test/Media/ME1?… abandonné',
    );
    expect(scrubPersonalData('travail outbound-send 3f2a terminé en 12 ms')).toBe('travail outbound-send 3f2a terminé en 12 ms');
  });
});
