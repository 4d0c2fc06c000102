import { randomBytes, randomUUID } from 'node:crypto';
import {
  expectEventually,
  startDovecot,
  startSmtpCapture,
  type Dovecot,
  type DovecotUser,
  type SmtpCapture,
} from '@guichet/testing';
import { JobQueue } from '../../src/infra/jobs/job-queue';
import { LATE_PASS_AFTER_MS, MAILBOX_COPIES_QUEUE, type MailboxCopiesJob } from '../../src/modules/email/mailbox-copies.service';
import { MailboxWatcherService } from '../../src/modules/email/mailbox-watcher.service';
import { seedTown, startTestApp, type TestApp } from '../harness';

const WAIT = { timeoutMs: 20_000, intervalMs: 100 };
const mid = () => `<${randomBytes(8).toString('hex')}@exemple.fr>`;

/** A citizen's plain-text mail; `id` null: sent without a Message-ID. */
function mail(o: { from: string; to: string; subject: string; body: string; id?: string | null }): string {
  return [
    `From: ${o.from}`,
    `To: ${o.to}`,
    `Subject: ${o.subject}`,
    ...(o.id === null ? [] : [`Message-ID: ${o.id ?? mid()}`]),
    `Date: ${new Date().toUTCString()}`,
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=utf-8',
    '',
    o.body,
    '',
  ].join('\r\n');
}

/**
 * RGPD (issue 16): the copies of an anonymized conversation's mails that the town's mailbox keeps —
 * the citizen's mails the ingest read (left in INBOX, or moved), the replies copied to the sent
 * folder — are removed over IMAP after the anonymization commits, by retention and by erasure,
 * against a real Dovecot; another citizen's mail in the same mailbox stays, even with the same
 * subject or the same Message-ID.
 */
