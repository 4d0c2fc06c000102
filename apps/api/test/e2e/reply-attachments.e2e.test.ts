import { randomBytes, randomUUID } from 'node:crypto';
import { parseEmail, twilioSignature } from '@guichet/channels';
import type { AgentNotificationDto, ConversationDto, MessageDto } from '@guichet/contracts';
import {
  connectRecording,
  expectEventually,
  startDovecot,
  startSmtpCapture,
  startTwilioServer,
  type Dovecot,
  type RecordingClient,
  type SmtpCapture,
  type TwilioServer,
} from '@guichet/testing';
import { MailboxWatcherService } from '../../src/modules/email/mailbox-watcher.service';
import { seedTown, startTestApp, type TestApp } from '../harness';

const ACCOUNT = 'AC' + 'd'.repeat(32);
const TOKEN = 'auth-token-pieces-jointes';
const ADDRESS = 'etat-civil@ville-demo.fr';
const PDF = Buffer.concat([
  Buffer.from('%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n'),
  randomBytes(2000),
  Buffer.from('\n%%EOF\n'),
]);
const PNG = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), randomBytes(3000)]);

describe('Files with agents’ replies and notes, and @mentions', () => {
  let t: TestApp;
  let town: Awaited<ReturnType<typeof seedTown>>;
  let twilio: TwilioServer;
  let smtp: SmtpCapture;
  let dovecot: Dovecot;
  let email: string;
  let whatsapp: string;
  let sms: string;

  const file = (name: string, type: string, content: Buffer) => new File([new Uint8Array(content)], name, { type });
  /** A reply (or a note) with files, as the composer sends it: multipart/form-data. */
  const send = async (
    conversationId: string,
    o: { kind?: 'reply' | 'note'; body?: string; channelId?: string; files?: File[]; token?: string },
  ) => {
    const token = o.token ?? town.agentEC.token;
    const c: ConversationDto = (await t.http('GET', `/api/v1/conversations/${conversationId}`, { token })).body;
    const form = new FormData();
    form.set('kind', o.kind ?? 'reply');
    form.set('body', o.body ?? 'Voici le document demandé.');
    form.set('version', String(c.version));
    if (o.channelId) form.set('channelId', o.channelId);
    for (const f of o.files ?? []) form.append('attachments', f);
    return t.http<MessageDto & { message: string }>('POST', `/api/v1/conversations/${conversationId}/messages`, { token, form });
  };
  const status = async (messageId: string) =>
    (await t.db.query(`SELECT status, error FROM message WHERE id = $1`, [messageId])).rows[0] as {
      status: string;
      error: string | null;
    };
  const citizenEmails = async (from: string) =>
    t.ingest.ingest(
      {
        channelId: email,
        externalId: `<${randomUUID()}@example.fr>`,
        from: { kind: 'email', value: from },
        subject: 'Acte',
        text: 'Bonjour',
      },
      { teamId: town.etatCivil.id },
    );
  const twilioWrites = async (kind: 'whatsapp' | 'sms', from: string) => {
    const path = `/webhooks/twilio/${kind === 'whatsapp' ? whatsapp : sms}/sms`;
    const prefix = kind === 'whatsapp' ? 'whatsapp:' : '';
    const params = {
      MessageSid: 'SM' + randomBytes(16).toString('hex'),
      AccountSid: ACCOUNT,
      From: prefix + from,
      To: kind === 'whatsapp' ? 'whatsapp:+33700000009' : '+33700000008',
      Body: 'Bonjour',
      NumMedia: '0',
    };
    const res = await fetch(t.url + path, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        'x-twilio-signature': twilioSignature(TOKEN, t.config.publicUrl + path, params),
      },
      body: new URLSearchParams(params).toString(),
    });
    expect(res.status).toBe(200);
    await t.webhooksProcessed();
    const { rows } = await t.db.query(`SELECT conversation_id FROM message WHERE external_id = $1`, [params.MessageSid]);
    return rows[0].conversation_id as string;
  };

  beforeAll(async () => {
    delete process.env.HTTP_PROXY;
    delete process.env.HTTPS_PROXY;
    [dovecot, smtp, twilio, t] = await Promise.all([startDovecot(), startSmtpCapture(), startTwilioServer(), startTestApp()]);
    twilio.addAccount(ACCOUNT, TOKEN);
    town = await seedTown(t);
    const box = await dovecot.addUser('etat-civil-pj');
    const channel = async (kind: string, config: object) => {
      const res = await t.http('POST', '/api/v1/channels', {
        token: town.admin.token,
        body: { kind, name: `Mairie ${kind}`, teamId: town.etatCivil.id, config },
      });
      expect(res.status).toBe(201);
      return res.body.id as string;
    };
    email = await channel('email', {
      address: ADDRESS,
      displayName: 'Mairie de Démo — État civil',
      imap: { host: '127.0.0.1', port: dovecot.port, secure: false, user: box.user, password: box.password },
      smtp: { host: '127.0.0.1', port: smtp.port, secure: false, user: smtp.user, password: smtp.password },
      processed: 'seen',
    });
    whatsapp = await channel('whatsapp', {
      accountSid: ACCOUNT,
      authToken: TOKEN,
      apiBaseUrl: twilio.url,
      whatsappNumber: '+33700000009',
    });
    sms = await channel('sms', { accountSid: ACCOUNT, authToken: TOKEN, apiBaseUrl: twilio.url, phoneNumber: '+33700000008' });
    const watchers = t.app.get(MailboxWatcherService);
    await expectEventually(() => expect(watchers.status(email)?.state).toBe('idle'), { timeoutMs: 15_000, intervalMs: 50 });
  });
  afterAll(async () => {
    await t?.close();
    await Promise.all([dovecot?.close(), smtp?.close(), twilio?.close()]);
  });

  it('sends an e-mail reply’s files as MIME attachments, byte for byte, with their French names', async () => {
    const r = await citizenEmails('honorine@example.fr');
    const before = smtp.messages.length;
    const res = await send(r.conversationId, {
      channelId: email,
      files: [file('acte de décès.pdf', 'application/pdf', PDF), file('plan.png', 'image/png', PNG)],
    });
    expect(res.status).toBe(201);
    expect(res.body.attachments.map((a) => [a.fileName, a.contentType, a.size])).toEqual([
      ['acte de décès.pdf', 'application/pdf', PDF.length],
      ['plan.png', 'image/png', PNG.length],
    ]);
    const mail = await expectEventually(() => {
      expect(smtp.messages.length).toBeGreaterThan(before);
      return smtp.messages.slice(before).find((m) => m.raw.includes('Voici le document'))!;
    });
    const parsed = await parseEmail(mail.raw, { channelId: 'x' });
    const files = parsed.inbound.attachments ?? [];
    expect(files.map((a) => a.fileName)).toEqual(['acte de décès.pdf', 'plan.png']);
    expect(Buffer.from(files[0]!.content).equals(PDF)).toBe(true);
    expect(Buffer.from(files[1]!.content).equals(PNG)).toBe(true);
    await expectEventually(async () => expect((await status(res.body.id)).status).toBe('sent'));
  });

  it('sends a WhatsApp reply’s file as MediaUrl, a signed link Twilio can fetch and nobody can forge', async () => {
    const conversationId = await twilioWrites('whatsapp', '+33612340001');
    const before = twilio.creates().length;
    const res = await send(conversationId, {
      channelId: whatsapp,
      body: 'Votre attestation',
      files: [file('attestation.pdf', 'application/pdf', PDF)],
    });
    expect(res.status).toBe(201);
    const create = await expectEventually(() => {
      const c = twilio
        .creates()
        .slice(before)
        .find((r) => r.form.Body?.startsWith('Votre attestation'));
      expect(c).toBeDefined();
      return c!;
    });
    expect(create.form.To).toBe('whatsapp:+33612340001');
    const mediaUrl = create.form.MediaUrl!;
    expect(mediaUrl.startsWith(`${t.config.publicUrl}/api/v1/public/media/${res.body.attachments[0]!.id}?`)).toBe(true);
    // Twilio fetches it without a session (the public URL's host is this test app).
    const local = t.url + mediaUrl.slice(t.config.publicUrl.length);
    const fetched = await fetch(local);
    expect(fetched.status).toBe(200);
    expect(fetched.headers.get('content-type')).toBe('application/pdf');
    expect(Buffer.from(await fetched.arrayBuffer()).equals(PDF)).toBe(true);
    // A forged or altered signature, or another file's id with this signature: nothing.
    const u = new URL(local);
    u.searchParams.set('sig', 'A'.repeat(32));
    expect((await fetch(u)).status).toBe(404);
    const other = new URL(local);
    other.searchParams.set('expires', String(Number(other.searchParams.get('expires')) + 1));
    expect((await fetch(other)).status).toBe(404);
    await expectEventually(async () => expect((await status(res.body.id)).status).toBe('sent'));
  });

  it('refuses, with a French reason and nothing stored, files a channel cannot carry', async () => {
    const conversationId = await twilioWrites('whatsapp', '+33612340002');
    const count = await t.count('message');
    const cases: [string | undefined, File[], RegExp][] = [
      [
        whatsapp,
        [file('a.pdf', 'application/pdf', PDF), file('b.pdf', 'application/pdf', PDF)],
        /WhatsApp n’accepte qu’un fichier par message/,
      ],
      [
        whatsapp,
        [file('gros.png', 'image/png', Buffer.concat([PNG, Buffer.alloc(6 * 1024 * 1024)]))],
        /« gros\.png » pèse 6 Mo : 5 Mo au plus par fichier sur WhatsApp/,
      ],
      [
        whatsapp,
        [file('tableau.xlsx', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', randomBytes(100))],
        /type de fichier non accepté sur WhatsApp \(acceptés : PDF, JPEG, PNG\)/,
      ],
      [
        whatsapp,
        [file('photo.png', 'image/png', Buffer.from('MZ this is not an image'))],
        /« photo\.png » n’est pas le fichier qu’il dit être/,
      ],
    ];
    for (const [channelId, files, reason] of cases) {
      const res = await send(conversationId, { channelId, files });
      expect({ status: res.status, message: res.body.message }).toEqual({ status: 400, message: expect.stringMatching(reason) });
    }
    const r = await citizenEmails('programme@example.fr');
    const exe = await send(r.conversationId, {
      channelId: email,
      files: [file('setup.exe', 'application/x-msdownload', randomBytes(64))],
    });
    expect(exe.status).toBe(400);
    expect(exe.body.message).toMatch(/« setup\.exe » : type de fichier non accepté sur l’e-mail/);
    // An SMS cannot carry files (Twilio sends MMS only from US and Canadian numbers).
    const bySms = await twilioWrites('sms', '+33612340003');
    const viaSms = await send(bySms, { channelId: sms, files: [file('a.pdf', 'application/pdf', PDF)] });
    expect(viaSms.status).toBe(400);
    expect(viaSms.body.message).toMatch(/Le SMS ne transmet pas de fichier/);
    expect(await t.count('message')).toBe(count + 2); // the citizens' e-mail and SMS only
  });

  it('publishes a web-form reply’s file on the tracking page, and takes the citizen’s files with a follow-up', async () => {
    const created = await t.http('POST', `/api/v1/public/organizations/${town.org.slug}/requests`, {
      body: {
        teamId: town.etatCivil.id,
        name: 'Honorine Vasseur',
        email: 'h.vasseur@example.fr',
        subject: 'Acte',
        body: 'Bonjour',
      },
    });
    expect(created.status).toBe(201);
    const { reference, trackingToken } = created.body;
    const { rows } = await t.db.query(`SELECT id FROM conversation WHERE reference = $1`, [reference]);
    const conversationId = rows[0].id as string;
    const reply = await send(conversationId, {
      channelId: town.webform.id,
      files: [file('récépissé.pdf', 'application/pdf', PDF)],
    });
    expect(reply.status).toBe(201);
    const page = await fetch(`${t.url}/suivi/${reference}?token=${trackingToken}`);
    const html = await page.text();
    const href = new RegExp(
      `href="(/api/v1/public/requests/${reference}/attachments/${reply.body.attachments[0]!.id}\\?token=[^"]+)"`,
    ).exec(html)?.[1];
    expect(href).toBeDefined();
    const got = await fetch(t.url + href!.replace(/&amp;/g, '&'));
    expect(got.status).toBe(200);
    expect(Buffer.from(await got.arrayBuffer()).equals(PDF)).toBe(true);
    expect(got.headers.get('content-disposition')).toMatch(
      /^attachment; filename="recepisse.pdf"; filename\*=UTF-8''r%C3%A9c%C3%A9piss%C3%A9.pdf$/,
    );
    // Without the token, or with another request's: nothing.
    expect(
      (await fetch(`${t.url}/api/v1/public/requests/${reference}/attachments/${reply.body.attachments[0]!.id}`)).status,
    ).toBe(404);

    // The citizen answers from the tracking page's form, with a file.
    const form = new FormData();
    form.set('body', 'Voici mon justificatif');
    form.append('attachments', file('justificatif.png', 'image/png', PNG));
    const posted = await fetch(`${t.url}/suivi/${reference}?token=${trackingToken}`, {
      method: 'POST',
      body: form,
      redirect: 'manual',
    });
    expect(posted.status).toBe(303);
    const thread: { items: MessageDto[] } = (
      await t.http('GET', `/api/v1/conversations/${conversationId}/messages`, { token: town.agentEC.token })
    ).body;
    const followUp = thread.items.find((m) => m.body === 'Voici mon justificatif')!;
    expect(followUp.attachments.map((a) => [a.fileName, a.size])).toEqual([['justificatif.png', PNG.length]]);
  });

  it('tells a colleague named with @ in a note, and only colleagues who may read the file', async () => {
    const elodie = await t.newAgent({ organizationId: town.org.id, teamIds: [town.etatCivil.id], name: 'Élodie Bernard' });
    const [her, paul, marie]: RecordingClient[] = await Promise.all([
      connectRecording(t.url, elodie.token),
      connectRecording(t.url, town.agentSco.token),
      connectRecording(t.url, town.agentEC.token),
    ]);
    try {
      const r = await citizenEmails('mention@example.fr');
      const note = await send(r.conversationId, {
        kind: 'note',
        body: 'Peux-tu vérifier, @elodie bernard ? Et @Paul Martin aussi.',
        files: [file('copie.pdf', 'application/pdf', PDF)],
      });
      expect(note.status).toBe(201);
      expect(note.body.attachments).toHaveLength(1);
      const told = await expectEventually(() => {
        const n = her.of<AgentNotificationDto>('agent.notified').find((x) => x.conversation.id === r.conversationId);
        expect(n).toBeDefined();
        return n!;
      });
      expect(told).toMatchObject({
        kind: 'mentioned',
        byAgentId: town.agentEC.id,
        byAgentName: 'Marie Dupont',
        note: note.body.body,
      });
      // Paul (Scolarité) cannot read an État civil file: he is not told, nor is the author (one
      // emit reaches every agent told, so Élodie's notification means theirs would have come).
      expect(paul.of<AgentNotificationDto>('agent.notified').filter((x) => x.conversation.id === r.conversationId)).toEqual([]);
      expect(marie.of<AgentNotificationDto>('agent.notified').filter((x) => x.conversation.id === r.conversationId)).toEqual([]);
      const { rows } = await t.db.query(`SELECT meta->'mentions' AS mentions FROM message WHERE id = $1`, [note.body.id]);
      expect(rows[0].mentions).toEqual([elodie.id]);
    } finally {
      for (const s of [her, paul, marie]) s.close();
    }
  });
});
