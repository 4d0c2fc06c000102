import { randomBytes } from 'node:crypto';
import type { ConversationDto, MessageDto } from '@guichet/contracts';
import { parseEmail } from '@guichet/channels';
import {
  connectRecording,
  expectEventually,
  startDovecot,
  startSmtpCapture,
  type Dovecot,
  type DovecotUser,
  type RecordingClient,
  type SmtpCapture,
} from '@guichet/testing';
import { MailboxWatcherService } from '../../src/modules/email/mailbox-watcher.service';
import { replyToken } from '../../src/modules/outbound/reply-token';
import { seedTown, startTestApp, type TestApp } from '../harness';

const ADDRESS = 'etat-civil@ville-demo.fr';
const crlf = (lines: string[]) => lines.join('\r\n');
const mid = () => `<${randomBytes(8).toString('hex')}@exemple.fr>`;

/** A plain text mail from a citizen. */
function mail(o: { from: string; subject: string; body?: string; id?: string; to?: string; headers?: string[] }): {
  raw: string;
  id: string;
} {
  const id = o.id ?? mid();
  return {
    id,
    raw: crlf([
      `From: ${o.from}`,
      `To: ${o.to ?? ADDRESS}`,
      `Subject: ${o.subject}`,
      `Message-ID: ${id}`,
      `Date: ${new Date().toUTCString()}`,
      'MIME-Version: 1.0',
      ...(o.headers ?? []),
      'Content-Type: text/plain; charset=utf-8',
      'Content-Transfer-Encoding: 8bit',
      '',
      o.body ?? 'Bonjour',
      '',
    ]),
  };
}

