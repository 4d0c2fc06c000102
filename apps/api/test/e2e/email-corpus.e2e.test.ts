import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { MessageDto } from '@guichet/contracts';
import { expectEventually, startDovecot, type Dovecot, type DovecotUser } from '@guichet/testing';
import { MailboxWatcherService } from '../../src/modules/email/mailbox-watcher.service';
import { seedTown, startTestApp, type TestApp } from '../harness';

/** Hand-made samples in the shapes real clients send (kept with the parser's tests). */
const CORPUS = join(__dirname, '../../../../libs/channels/src/email/__tests__/corpus');
/** Real-world samples from public projects' fixtures (sources and licences in its README). */
const REAL_WORLD = join(__dirname, '../fixtures/email-corpus');
const sample = (name: string) => readFileSync(join(name.includes('--') ? REAL_WORLD : CORPUS, name));

type Outcome = 'imported' | 'quarantined' | 'duplicate' | 'unmatched-bounce' | 'delivery-report';
/** What must become of each sample; any mail not listed here is imported. */
const EXPECTED: Record<string, Outcome> = {
  'no-sender-at-all.eml': 'quarantined',
  'bounce-unmatched.eml': 'unmatched-bounce',
  'mailparser--mixed.eml': 'quarantined',
  'ruby-mail--error_emails--bad_encoded_subject.eml': 'quarantined',
  'ruby-mail--mime_emails--raw_email11.eml': 'quarantined',
  'ruby-mail--rfc2822--example13.eml': 'quarantined',
  'mailparser--delivery-status.eml': 'unmatched-bounce',
  'ruby-mail--multipart_report_emails--report_530.eml': 'unmatched-bounce',
  'ruby-mail--multipart_report_emails--report_422.eml': 'delivery-report',
  'ruby-mail--mime_emails--raw_email_with_mimepart_without_content_type.eml': 'delivery-report',
};

/**
 * Real-world-shaped mail through a real Dovecot into Guichet: every mail is imported, quarantined
 * or recorded as skipped with its reason; nothing vanishes.
 */