describe('mailbox copies of anonymized conversations', () => {
  let t: TestApp;
  let dovecot: Dovecot;
  let smtp: SmtpCapture;
  let town: Awaited<ReturnType<typeof seedTown>>;
  /** « seen »: imported mails stay in INBOX; replies copied to Sent. */
  let inbox: { box: DovecotUser; channelId: string; address: string };
  /** « move »: imported mails go to Traites; replies copied to Envoyes. */
  let moving: { box: DovecotUser; channelId: string; address: string };

  const addChannel = async (user: string, config: Record<string, unknown>, folders: string[]) => {
    const box = await dovecot.addUser(user);
    for (const f of folders) await dovecot.createFolder(box, f);
    const address = `${user}@ville-demo.fr`;
    const res = await t.http('POST', '/api/v1/channels', {
      token: town.admin.token,
      body: {
        kind: 'email',
        name: `Boîte ${user}`,
        teamId: town.etatCivil.id,
        config: {
          address,
          imap: { host: '127.0.0.1', port: dovecot.port, secure: false, user: box.user, password: box.password },
          smtp: { host: '127.0.0.1', port: smtp.port, secure: false, user: smtp.user, password: smtp.password },
          ...config,
        },
      },
    });
    expect(res.status).toBe(201);
    const watchers = t.app.get(MailboxWatcherService);
    await expectEventually(() => expect(watchers.status(res.body.id)?.state).toBe('idle'), WAIT);
    return { box, channelId: res.body.id as string, address };
  };
  /** Delivers a mail into the mailbox; the stored message (found by a word of its body). */
  const deliver = async (to: typeof inbox, o: { from: string; subject: string; body: string; id?: string | null }) => {
    await dovecot.append(to.box, mail({ ...o, to: to.address }));
    return expectEventually(async () => {
      const { rows } = await t.db.query(
        `SELECT m.conversation_id, m.external_id, c.contact_id FROM message m JOIN conversation c ON c.id = m.conversation_id
          WHERE m.channel_id = $1 AND m.body LIKE '%' || $2 || '%'`,
        [to.channelId, o.body],
      );
      expect(rows).toHaveLength(1);
      return rows[0] as { conversation_id: string; external_id: string; contact_id: string };
    }, WAIT);
  };
  /** Delivers a mail the import refuses (a Message-ID too long to store): its quarantine row. */
  const deliverRefused = async (to: typeof inbox, o: { from: string; subject: string; body: string }) => {
    await dovecot.append(to.box, mail({ ...o, to: to.address, id: `<${'x'.repeat(1100)}.${randomUUID()}@exemple.fr>` }));
    return expectEventually(async () => {
      const { rows } = await t.db.query(`SELECT id FROM quarantine WHERE channel_id = $1 AND position($2::bytea IN raw) > 0`, [
        to.channelId,
        Buffer.from(o.body),
      ]);
      expect(rows).toHaveLength(1);
    }, WAIT);
  };
  /** An agent's reply on the channel, once sent: its Message-ID, found in the sent folder. */
  const reply = async (on: typeof inbox, conversationId: string, sentFolder: string) => {
    const c = (await t.http('GET', `/api/v1/conversations/${conversationId}`, { token: town.admin.token })).body;
    const res = await t.http('POST', `/api/v1/conversations/${conversationId}/messages`, {
      token: town.admin.token,
      body: { kind: 'reply', body: 'Votre acte est prêt.', version: c.version, channelId: on.channelId },
    });
    expect(res.status).toBe(201);
    const id = await expectEventually(async () => {
      const { rows } = await t.db.query(`SELECT status, external_id FROM message WHERE id = $1`, [res.body.id]);
      expect(rows[0].status).toBe('sent');
      return rows[0].external_id as string;
    }, WAIT);
    await expectEventually(async () => expect(await ids(on.box, sentFolder)).toContain(id), WAIT);
    return id;
  };
  const ids = async (box: DovecotUser, folder: string) => (await dovecot.list(box, folder)).map((m) => m.messageId ?? null);
  /** The sources of a folder's mails (to tell two mails with one Message-ID apart). */
  const sources = async (box: DovecotUser, folder: string) => {
    const c = await dovecot.client(box);
    try {
      const open = await c.mailboxOpen(folder, { readOnly: true });
      if (!open.exists) return [];
      return (await c.fetchAll('1:*', { source: true })).map((m) => m.source!.toString('utf8'));
    } finally {
      await c.logout();
    }
  };
  const audits = async (action: string, channelId: string) =>
    (
      await t.db.query(
        `SELECT contact_id, data FROM audit_event WHERE organization_id = $1 AND action = $2 AND data->>'channelId' = $3 ORDER BY id`,
        [town.org.id, action, channelId],
      )
    ).rows as { contact_id: string | null; data: Record<string, unknown> }[];
  const jobsOf = async (channelId: string) =>
    (
      await t.db.query(`SELECT state, retry_count, data FROM pgboss.job WHERE name = $1 AND data->>'channelId' = $2`, [
        MAILBOX_COPIES_QUEUE,
        channelId,
      ])
    ).rows as { state: string; retry_count: number; data: MailboxCopiesJob }[];

  beforeAll(async () => {
    [dovecot, smtp, t] = await Promise.all([startDovecot(), startSmtpCapture(), startTestApp()]);
    town = await seedTown(t);
    inbox = await addChannel('etat-civil', { processed: 'seen', sentFolder: 'Sent' }, ['Sent']);
    moving = await addChannel('accueil', { processed: 'move', moveTo: 'Traites', sentFolder: 'Envoyes' }, ['Traites', 'Envoyes']);
  });
  afterAll(async () => {
    await t?.close();
    await Promise.all([dovecot?.close(), smtp?.close()]);
  });

  it('retention removes the citizen’s mail from INBOX and the reply from Sent; another citizen’s mails stay, even one reusing the Message-ID', async () => {
    const subject = 'Demande d’acte de naissance';
    const id = mid();
    const alice = await deliver(inbox, { from: 'alice@exemple.fr', subject, body: `Bonjour ${randomUUID()}`, id });
    const replyId = await reply(inbox, alice.conversation_id, 'Sent');
    const bob = await deliver(inbox, { from: 'bob@exemple.fr', subject, body: `Bonjour aussi ${randomUUID()}` });
    // Bob's mail with Alice's Message-ID (reused, other content): stored apart, in Bob's file.
    const reusedBody = `Même identifiant ${randomUUID()}`;
    const reused = await deliver(inbox, { from: 'bob@exemple.fr', subject, body: reusedBody, id });
    expect(reused.contact_id).toBe(bob.contact_id);
    expect(reused.external_id).toMatch(new RegExp(`^${id}#`));
    expect((await ids(inbox.box, 'INBOX')).filter((x) => x === id)).toHaveLength(2);

    await t.db.query(`UPDATE conversation SET status = 'resolved', resolved_at = now() - interval '400 days' WHERE id = $1`, [
      alice.conversation_id,
    ]);
    const rules = await t.http('PUT', '/api/v1/retention-rules', {
      token: town.admin.token,
      body: { rules: [{ durationDays: 365, legalBasis: 'Mission de service public', purpose: 'Répondre aux demandes' }] },
    });
    expect(rules.status).toBe(200);
    const run = await t.http('POST', '/api/v1/retention/run', { token: town.admin.token });
    expect(run.status).toBe(200);
    expect(run.body.anonymized).toBe(1);

    await expectEventually(async () => expect(await audits('mailbox.copies_removed', inbox.channelId)).toHaveLength(1), WAIT);
    expect((await audits('mailbox.copies_removed', inbox.channelId))[0]!.data).toMatchObject({
      cause: 'retention',
      removed: { INBOX: 1, Sent: 1 },
      total: 2,
      missingFolders: [],
    });
    expect(await ids(inbox.box, 'Sent')).not.toContain(replyId);
    const left = await ids(inbox.box, 'INBOX');
    expect(left.filter((x) => x === id)).toHaveLength(1);
    expect(left).toContain(bob.external_id);
    expect((await sources(inbox.box, 'INBOX')).filter((s) => s.includes(reusedBody))).toHaveLength(1);
    // The job carried Message-IDs and content hashes only: no body, no address.
    const [job] = await jobsOf(inbox.channelId);
    expect(JSON.stringify(job!.data)).not.toMatch(/alice|bob|Bonjour|acte/i);
    expect(job!.data.copies).toEqual(
      expect.arrayContaining([{ messageId: id, contentSha256: expect.stringMatching(/^[0-9a-f]{64}$/) }, { messageId: replyId }]),
    );

    // Run again (a retry after a crash, say): nothing more goes, the others' mails stay.
    const before = await dovecot.list(inbox.box, 'INBOX');
    await t.app.get(JobQueue).send(MAILBOX_COPIES_QUEUE, job!.data);
    await expectEventually(async () => expect(await audits('mailbox.copies_removed', inbox.channelId)).toHaveLength(2), WAIT);
    expect((await audits('mailbox.copies_removed', inbox.channelId))[1]!.data).toMatchObject({
      removed: { INBOX: 0, Sent: 0 },
      total: 0,
    });
    expect(await dovecot.list(inbox.box, 'INBOX')).toEqual(before);
  });

  it('erasure removes the citizen’s mails from the moved-to folder (one without a Message-ID, one the import refused) and the reply; mails with the same subject stay', async () => {
    const subject = 'Inscription à la cantine';
    const zoe = await deliver(moving, { from: 'zoe@exemple.fr', subject, body: `Première ${randomUUID()}` });
    const noId = await deliver(moving, { from: 'zoe@exemple.fr', subject, body: `Sans identifiant ${randomUUID()}`, id: null });
    expect(noId.external_id).toMatch(/@guichet\.generated>$/);
    await deliverRefused(moving, { from: 'zoe@exemple.fr', subject, body: `Refusé ${randomUUID()}` });
    const replyId = await reply(moving, zoe.conversation_id, 'Envoyes');
    const will = await deliver(moving, { from: 'william@exemple.fr', subject, body: `Même sujet ${randomUUID()}` });
    const willRefused = `Refusé aussi ${randomUUID()}`;
    await deliverRefused(moving, { from: 'william@exemple.fr', subject, body: willRefused });
    await expectEventually(async () => expect(await ids(moving.box, 'Traites')).toHaveLength(5), WAIT);
    expect(await ids(moving.box, 'INBOX')).toEqual([]);

    const erased = await t.http('POST', `/api/v1/contacts/${zoe.contact_id}/anonymize`, { token: town.admin.token });
    expect(erased.status).toBe(200);

    // One job for the conversations' mails, one for the quarantined one: each audited on the citizen's file.
    await expectEventually(async () => expect(await audits('mailbox.copies_removed', moving.channelId)).toHaveLength(2), WAIT);
    const removed = await audits('mailbox.copies_removed', moving.channelId);
    expect(removed.map((a) => [a.contact_id, a.data.cause])).toEqual([
      [zoe.contact_id, 'erasure'],
      [zoe.contact_id, 'erasure'],
    ]);
    const inFolder = (folder: string) => removed.reduce((n, a) => n + (a.data.removed as Record<string, number>)[folder]!, 0);
    expect([inFolder('INBOX'), inFolder('Traites'), inFolder('Envoyes')]).toEqual([0, 3, 1]);
    expect(await ids(moving.box, 'Traites')).toHaveLength(2);
    expect(await ids(moving.box, 'Traites')).toContain(will.external_id);
    expect((await sources(moving.box, 'Traites')).filter((src) => src.includes(willRefused))).toHaveLength(1);
    expect(await ids(moving.box, 'Envoyes')).not.toContain(replyId);
    expect(await ids(moving.box, 'Envoyes')).toHaveLength(0);
  });

  it('a reply still being sent when the citizen is erased: its copy filed in Sent after the first pass is removed by a second, once the attempt is over', async () => {
    const ccas = await addChannel('ccas', { processed: 'seen', sentFolder: 'Sent' }, ['Sent']);
    const yan = await deliver(ccas, { from: 'yan@exemple.fr', subject: 'Aide facultative', body: `Bonjour ${randomUUID()}` });
    const replyId = await reply(ccas, yan.conversation_id, 'Sent');
    const [copy] = (await sources(ccas.box, 'Sent')).filter((src) => src.includes(replyId));
    // As if its SMTP answer were still awaited when the erasure commits (the claim written, the outcome not yet).
    await t.db.query(`UPDATE message SET status = 'sending' WHERE external_id = $1`, [replyId]);

    const erased = await t.http('POST', `/api/v1/contacts/${yan.contact_id}/anonymize`, { token: town.admin.token });
    expect(erased.status).toBe(200);
    await expectEventually(async () => expect(await audits('mailbox.copies_removed', ccas.channelId)).toHaveLength(1), WAIT);
    expect((await audits('mailbox.copies_removed', ccas.channelId))[0]!.data).toMatchObject({ removed: { INBOX: 1, Sent: 1 } });
    // The second pass waits for any attempt begun by then to be over, with the reply's Message-ID only.
    const { rows: late } = await t.db.query(
      `SELECT id, data, extract(epoch FROM start_after - created_on) AS delay FROM pgboss.job
        WHERE name = $1 AND data->>'channelId' = $2 AND state = 'created'`,
      [MAILBOX_COPIES_QUEUE, ccas.channelId],
    );
    expect(late).toHaveLength(1);
    expect(Number(late[0].delay)).toBeGreaterThanOrEqual(LATE_PASS_AFTER_MS / 1000 - 5);
    expect(late[0].data.copies).toEqual([{ messageId: replyId }]);

    // The attempt's copy reaches Sent after the first pass; the second pass, when due, removes it.
    await dovecot.append(ccas.box, copy!, 'Sent', ['\\Seen']);
    expect(await ids(ccas.box, 'Sent')).toContain(replyId);
    await t.db.query(`UPDATE pgboss.job SET start_after = now() WHERE name = $1 AND id = $2`, [MAILBOX_COPIES_QUEUE, late[0].id]);
    await expectEventually(async () => expect(await audits('mailbox.copies_removed', ccas.channelId)).toHaveLength(2), WAIT);
    expect((await audits('mailbox.copies_removed', ccas.channelId))[1]!.data).toMatchObject({
      cause: 'erasure',
      removed: { INBOX: 0, Sent: 1 },
    });
    expect(await ids(ccas.box, 'Sent')).not.toContain(replyId);
  });

  it('a mailbox that cannot be reached is retried until it can; a channel gone or without IMAP is audited, never a crash', async () => {
    const vic = await deliver(inbox, { from: 'victor@exemple.fr', subject: 'Carte d’identité', body: `Bonjour ${randomUUID()}` });
    await dovecot.stop();
    try {
      const erased = await t.http('POST', `/api/v1/contacts/${vic.contact_id}/anonymize`, { token: town.admin.token });
      expect(erased.status).toBe(200);
      await expectEventually(async () => {
        const job = (await jobsOf(inbox.channelId)).find((j) => j.data.contactId === vic.contact_id);
        expect(job?.retry_count).toBeGreaterThanOrEqual(1);
      }, WAIT);
      expect(await audits('mailbox.copies_left', inbox.channelId)).toEqual([]);
    } finally {
      await dovecot.start();
    }
    await expectEventually(async () => expect(await ids(inbox.box, 'INBOX')).not.toContain(vic.external_id), {
      timeoutMs: 40_000,
      intervalMs: 250,
    });

    const queue = t.app.get(JobQueue);
    const gone = randomUUID();
    await queue.send(MAILBOX_COPIES_QUEUE, {
      organizationId: town.org.id,
      channelId: gone,
      cause: 'erasure',
      copies: [{ messageId: mid() }],
    } satisfies MailboxCopiesJob);
    const noImap = await t.newChannel({
      organizationId: town.org.id,
      teamId: town.etatCivil.id,
      kind: 'email',
      config: { address: 'sans-imap@ville-demo.fr' },
    });
    await queue.send(MAILBOX_COPIES_QUEUE, {
      organizationId: town.org.id,
      channelId: noImap.id,
      cause: 'retention',
      copies: [{ messageId: mid() }],
    } satisfies MailboxCopiesJob);
    await expectEventually(async () => {
      expect((await audits('mailbox.copies_left', gone)).map((a) => a.data.reason)).toEqual([
        expect.stringMatching(/canal supprimé/),
      ]);
      expect((await audits('mailbox.copies_left', noImap.id)).map((a) => a.data.reason)).toEqual([
        expect.stringMatching(/configuration IMAP/),
      ]);
    }, WAIT);
    for (const channelId of [gone, noImap.id]) expect((await jobsOf(channelId)).map((j) => j.state)).toEqual(['completed']);
  });
});