describe('email channel against Dovecot and an SMTP server', () => {
  let t: TestApp;
  let dovecot: Dovecot;
  let smtp: SmtpCapture;
  let town: Awaited<ReturnType<typeof seedTown>>;
  let box: DovecotUser;
  let channelId: string;
  let socket: RecordingClient;

  const stored = (externalId: string, timeoutMs = 12_000) =>
    expectEventually(
      async () => {
        const { rows } = await t.db.query(
          `SELECT m.id, m.conversation_id, m.body, m.html_body, m.meta, m.status, c.contact_id, c.status AS conversation_status,
                  c.possibly_related_to_id, c.subject, c.reference
             FROM message m JOIN conversation c ON c.id = m.conversation_id WHERE m.channel_id = $1 AND m.external_id = $2`,
          [channelId, externalId],
        );
        expect(rows).toHaveLength(1);
        return rows[0];
      },
      { timeoutMs, intervalMs: 50 },
    );
  const deliver = (raw: string | Buffer) => dovecot.append(box, raw);
  const messagesOf = async (conversationId: string): Promise<MessageDto[]> =>
    (await t.http('GET', `/api/v1/conversations/${conversationId}/messages?limit=100`, { token: town.admin.token })).body.items;
  const conversation = async (id: string): Promise<ConversationDto> =>
    (await t.http('GET', `/api/v1/conversations/${id}`, { token: town.admin.token })).body;
  const reply = async (conversationId: string, body: string) => {
    const c = await conversation(conversationId);
    const res = await t.http('POST', `/api/v1/conversations/${conversationId}/messages`, {
      token: town.admin.token,
      body: { kind: 'reply', body, version: c.version, channelId },
    });
    expect(res.status).toBe(201);
    return res.body as MessageDto;
  };
  const statusOf = async (messageId: string) =>
    (await t.db.query(`SELECT status, error, external_id FROM message WHERE id = $1`, [messageId])).rows[0];

  beforeAll(async () => {
    [dovecot, smtp, t] = await Promise.all([startDovecot(), startSmtpCapture(), startTestApp()]);
    town = await seedTown(t);
    box = await dovecot.addUser('etat-civil');
    socket = await connectRecording(t.url, town.agentEC.token);
    const res = await t.http('POST', '/api/v1/channels', {
      token: town.admin.token,
      body: {
        kind: 'email',
        name: 'État civil (e-mail)',
        teamId: town.etatCivil.id,
        config: {
          address: ADDRESS,
          displayName: 'Mairie de Démo — État civil',
          imap: { host: '127.0.0.1', port: dovecot.port, secure: false, user: box.user, password: box.password },
          smtp: { host: '127.0.0.1', port: smtp.port, secure: false, user: smtp.user, password: smtp.password },
          processed: 'seen',
        },
      },
    });
    expect(res.status).toBe(201);
    channelId = res.body.id;
    // The watcher picks the new channel up by itself; the tests start once it is in IDLE.
    const watchers = t.app.get(MailboxWatcherService);
    await expectEventually(() => expect(watchers.status(channelId)?.state).toBe('idle'), { timeoutMs: 15_000, intervalMs: 50 });
  });
  afterAll(async () => {
    socket?.close();
    await t?.close();
    await Promise.all([dovecot?.close(), smtp?.close()]);
  });

  it('imports a new mail within seconds of its delivery: socket event, REST, accents, attachment, inline image, safe HTML', async () => {
    const png = Buffer.from('89504e470d0a1a0a0000000d4948445200000001', 'hex');
    const id = mid();
    const raw = crlf([
      'From: =?UTF-8?Q?Ren=C3=A9e_L=C3=A9ger?= <Renee.Leger@Exemple.fr>',
      `To: ${ADDRESS}`,
      'Subject: =?UTF-8?Q?Acte_de_naissance_pour_=C3=89lo=C3=AFse?=',
      `Message-ID: ${id}`,
      'MIME-Version: 1.0',
      'Content-Type: multipart/mixed; boundary="m"',
      '',
      '--m',
      'Content-Type: multipart/related; boundary="r"',
      '',
      '--r',
      'Content-Type: multipart/alternative; boundary="a"',
      '',
      '--a',
      'Content-Type: text/plain; charset=utf-8',
      'Content-Transfer-Encoding: quoted-printable',
      '',
      'Bonjour, voici la pi=C3=A8ce demand=C3=A9e.',
      '--a',
      'Content-Type: text/html; charset=utf-8',
      '',
      '<p onmouseover="steal()">Bonjour, voici la <b>pièce</b> demandée.<img src="cid:sig1"><img src="https://tracker.example/p.gif" width="1">',
      '<script>fetch("https://evil.example")</script><a href="javascript:alert(1)">clic</a><iframe src="https://evil.example"></iframe>',
      '<form action="https://evil.example"><input name="x"></form><img src="x" onerror="alert(2)"></p>',
      '--a--',
      '--r',
      'Content-Type: image/png',
      'Content-ID: <sig1>',
      'Content-Disposition: inline; filename="signature.png"',
      'Content-Transfer-Encoding: base64',
      '',
      png.toString('base64'),
      '--r--',
      '--m',
      'Content-Type: application/pdf',
      "Content-Disposition: attachment; filename*=UTF-8''livret%20de%20famille%20%C3%A9t%C3%A9.pdf",
      'Content-Transfer-Encoding: base64',
      '',
      Buffer.from('%PDF-1.4 livret').toString('base64'),
      '--m--',
      '',
    ]);
    const sent = Date.now();
    await deliver(raw);
    const row = await stored(id);
    expect(Date.now() - sent).toBeLessThan(5000);
    await expectEventually(() => {
      const [conv] = socket.of<ConversationDto>('conversation.created').filter((c) => c.id === row.conversation_id);
      expect(conv).toMatchObject({
        subject: 'Acte de naissance pour Éloïse',
        contact: { name: 'Renée Léger' },
        lastChannelKind: 'email',
      });
    });
    const [msg] = await messagesOf(row.conversation_id);
    expect(msg!.body).toBe('Bonjour, voici la pièce demandée.');
    expect(msg!.attachments.map((a) => a.fileName).sort()).toEqual(['livret de famille été.pdf', 'signature.png']);
    const html = msg!.htmlBody!;
    expect(html).toContain('<b>pièce</b>');
    expect(html).toContain('src="cid:sig1"');
    expect(html).toContain('data-remote-src="https://tracker.example/p.gif"');
    expect(html).not.toMatch(/<script|onmouseover|onerror|javascript:|<iframe|<form|<input|(?<!-)src="https:/i);
    const { rows: identity } = await t.db.query(`SELECT value FROM contact_identity WHERE contact_id = $1`, [row.contact_id]);
    expect(identity).toEqual([{ value: 'renee.leger@exemple.fr' }]);
    // Processed mail is marked seen in the mailbox.
    await expectEventually(async () =>
      expect((await dovecot.list(box)).find((m) => m.messageId === id)?.flags).toContain('\\Seen'),
    );
  });

  it('imports a 10 MB attachment into the blob store', async () => {
    const big = Buffer.alloc(10 * 1024 * 1024);
    for (let i = 0; i < big.length; i += 4) big.writeUInt32LE((i * 2654435761) >>> 0, i);
    const id = mid();
    const raw = crlf([
      'From: archives@exemple.fr',
      `To: ${ADDRESS}`,
      'Subject: Plans scannés',
      `Message-ID: ${id}`,
      'Content-Type: multipart/mixed; boundary="b"',
      '',
      '--b',
      'Content-Type: text/plain; charset=utf-8',
      '',
      'Voici les plans.',
      '--b',
      'Content-Type: application/pdf; name="plans.pdf"',
      'Content-Disposition: attachment; filename="plans.pdf"',
      'Content-Transfer-Encoding: base64',
      '',
      big.toString('base64').replace(/.{76}/g, '$&\r\n'),
      '--b--',
      '',
    ]);
    await deliver(raw);
    // 7–9 s from the APPEND to the stored row on a quiet machine (the parse is 0.6 s of it: the
    // rest, fetching and storing the 14 MB source, is still to be profiled); with another test
    // file beside it (CI runs two) it went past 12 s.
    const row = await stored(id, 30_000);
    const [msg] = await messagesOf(row.conversation_id);
    expect(msg!.attachments).toEqual([expect.objectContaining({ fileName: 'plans.pdf', size: big.length })]);
    const { createHash } = await import('node:crypto');
    expect(msg!.attachments[0]!.sha256).toBe(createHash('sha256').update(big).digest('hex'));
  });

  it('stores a mail with a wrong charset and the same mail delivered twice only once', async () => {
    const id = mid();
    const raw = Buffer.concat([
      Buffer.from(
        crlf([
          `From: jean@exemple.fr`,
          `To: ${ADDRESS}`,
          'Subject: =?iso-8859-1?Q?Inscription_=E0_la_cantine?=',
          `Message-ID: ${id}`,
          'Content-Type: text/plain; charset=utf-8',
          '',
          '',
        ]),
      ),
      Buffer.from('Mon fils entre en CE2 \xe0 la rentr\xe9e.\r\n', 'latin1'),
    ]);
    await deliver(raw);
    await deliver(raw);
    const row = await stored(id);
    expect(row.subject).toBe('Inscription à la cantine');
    expect(row.body).toMatch(/^Mon fils entre en CE2 . la rentr.e\.$/);
    await expectEventually(async () =>
      expect((await dovecot.list(box)).filter((m) => m.messageId === id && m.flags.includes('\\Seen'))).toHaveLength(2),
    );
    const { rows } = await t.db.query(`SELECT count(*)::int AS n FROM message WHERE external_id = $1`, [id]);
    expect(rows[0].n).toBe(1);
  });

  it('quarantines an unreadable mail with its raw source while the next mail still imports; admins retry or discard it', async () => {
    const bad = crlf([
      'Subject: pas d’expéditeur',
      'Message-ID: <bad-1@exemple.fr>',
      'Content-Type: multipart/mixed; boundary="x"',
      '',
      '--x',
      'garbage',
      '',
    ]);
    await deliver(bad);
    // Parsed, but refused by the store (a Message-ID longer than RFC 5322 allows): quarantined too.
    const unstorable = mail({ from: 'long@exemple.fr', subject: 'Identifiant démesuré', id: `<${'x'.repeat(1100)}@exemple.fr>` });
    await deliver(unstorable.raw);
    const next = mail({ from: 'apres@exemple.fr', subject: 'Après la quarantaine' });
    await deliver(next.raw);
    await stored(next.id);
    const list = await expectEventually(async () => {
      const res = await t.http('GET', `/api/v1/channels/${channelId}/quarantine`, { token: town.admin.token });
      expect(res.status).toBe(200);
      expect(res.body).toHaveLength(2);
      return [...res.body].sort((x: { uid: number }, y: { uid: number }) => x.uid - y.uid);
    });
    expect(list[0]).toMatchObject({ folder: 'INBOX', error: expect.stringMatching(/expéditeur/) });
    expect(list[1]).toMatchObject({ folder: 'INBOX', error: expect.stringMatching(/identifiant externe/), uid: list[0].uid + 1 });
    await t.http('POST', `/api/v1/channels/${channelId}/quarantine/${list[1].id}/discard`, { token: town.admin.token });
    const { rows } = await t.db.query(`SELECT raw FROM quarantine WHERE id = $1`, [list[0].id]);
    expect(rows[0].raw.toString()).toBe(bad);
    expect((await t.http('GET', `/api/v1/channels/${channelId}/quarantine`, { token: town.agentEC.token })).status).toBe(403);
    // The raw source downloads as the mailbox held it (an .eml, never rendered), for admins only.
    const rawPath = `/api/v1/channels/${channelId}/quarantine/${list[0].id}/raw`;
    const raw = await t.http('GET', rawPath, { token: town.admin.token });
    expect(raw.status).toBe(200);
    expect(raw.body).toBe(bad);
    expect(raw.headers.get('content-type')).toBe('message/rfc822');
    expect(raw.headers.get('content-disposition')).toBe(
      `attachment; filename="quarantaine-INBOX-${list[0].uid}.eml"; filename*=UTF-8''quarantaine-INBOX-${list[0].uid}.eml`,
    );
    expect(raw.headers.get('x-content-type-options')).toBe('nosniff');
    expect((await t.http('GET', rawPath, { token: town.agentEC.token })).status).toBe(403);
    const retried = await t.http('POST', `/api/v1/channels/${channelId}/quarantine/${list[0].id}/retry`, {
      token: town.admin.token,
    });
    expect(retried.body).toMatchObject({ ok: false, error: expect.stringMatching(/expéditeur/) });
    const discarded = await t.http('POST', `/api/v1/channels/${channelId}/quarantine/${list[0].id}/discard`, {
      token: town.admin.token,
    });
    expect(discarded.status).toBe(200);
    expect((await t.http('GET', `/api/v1/channels/${channelId}/quarantine`, { token: town.admin.token })).body).toEqual([]);
    expect(
      (await t.http('POST', `/api/v1/channels/${channelId}/quarantine/${list[0].id}/discard`, { token: town.admin.token }))
        .status,
    ).toBe(404);
    expect((await t.http('GET', rawPath, { token: town.admin.token })).status).toBe(404);
    // Discarded is gone, raw source and all (no copy of the mail left in Guichet).
    expect((await t.db.query(`SELECT id FROM quarantine WHERE id = ANY($1::uuid[])`, [[list[0].id, list[1].id]])).rows).toEqual(
      [],
    );
    // Who downloaded, retried and discarded which mail: in the audit log (never the mail itself).
    const { rows: audit } = await t.db.query(
      `SELECT action, agent_id, data FROM audit_event WHERE action LIKE 'channel.quarantine_%' AND data->>'quarantineId' = $1 ORDER BY id`,
      [list[0].id],
    );
    const about = { channelId, quarantineId: list[0].id, folder: 'INBOX', uid: list[0].uid };
    expect(audit).toEqual([
      { action: 'channel.quarantine_downloaded', agent_id: town.admin.id, data: about },
      { action: 'channel.quarantine_retried', agent_id: town.admin.id, data: { ...about, ok: false } },
      { action: 'channel.quarantine_discarded', agent_id: town.admin.id, data: { ...about, size: Buffer.byteLength(bad) } },
    ]);
  });

  it('a retried quarantined mail that stores this time leaves the quarantine and lands in a conversation', async () => {
    // As the watcher leaves it after a failure that has passed since (here a statement timeout).
    const later = mail({ from: 'reprise@exemple.fr', subject: 'Demande reprise après incident' });
    const [{ organization_id: organizationId }] = (
      await t.db.query(`SELECT organization_id FROM channel WHERE id = $1`, [channelId])
    ).rows;
    const {
      rows: [q],
    } = await t.db.query(
      `INSERT INTO quarantine (organization_id, channel_id, folder, uid, raw, error) VALUES ($1, $2, 'INBOX', 999999, $3, $4) RETURNING id`,
      [organizationId, channelId, Buffer.from(later.raw), 'canceling statement due to statement timeout'],
    );
    const retried = await t.http('POST', `/api/v1/channels/${channelId}/quarantine/${q.id}/retry`, { token: town.admin.token });
    expect(retried.status).toBe(200);
    expect(retried.body).toMatchObject({ ok: true, outcome: 'stored', conversationId: expect.any(String) });
    const row = await stored(later.id);
    expect(row.conversation_id).toBe(retried.body.conversationId);
    const list = (await t.http('GET', `/api/v1/channels/${channelId}/quarantine`, { token: town.admin.token })).body as {
      id: string;
    }[];
    expect(list.map((x) => x.id)).not.toContain(q.id);
    // Stored, it is a conversation's message now: the quarantine's copy is gone.
    expect((await t.db.query(`SELECT id FROM quarantine WHERE id = $1`, [q.id])).rows).toEqual([]);
    expect(
      (await t.http('POST', `/api/v1/channels/${channelId}/quarantine/${q.id}/retry`, { token: town.admin.token })).status,
    ).toBe(404);
  });

  describe('threading', () => {
    let first: { conversation_id: string; reference: string; contact_id: string };
    let firstId: string;
    beforeAll(async () => {
      const m = mail({ from: 'Paul Citoyen <paul@exemple.fr>', subject: 'Carte d’identité' });
      firstId = m.id;
      await deliver(m.raw);
      first = await stored(m.id);
    });

    it('appends by In-Reply-To/References and by the [GU-…] reference in the subject, for the same sender', async () => {
      const byHeader = mail({
        from: 'paul@exemple.fr',
        subject: 'suite',
        headers: [`In-Reply-To: ${firstId}`, `References: ${firstId}`],
      });
      const bySubject = mail({ from: 'PAUL@exemple.fr', subject: `Re: dossier ${first.reference}` });
      await deliver(byHeader.raw);
      await deliver(bySubject.raw);
      expect((await stored(byHeader.id)).conversation_id).toBe(first.conversation_id);
      expect((await stored(bySubject.id)).conversation_id).toBe(first.conversation_id);
    });

    it('a stranger quoting the headers, the reference or a valid token opens a new file, marked possibly related', async () => {
      const token = replyToken(t.config.appSecret, first.conversation_id);
      const attempts = [
        mail({ from: 'intrus@exemple.fr', subject: 'Re: Carte', headers: [`In-Reply-To: ${firstId}`] }),
        mail({ from: 'intrus@exemple.fr', subject: `Re: ${first.reference}` }),
        mail({ from: 'intrus@exemple.fr', subject: 'Re: Carte', to: `etat-civil+${token}@ville-demo.fr` }),
      ];
      for (const a of attempts) await deliver(a.raw);
      for (const a of attempts) {
        const row = await stored(a.id);
        expect(row.conversation_id).not.toBe(first.conversation_id);
        expect(row.possibly_related_to_id).toBe(first.conversation_id);
        expect(row.contact_id).not.toBe(first.contact_id);
      }
    });

    it('a valid token proves the file for its own citizen; a forged token is ignored', async () => {
      const token = replyToken(t.config.appSecret, first.conversation_id);
      const good = mail({ from: 'paul@exemple.fr', subject: 'Sujet changé', to: `Mairie <etat-civil+${token}@ville-demo.fr>` });
      // One character changed in the middle: the last one may carry only padding bits, which
      // decoding drops (replacing it could give back the very same token).
      const i = 10;
      const changed = token[i] === 'a' ? 'b' : 'a';
      const forged = mail({
        from: 'paul@exemple.fr',
        subject: 'Autre sujet',
        to: `etat-civil+${token.slice(0, i)}${changed}${token.slice(i + 1)}@ville-demo.fr`,
      });
      await deliver(good.raw);
      await deliver(forged.raw);
      expect((await stored(good.id)).conversation_id).toBe(first.conversation_id);
      const other = await stored(forged.id);
      expect(other.conversation_id).not.toBe(first.conversation_id);
      expect(other.possibly_related_to_id).toBeNull();
    });

    it('an auto-reply is attached without reopening a resolved file', async () => {
      const c = await conversation(first.conversation_id);
      expect(
        (
          await t.http('PATCH', `/api/v1/conversations/${c.id}`, {
            token: town.admin.token,
            body: { status: 'resolved', version: c.version },
          })
        ).status,
      ).toBe(200);
      const auto = mail({
        from: 'paul@exemple.fr',
        subject: 'Réponse automatique : absent',
        headers: ['Auto-Submitted: auto-replied', `In-Reply-To: ${firstId}`],
      });
      await deliver(auto.raw);
      const row = await stored(auto.id);
      expect(row.conversation_id).toBe(first.conversation_id);
      expect(row.meta.autoReply).toBe(true);
      expect(row.conversation_status).toBe('resolved');
    });
  });

  describe('replies over SMTP', () => {
    it('sends the agent’s reply threaded, and the citizen’s answer to it lands in the same file', async () => {
      const m = mail({ from: 'Lucie Martin <lucie@exemple.fr>', subject: 'Demande de rendez-vous' });
      await deliver(m.raw);
      const conv = await stored(m.id);
      const before = smtp.messages.length;
      const sent = await reply(conv.conversation_id, 'Bonjour Madame,\n\nVotre rendez-vous est fixé au 3 décembre.');
      const out = await expectEventually(
        () => {
          expect(smtp.messages.length).toBe(before + 1);
          return smtp.messages[before]!;
        },
        { timeoutMs: 10_000 },
      );
      expect(out.to).toEqual(['lucie@exemple.fr']);
      expect(out.from).toBe(ADDRESS);
      const parsed = await parseEmail(out.raw, { channelId: 'x' });
      const headers = out.text.split('\r\n\r\n')[0]!.replace(/\r\n[ \t]+/g, ' ');
      const ours = `<${sent.id}@ville-demo.fr>`;
      expect(headers).toMatch(new RegExp(`^Message-ID: ${ours}$`, 'm'));
      expect(headers).toMatch(new RegExp(`^In-Reply-To: ${m.id}$`, 'm'));
      expect(headers).toMatch(new RegExp(`^References: ${m.id}$`, 'm'));
      const token = replyToken(t.config.appSecret, conv.conversation_id);
      expect(headers).toMatch(new RegExp(`^Reply-To: etat-civil\\+${token}@ville-demo\\.fr$`, 'm'));
      expect(parsed.inbound.subject).toBe(`Re: Demande de rendez-vous [${conv.reference}]`);
      expect(parsed.inbound.text).toContain('Votre rendez-vous est fixé au 3 décembre.');
      expect(parsed.inbound.html).toContain('<p>Votre rendez-vous est fixé au 3 décembre.</p>');
      await expectEventually(async () => expect(await statusOf(sent.id)).toMatchObject({ status: 'sent', external_id: ours }), {
        timeoutMs: 5000,
      });

      // The citizen answers from her mail client: to the Reply-To address, threaded on our Message-ID.
      const answer = mail({
        from: 'lucie@exemple.fr',
        to: `etat-civil+${token}@ville-demo.fr`,
        subject: `Re: Demande de rendez-vous [${conv.reference}]`,
        headers: [`In-Reply-To: ${ours}`, `References: ${m.id} ${ours}`],
        body: 'Merci, je serai là.',
      });
      await deliver(answer.raw);
      expect((await stored(answer.id)).conversation_id).toBe(conv.conversation_id);
      const timeline = await messagesOf(conv.conversation_id);
      expect(timeline.map((x) => x.direction)).toEqual(['inbound', 'outbound', 'inbound']);
    });

    it('a bounce (DSN) marks the outbound message failed with the remote reason, without a new conversation', async () => {
      const m = mail({ from: 'marc@exemple.fr', subject: 'Stationnement' });
      await deliver(m.raw);
      const conv = await stored(m.id);
      const sent = await reply(conv.conversation_id, 'Réponse');
      await expectEventually(async () => expect((await statusOf(sent.id)).status).toBe('sent'), { timeoutMs: 10_000 });
      const conversationsBefore = await t.count('conversation');
      const dsn = crlf([
        'From: Mail Delivery System <MAILER-DAEMON@mx.exemple.fr>',
        `To: ${ADDRESS}`,
        'Subject: Undelivered Mail Returned to Sender',
        `Message-ID: ${mid()}`,
        'Auto-Submitted: auto-replied',
        'Content-Type: multipart/report; report-type=delivery-status; boundary="d"',
        '',
        '--d',
        'Content-Type: text/plain',
        '',
        'Delivery failed.',
        '--d',
        'Content-Type: message/delivery-status',
        '',
        'Reporting-MTA: dns; mx.exemple.fr',
        '',
        'Final-Recipient: rfc822; marc@exemple.fr',
        'Action: failed',
        'Status: 5.2.2',
        'Diagnostic-Code: smtp; 552 5.2.2 Mailbox full',
        '',
        '--d',
        'Content-Type: text/rfc822-headers',
        '',
        `From: ${ADDRESS}`,
        `Message-ID: <${sent.id}@ville-demo.fr>`,
        '',
        '--d--',
        '',
      ]);
      await deliver(dsn);
      await expectEventually(
        async () =>
          expect(await statusOf(sent.id)).toMatchObject({
            status: 'failed',
            error: expect.stringMatching(/552 5\.2\.2 Mailbox full/),
          }),
        {
          timeoutMs: 8000,
        },
      );
      expect(await t.count('conversation')).toBe(conversationsBefore);
      await expectEventually(() =>
        expect(socket.of<MessageDto>('message.updated').some((x) => x.id === sent.id && x.status === 'failed')).toBe(true),
      );
    });

    it('SMTP 550: failed with the server’s reason; 451: retried, then sent once', async () => {
      const m = mail({ from: 'nina@exemple.fr', subject: 'Urbanisme' });
      await deliver(m.raw);
      const conv = await stored(m.id);
      smtp.refuseNext(550, '5.7.1 Relaying denied for this recipient');
      const refused = await reply(conv.conversation_id, 'Premier essai');
      await expectEventually(
        async () =>
          expect(await statusOf(refused.id)).toMatchObject({
            status: 'failed',
            error: expect.stringMatching(/550.*Relaying denied/),
          }),
        {
          timeoutMs: 10_000,
        },
      );
      const before = smtp.messages.length;
      const attempts = smtp.attempts;
      smtp.refuseNext(451, '4.3.0 Try again later');
      const delayed = await reply(conv.conversation_id, 'Second essai');
      await expectEventually(async () => expect((await statusOf(delayed.id)).status).toBe('sent'), {
        timeoutMs: 20_000,
        intervalMs: 200,
      });
      expect(smtp.attempts).toBe(attempts + 2);
      expect(smtp.messages.length).toBe(before + 1);
      expect(smtp.messages[before]!.text).toContain(`Message-ID: <${delayed.id}@ville-demo.fr>`);
    });
  });

  it('an agent starts an email conversation; the citizen’s answer lands in it', async () => {
    // The town's first email channel (created without a config by the factory) steps aside.
    expect(
      (await t.http('PATCH', `/api/v1/channels/${town.email.id}`, { token: town.admin.token, body: { enabled: false } })).status,
    ).toBe(200);
    const before = smtp.messages.length;
    const res = await t.http('POST', '/api/v1/conversations', {
      token: town.agentEC.token,
      body: {
        channelKind: 'email',
        to: 'Helene.Roux@Exemple.fr',
        name: 'Hélène Roux',
        subject: 'Votre passeport est prêt',
        body: 'Bonjour,\n\nVous pouvez venir le chercher.',
      },
    });
    expect(res.status).toBe(201);
    const conv = res.body.conversation as ConversationDto;
    expect(res.body.message.channelId).toBe(channelId);
    const out = await expectEventually(
      () => {
        expect(smtp.messages.length).toBe(before + 1);
        return smtp.messages[before]!;
      },
      { timeoutMs: 10_000 },
    );
    expect(out.to).toEqual(['helene.roux@exemple.fr']);
    const parsed = await parseEmail(out.raw, { channelId: 'x' });
    expect(parsed.inbound.subject).toBe(`Votre passeport est prêt [${conv.reference}]`);
    expect(out.text).not.toMatch(/^In-Reply-To:/m);
    const token = replyToken(t.config.appSecret, conv.id);
    expect(out.text).toContain(`Reply-To: etat-civil+${token}@ville-demo.fr`);
    const answer = mail({
      from: 'helene.roux@exemple.fr',
      to: `etat-civil+${token}@ville-demo.fr`,
      subject: `Re: Votre passeport est prêt [${conv.reference}]`,
      headers: [`In-Reply-To: <${res.body.message.id}@ville-demo.fr>`],
    });
    await deliver(answer.raw);
    expect((await stored(answer.id)).conversation_id).toBe(conv.id);
  });

  it('processed mail can be moved to a folder, and sent replies are copied to the Sent folder', async () => {
    const box2 = await dovecot.addUser('scolarite');
    await dovecot.createFolder(box2, 'Traite');
    await dovecot.createFolder(box2, 'Sent');
    const created = await t.http('POST', '/api/v1/channels', {
      token: town.admin.token,
      body: {
        kind: 'email',
        name: 'Scolarité (e-mail)',
        teamId: town.scolarite.id,
        config: {
          address: 'scolarite@ville-demo.fr',
          imap: { host: '127.0.0.1', port: dovecot.port, secure: false, user: box2.user, password: box2.password },
          smtp: { host: '127.0.0.1', port: smtp.port, secure: false, user: smtp.user, password: smtp.password },
          processed: 'move',
          moveTo: 'Traite',
          sentFolder: 'Sent',
        },
      },
    });
    expect(created.status).toBe(201);
    const m = mail({ from: 'parent@exemple.fr', to: 'scolarite@ville-demo.fr', subject: 'Cantine' });
    await dovecot.append(box2, m.raw);
    const row = await expectEventually(
      async () => {
        const { rows } = await t.db.query(`SELECT id, conversation_id FROM message WHERE channel_id = $1 AND external_id = $2`, [
          created.body.id,
          m.id,
        ]);
        expect(rows).toHaveLength(1);
        return rows[0];
      },
      { timeoutMs: 8000 },
    );
    await expectEventually(async () => {
      expect(await dovecot.list(box2, 'INBOX')).toEqual([]);
      expect((await dovecot.list(box2, 'Traite')).map((x) => x.messageId)).toEqual([m.id]);
    });
    const c = await conversation(row.conversation_id);
    const sent = await t.http('POST', `/api/v1/conversations/${c.id}/messages`, {
      token: town.admin.token,
      body: { kind: 'reply', body: 'Inscription validée.', version: c.version },
    });
    expect(sent.status).toBe(201);
    await expectEventually(
      async () => {
        const copies = await dovecot.list(box2, 'Sent');
        expect(copies.map((x) => x.messageId)).toEqual([`<${sent.body.id}@ville-demo.fr>`]);
        expect(copies[0]!.flags).toContain('\\Seen');
      },
      { timeoutMs: 10_000 },
    );
  });

  it('tests the connection with clear reasons: ok, refused login, unreachable host, missing folder', async () => {
    const ok = await t.http('POST', `/api/v1/channels/${channelId}/test`, { token: town.admin.token });
    expect(ok.status).toBe(200);
    expect(ok.body).toEqual({ imap: { ok: true }, smtp: { ok: true } });
    const create = async (over: { imap?: object; smtp?: object }) =>
      (
        await t.http('POST', '/api/v1/channels', {
          token: town.admin.token,
          body: {
            kind: 'email',
            name: 'Essai',
            teamId: town.scolarite.id,
            enabled: false,
            config: {
              address: 'essai@ville-demo.fr',
              imap: {
                host: '127.0.0.1',
                port: dovecot.port,
                secure: false,
                user: box.user,
                password: box.password,
                ...over.imap,
              },
              smtp: { host: '127.0.0.1', port: smtp.port, secure: false, user: smtp.user, password: smtp.password, ...over.smtp },
            },
          },
        })
      ).body.id as string;
    const test = async (id: string) => (await t.http('POST', `/api/v1/channels/${id}/test`, { token: town.admin.token })).body;
    expect(await test(await create({ imap: { password: 'faux' }, smtp: { password: 'faux' } }))).toEqual({
      imap: { ok: false, error: expect.stringMatching(/authentification refusée/) },
      smtp: { ok: false, error: expect.stringMatching(/authentification refusée/) },
    });
    expect(await test(await create({ imap: { port: 1 }, smtp: { port: 1 } }))).toEqual({
      imap: { ok: false, error: expect.stringMatching(/hôte injoignable/) },
      smtp: { ok: false, error: expect.stringMatching(/hôte injoignable/) },
    });
    expect((await test(await create({ imap: { folders: ['INBOX', 'Dossier-absent'] } }))).imap).toEqual({
      ok: false,
      error: expect.stringMatching(/dossier introuvable.*Dossier-absent/),
    });
    expect((await t.http('POST', `/api/v1/channels/${town.webform.id}/test`, { token: town.admin.token })).status).toBe(400);
    expect((await t.http('POST', `/api/v1/channels/${channelId}/test`, { token: town.agentEC.token })).status).toBe(403);
  });

  it('tests a configuration before it is saved (nothing written), with the stored secrets of the channel it edits', async () => {
    const config = {
      address: 'avant@ville-demo.fr',
      imap: { host: '127.0.0.1', port: dovecot.port, secure: false, user: box.user, password: box.password },
      smtp: { host: '127.0.0.1', port: smtp.port, secure: false, user: smtp.user, password: smtp.password },
    };
    const channels = async () => Number((await t.db.query(`SELECT count(*) FROM channel`)).rows[0].count);
    const before = await channels();
    const tryIt = (body: object, token = town.admin.token) => t.http('POST', '/api/v1/channels/test', { token, body });
    expect(await tryIt({ kind: 'email', config })).toMatchObject({
      status: 200,
      body: { imap: { ok: true }, smtp: { ok: true } },
    });
    const refused = await tryIt({ kind: 'email', config: { ...config, imap: { ...config.imap, password: 'faux' } } });
    expect(refused.body.imap).toEqual({ ok: false, error: expect.stringMatching(/authentification refusée/) });
    // The edit form never holds the passwords: left out, the channel's stored ones are used.
    const { password: _i, ...imapNoSecret } = config.imap;
    const { password: _s, ...smtpNoSecret } = config.smtp;
    const edited = { ...config, address: ADDRESS, imap: imapNoSecret, smtp: smtpNoSecret };
    expect((await tryIt({ kind: 'email', config: edited, channelId })).body).toEqual({ imap: { ok: true }, smtp: { ok: true } });
    expect((await tryIt({ kind: 'email', config: edited })).body.imap.ok).toBe(false);
    // Bad input: a French reason, and still nothing saved.
    expect(await tryIt({ kind: 'email', config: { address: 'pas-une-adresse' } })).toMatchObject({ status: 400 });
    expect(await tryIt({ kind: 'sms', config: {} })).toMatchObject({
      status: 400,
      body: { details: [expect.stringContaining('seuls les canaux e-mail')] },
    });
    expect((await tryIt({ kind: 'email', config }, town.agentEC.token)).status).toBe(403);
    expect(await channels()).toBe(before);
  });
});