describe('e-mail as it really arrives', () => {
  let t: TestApp;
  let dovecot: Dovecot;
  let town: Awaited<ReturnType<typeof seedTown>>;

  beforeAll(async () => {
    [dovecot, t] = await Promise.all([startDovecot(), startTestApp()]);
    town = await seedTown(t);
  });
  afterAll(async () => {
    await t?.close();
    await dovecot?.close();
  });

  /** A mailbox and its channel, watched once the test starts. */
  async function mailbox(name: string): Promise<{ box: DovecotUser; channelId: string; address: string }> {
    const box = await dovecot.addUser(name);
    const address = `${name}@ville-demo.fr`;
    const res = await t.http('POST', '/api/v1/channels', {
      token: town.admin.token,
      body: {
        kind: 'email',
        name: `Boîte ${name}`,
        teamId: town.etatCivil.id,
        config: {
          address,
          imap: { host: '127.0.0.1', port: dovecot.port, secure: false, user: box.user, password: box.password },
          smtp: { host: '127.0.0.1', port: 1, secure: false, user: 'x', password: 'x' },
          processed: 'seen',
        },
      },
    });
    expect(res.status).toBe(201);
    const channelId = res.body.id as string;
    const watchers = t.app.get(MailboxWatcherService);
    await expectEventually(() => expect(watchers.status(channelId)?.state).toBe('idle'), { timeoutMs: 15_000, intervalMs: 50 });
    return { box, channelId, address };
  }

  const outcomes = async (channelId: string) => {
    const q = async (sql: string) => (await t.db.query(sql, [channelId])).rows.map((r: { uid: string }) => Number(r.uid));
    return {
      imported: await q(`SELECT (meta->'imap'->>'uid') AS uid FROM message WHERE channel_id = $1 AND direction = 'inbound'`),
      quarantined: await q(`SELECT uid FROM quarantine WHERE channel_id = $1`),
      skipped: await q(`SELECT uid FROM mailbox_event WHERE channel_id = $1`),
    };
  };
  const activity = async (channelId: string) => {
    const res = await t.http('GET', `/api/v1/channels/${channelId}/activity`, { token: town.admin.token });
    expect(res.status).toBe(200);
    return res.body as { kind: string; reason: string; externalId: string | null; uid: number }[];
  };
  const message = async (channelId: string, externalId: string) =>
    expectEventually(
      async () => {
        const { rows } = await t.db.query(
          `SELECT m.id, m.conversation_id, m.meta, m.body, c.subject, c.possibly_related_to_id, c.citizen_name
             FROM message m JOIN conversation c ON c.id = m.conversation_id WHERE m.channel_id = $1 AND m.external_id = $2`,
          [channelId, externalId],
        );
        expect(rows).toHaveLength(1);
        return rows[0];
      },
      { timeoutMs: 12_000, intervalMs: 50 },
    );

  it('imports a mail repeating a Message-ID with other content, and records the same mail again as a skipped duplicate', async () => {
    const { box, channelId } = await mailbox('doublons');
    await dovecot.append(box, sample('dup-same-id-a.eml'));
    const first = await message(channelId, '<reused-id-42@laposte.net>');
    await dovecot.append(box, sample('dup-same-id-b.eml'));
    await expectEventually(async () => expect((await outcomes(channelId)).imported).toHaveLength(2), {
      timeoutMs: 12_000,
      intervalMs: 50,
    });
    const { rows } = await t.db.query(`SELECT external_id, body FROM message WHERE channel_id = $1 AND id <> $2`, [
      channelId,
      first.id,
    ]);
    expect(rows[0].body).toContain('justificatif de domicile');
    expect(rows[0].external_id).toMatch(/^<reused-id-42@laposte\.net>#[0-9a-f]{16}$/);
    await dovecot.append(box, sample('dup-same-id-a.eml'));
    await expectEventually(async () =>
      expect(await activity(channelId)).toEqual([
        expect.objectContaining({
          kind: 'duplicate',
          externalId: '<reused-id-42@laposte.net>',
          uid: 3,
          reason: expect.stringMatching(/doublon/),
        }),
      ]),
    );
    expect((await outcomes(channelId)).imported).toHaveLength(2);
  });

  it('keeps a bounce that matches nothing Guichet sent in the channel activity and shows it to the agents of the mailbox’s service', async () => {
    const { box, channelId } = await mailbox('rebonds');
    await dovecot.append(box, sample('bounce-unmatched.eml'));
    await expectEventually(async () =>
      expect(await activity(channelId)).toEqual([
        expect.objectContaining({
          kind: 'unmatched-bounce',
          externalId: '<never-sent-by-guichet@ville-demo.fr>',
          reason: expect.stringContaining('550 5.1.1'),
        }),
      ]),
    );
    expect((await outcomes(channelId)).imported).toEqual([]);

    // The mailbox belongs to État civil: its agents see the return, with the mailbox and the reason.
    const returns = async (token: string) => {
      const res = await t.http('GET', '/api/v1/mail-returns', { token });
      expect(res.status).toBe(200);
      return (res.body as { id: string; channel: { id: string } }[]).filter((r) => r.channel.id === channelId);
    };
    const seen = await returns(town.agentEC.token);
    expect(seen).toEqual([
      {
        id: expect.any(String),
        kind: 'unmatched-bounce',
        channel: { id: channelId, name: 'Boîte rebonds' },
        team: { id: town.etatCivil.id, name: town.etatCivil.name },
        originalMessageId: '<never-sent-by-guichet@ville-demo.fr>',
        reason: expect.stringContaining('550 5.1.1'),
        size: sample('bounce-unmatched.eml').length,
        createdAt: expect.any(String),
      },
    ]);
    // The report itself, as received, for the agent who wants the details.
    const source = await fetch(`${t.url}/api/v1/mail-returns/${seen[0]!.id}/source`, {
      headers: { authorization: `Bearer ${town.agentEC.token}` },
    });
    expect(source.status).toBe(200);
    expect(source.headers.get('content-type')).toMatch(/^message\/rfc822/);
    expect(source.headers.get('content-disposition')).toMatch(
      /^attachment; filename="avis-de-non-remise-\d{4}-\d{2}-\d{2}\.eml"/,
    );
    expect(Buffer.from(await source.arrayBuffer()).equals(sample('bounce-unmatched.eml'))).toBe(true);
    // Supervisors see every service's; Scolarité's agent neither sees it nor reads it by its id.
    expect(await returns(town.supervisor.token)).toHaveLength(1);
    expect(await returns(town.agentSco.token)).toEqual([]);
    const other = await fetch(`${t.url}/api/v1/mail-returns/${seen[0]!.id}/source`, {
      headers: { authorization: `Bearer ${town.agentSco.token}` },
    });
    expect(other.status).toBe(404);
    // The channel's activity itself stays an admin screen.
    expect((await t.http('GET', `/api/v1/channels/${channelId}/activity`, { token: town.agentEC.token })).status).toBe(403);
  });

  it('opens a new conversation from the Reply-To of a mail without From, marked as deduced, never appended to the citizen’s file', async () => {
    const { box, channelId, address } = await mailbox('deduits');
    const earlier = [
      'From: "Sophie Bernard" <sophie.bernard@orange.fr>',
      `To: ${address}`,
      'Subject: Passeport',
      'Message-ID: <sophie-1@orange.fr>',
      'Content-Type: text/plain; charset=utf-8',
      '',
      'Bonjour',
      '',
    ].join('\r\n');
    await dovecot.append(box, earlier);
    const file = await message(channelId, '<sophie-1@orange.fr>');
    // Answers her own file by its headers, but the address is only deduced: a new file, flagged.
    const deduced = Buffer.concat([Buffer.from('In-Reply-To: <sophie-1@orange.fr>\r\n'), sample('no-from-reply-to.eml')]);
    await dovecot.append(box, deduced);
    const row = await message(channelId, '<form-7781@wp.ville-demo.fr>');
    expect(row.conversation_id).not.toBe(file.conversation_id);
    expect(row.possibly_related_to_id).toBe(file.conversation_id);
    expect(row.meta.senderDeduced).toBe('reply-to');
    expect(row.citizen_name).toBe('Sophie Bernard');
    const res = await t.http('GET', `/api/v1/conversations/${row.conversation_id}/messages?limit=10`, {
      token: town.admin.token,
    });
    expect((res.body.items as MessageDto[]).map((m) => m.senderDeduced)).toEqual(['reply-to']);
  });

  it('keeps attachment names and the order of the mail in the timeline', async () => {
    const { box, channelId } = await mailbox('pieces');
    await dovecot.append(box, sample('attachment-names.eml'));
    const row = await message(channelId, '<att-names-1@gmail.com>');
    const res = await t.http('GET', `/api/v1/conversations/${row.conversation_id}/messages?limit=10`, {
      token: town.admin.token,
    });
    const [m] = res.body.items as MessageDto[];
    expect(m!.attachments.map((a) => a.fileName)).toEqual([
      'Objet du message.eml',
      'piece-jointe-2.mov',
      'scan.pdf',
      'scan (2).pdf',
      'film.quicktime',
    ]);
  });

  it('marks inline images by their Content-ID, shown in place and not listed again, unless also a real attachment', async () => {
    const { box, channelId } = await mailbox('images');
    await dovecot.append(box, sample('inline-images.eml'));
    const row = await message(channelId, '<inline-1@sfr.fr>');
    const res = await t.http('GET', `/api/v1/conversations/${row.conversation_id}/messages?limit=10`, {
      token: town.admin.token,
    });
    const [m] = res.body.items as MessageDto[];
    expect(m!.htmlBody).toContain('src="cid:part1.nid@sfr.fr"');
    expect(m!.attachments.map((a) => [a.fileName, a.contentId ?? null, a.inline ?? false])).toEqual([
      ['image.png', 'part1.nid@sfr.fr', true],
      ['image-integree-2.png', 'logo-signature', true],
      ['plan.pdf', null, false],
    ]);
    // The bytes of an inline image come from the authenticated attachment URL of this origin.
    const image = await t.http('GET', `/api/v1/attachments/${m!.attachments[0]!.id}`, { token: town.admin.token });
    expect(image.status).toBe(200);
  });

  it('records the mail a first connection leaves behind because of the import limit, in the channel activity', async () => {
    const box = await dovecot.addUser('limite');
    const day = 86_400_000;
    await dovecot.append(box, sample('dup-same-id-a.eml'), 'INBOX', [], new Date(Date.now() - 90 * day));
    await dovecot.append(box, sample('dup-same-id-b.eml'), 'INBOX', [], new Date(Date.now() - 60 * day));
    await dovecot.append(box, sample('no-from-reply-to.eml'), 'INBOX', [], new Date(Date.now() - 2 * day));
    const res = await t.http('POST', '/api/v1/channels', {
      token: town.admin.token,
      body: {
        kind: 'email',
        name: 'Boîte limite',
        teamId: town.etatCivil.id,
        config: {
          address: 'limite@ville-demo.fr',
          imap: { host: '127.0.0.1', port: dovecot.port, secure: false, user: box.user, password: box.password },
          smtp: { host: '127.0.0.1', port: 1, secure: false, user: 'x', password: 'x' },
          processed: 'seen',
          importSinceDays: 30,
        },
      },
    });
    expect(res.status).toBe(201);
    const channelId = res.body.id as string;
    await message(channelId, '<form-7781@wp.ville-demo.fr>');
    await expectEventually(async () =>
      expect(await activity(channelId)).toEqual([
        expect.objectContaining({
          kind: 'older-than-limit',
          uid: 2,
          reason: expect.stringMatching(/^2 messages reçus avant le .* sans import : .* 30 derniers jours$/),
        }),
      ]),
    );
    expect((await outcomes(channelId)).imported).toEqual([3]);
  });

  it('accounts for every mail of the corpus, hand-made and real-world: imported, quarantined or recorded as skipped with its reason, none unexplained', async () => {
    const { box, channelId } = await mailbox('corpus');
    const eml = (dir: string) =>
      readdirSync(dir)
        .filter((f) => f.endsWith('.eml'))
        .sort();
    // The first sample again at the end: the same mail twice is a duplicate.
    const delivered = [...eml(CORPUS), ...eml(REAL_WORLD), 'dup-same-id-a.eml'];
    expect(delivered.length).toBeGreaterThan(45);
    for (const f of delivered) await dovecot.append(box, sample(f));
    const seen = async () => {
      const imported = await t.db.query(
        `SELECT (meta->'imap'->>'uid')::int AS uid FROM message WHERE channel_id = $1 AND direction = 'inbound'`,
        [channelId],
      );
      const quarantined = await t.db.query(`SELECT uid::int AS uid, error AS reason FROM quarantine WHERE channel_id = $1`, [
        channelId,
      ]);
      const skipped = await t.db.query(`SELECT uid::int AS uid, kind, reason FROM mailbox_event WHERE channel_id = $1`, [
        channelId,
      ]);
      return [
        ...imported.rows.map((r: { uid: number }) => ({ uid: r.uid, outcome: 'imported' as Outcome, reason: 'importé' })),
        ...quarantined.rows.map((r: { uid: number; reason: string }) => ({
          uid: r.uid,
          outcome: 'quarantined' as Outcome,
          reason: r.reason,
        })),
        ...skipped.rows.map((r: { uid: number; kind: Outcome; reason: string }) => ({
          uid: r.uid,
          outcome: r.kind,
          reason: r.reason,
        })),
      ];
    };
    await expectEventually(async () => expect((await seen()).length).toBe(delivered.length), {
      timeoutMs: 40_000,
      intervalMs: 200,
    });
    const outcomes = await seen();
    // Every UID once, with a reason: nothing vanished, nothing counted twice.
    expect(outcomes.map((o) => o.uid).sort((a, b) => a - b)).toEqual(delivered.map((_, i) => i + 1));
    for (const o of outcomes) expect(o.reason.trim().length).toBeGreaterThan(5);
    const byFile = Object.fromEntries(outcomes.map((o) => [`${o.uid} ${delivered[o.uid - 1]}`, o.outcome]));
    const wanted = Object.fromEntries(
      delivered.map((f, i) => [`${i + 1} ${f}`, i === delivered.length - 1 ? 'duplicate' : (EXPECTED[f] ?? 'imported')]),
    );
    expect(byFile).toEqual(wanted);
    const count = (o: Outcome) => outcomes.filter((x) => x.outcome === o).length;
    expect({
      imported: count('imported'),
      quarantined: count('quarantined'),
      skipped: outcomes.length - count('imported') - count('quarantined'),
    }).toEqual({
      imported: delivered.length - 11,
      quarantined: 5,
      skipped: 6,
    });

    // A few real-world mails read as their authors wrote them.
    const file = async (externalId: string) => {
      const row = await message(channelId, externalId);
      const res = await t.http('GET', `/api/v1/conversations/${row.conversation_id}/messages?limit=50`, {
        token: town.admin.token,
      });
      return { row, m: (res.body.items as MessageDto[]).find((x) => x.id === row.id)! };
    };
    const nodemailer = await file('<012d606e-3550-2d94-b566-6cd996de88e3@kreata.ee>');
    expect(nodemailer.m.attachments.map((a) => [a.fileName, a.inline ?? false])).toEqual([
      ['piece-jointe-1.html', false],
      ['image.png', true],
      ['nyan cat ✔.gif', true],
      ['notes.txt', false],
    ]);
    expect(nodemailer.m.htmlBody).toContain('src="cid:nyan@example.com"');
    expect((await file('<xxxxx@docomo.ne.jp>')).m.body).toContain('あいうえお');
  });
});
