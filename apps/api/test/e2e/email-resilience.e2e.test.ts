import { randomBytes } from 'node:crypto';
import { expectEventually, startDovecot, type Dovecot, type DovecotUser } from '@guichet/testing';
import { setTimeout as sleep } from 'node:timers/promises';
import { MailboxWatcherService } from '../../src/modules/email/mailbox-watcher.service';
import { seedTown, startTestApp, type TestApp } from '../harness';

const ADDRESS = 'accueil@ville-demo.fr';
const mid = () => `<${randomBytes(8).toString('hex')}@exemple.fr>`;
const mail = (subject: string, id = mid()) => ({
  id,
  raw: [
    `From: citoyen-${id.slice(1, 7)}@exemple.fr`,
    `To: ${ADDRESS}`,
    `Subject: ${subject}`,
    `Message-ID: ${id}`,
    'Content-Type: text/plain; charset=utf-8',
    '',
    `Texte ${subject}`,
    '',
  ].join('\r\n'),
});

/**
 * Watchers across restarts, reconnects, resyncs and instances. `t` serves HTTP and queries only
 * (RUN_JOBS=0: no watcher); `a` and `b` are two API instances on the same database.
 */
describe('email watcher resilience', () => {
  let t: TestApp;
  let a: TestApp;
  let b: TestApp | undefined;
  let dovecot: Dovecot;
  let box: DovecotUser;
  let channelId: string;
  let town: Awaited<ReturnType<typeof seedTown>>;
  const delivered: string[] = [];

  const countOf = async (externalId: string) =>
    (
      await t.db.query(`SELECT count(*)::int AS n FROM message WHERE channel_id = $1 AND external_id = $2`, [
        channelId,
        externalId,
      ])
    ).rows[0].n as number;
  const imported = (externalId: string, timeoutMs = 12_000) =>
    expectEventually(async () => expect(await countOf(externalId)).toBe(1), { timeoutMs, intervalMs: 50 });
  const deliver = async (subject: string) => {
    const m = mail(subject);
    await dovecot.append(box, m.raw);
    delivered.push(m.id);
    return m.id;
  };
  // Compared by URL: a failed expectation on the apps themselves cannot print them (Nest's
  // container is a proxied Map) and would hide the real message.
  const holders = (apps: TestApp[]) =>
    apps.filter((x) => x.app.get(MailboxWatcherService).activeChannelIds().includes(channelId));
  const allOnce = async () => {
    const { rows } = await t.db.query(
      `SELECT external_id, count(*)::int AS n FROM message WHERE channel_id = $1 GROUP BY external_id`,
      [channelId],
    );
    expect(rows.filter((r: { n: number }) => r.n !== 1)).toEqual([]);
    expect(rows.map((r: { external_id: string }) => r.external_id).sort()).toEqual([...delivered].sort());
  };

  beforeAll(async () => {
    dovecot = await startDovecot();
    t = await startTestApp({ runJobs: false });
    a = await startTestApp({
      databaseUrl: t.config.databaseUrl,
      encryptionKey: t.config.encryptionKey,
      appSecret: t.config.appSecret,
    });
    town = await seedTown(t);
    box = await dovecot.addUser('accueil');
    const res = await t.http('POST', '/api/v1/channels', {
      token: town.admin.token,
      body: {
        kind: 'email',
        name: 'Accueil',
        teamId: town.etatCivil.id,
        config: {
          address: ADDRESS,
          imap: { host: '127.0.0.1', port: dovecot.port, secure: false, user: box.user, password: box.password },
          smtp: { host: '127.0.0.1', port: 1, secure: false, user: 'x', password: 'y' },
          processed: 'leave',
        },
      },
    });
    expect(res.status).toBe(201);
    channelId = res.body.id;
  });
  afterAll(async () => {
    await b?.close();
    await a?.close();
    await t?.close();
    await dovecot?.close();
  });

  it('an instance with RUN_JOBS=0 runs no watcher', async () => {
    await expectEventually(() => expect(holders([a]).map((x) => x.url)).toEqual([a.url]), { timeoutMs: 20_000 });
    expect(holders([t]).map((x) => x.url)).toEqual([]);
  });

  it('Dovecot restarted during IDLE: nothing lost, nothing imported twice', async () => {
    await imported(await deliver('avant le redémarrage'));
    const watcher = a.app.get(MailboxWatcherService);
    await expectEventually(() => expect(watcher.status(channelId)?.state).toBe('idle'), { timeoutMs: 5000 });
    await dovecot.stop();
    await expectEventually(() => expect(watcher.status(channelId)?.state).not.toBe('idle'), { timeoutMs: 5000 });
    // Mail the MTA delivers while the IMAP server is down is imported once it is back.
    const whileDown = mail('pendant la panne');
    dovecot.deliverToMaildir(box, whileDown.raw);
    delivered.push(whileDown.id);
    await dovecot.start();
    await imported(whileDown.id, 15_000);
    const during = await deliver('juste après le redémarrage');
    await imported(during, 15_000);
    await expectEventually(() => expect(watcher.status(channelId)?.state).toBe('idle'), { timeoutMs: 5000 });
    await imported(await deliver('en IDLE de nouveau'));
    await allOnce();
  });

  it('UIDVALIDITY change: full resync deduplicated by Message-ID, then new mail as usual', async () => {
    const before = (await t.db.query(`SELECT uid_validity FROM mailbox_cursor WHERE channel_id = $1`, [channelId])).rows[0]
      .uid_validity;
    await dovecot.changeUidValidity(box);
    await imported(await deliver('après la migration du serveur'), 15_000);
    const after = await expectEventually(async () => {
      const { rows } = await t.db.query(`SELECT uid_validity, highest_uid FROM mailbox_cursor WHERE channel_id = $1`, [
        channelId,
      ]);
      expect(rows[0].uid_validity).not.toBe(before);
      return rows[0];
    });
    expect(Number(after.highest_uid)).toBe(delivered.length);
    await allOnce();
  });

  it('a channel disabled through the API stops its watcher; enabled again, it imports what arrived meanwhile', async () => {
    const patch = (enabled: boolean) =>
      t.http('PATCH', `/api/v1/channels/${channelId}`, { token: town.admin.token, body: { enabled } });
    expect((await patch(false)).status).toBe(200);
    await expectEventually(() => expect(holders([a]).map((x) => x.url)).toEqual([]), { timeoutMs: 20_000 });
    const meanwhile = await deliver('pendant la désactivation');
    // A citizen's mail and her answer to it, fetched in one batch: stored in order, in one file.
    const first = `<${randomBytes(8).toString('hex')}@exemple.fr>`;
    const answer = `<${randomBytes(8).toString('hex')}@exemple.fr>`;
    for (const [id, extra] of [
      [first, ''],
      [answer, `In-Reply-To: ${first}\r\n`],
    ] as const) {
      await dovecot.append(
        box,
        `From: Zoé <zoe@exemple.fr>\r\nTo: ${ADDRESS}\r\nSubject: Lot\r\nMessage-ID: ${id}\r\n${extra}\r\nTexte\r\n`,
      );
      delivered.push(id);
    }
    await sleep(300);
    expect(await countOf(meanwhile)).toBe(0);
    expect((await patch(true)).status).toBe(200);
    await imported(meanwhile, 10_000);
    await imported(answer);
    const { rows } = await t.db.query(
      `SELECT external_id, conversation_id FROM message WHERE channel_id = $1 AND external_id = ANY($2)`,
      [channelId, [first, answer]],
    );
    expect(new Set(rows.map((r: { conversation_id: string }) => r.conversation_id)).size).toBe(1);
    await allOnce();
  });

  it('importSinceDays: the first connection skips older mail for good', async () => {
    const old = await dovecot.addUser('archives');
    const oldMail = mail('vieux courrier');
    const recent = mail('courrier récent');
    await dovecot.append(old, oldMail.raw, 'INBOX', [], new Date(Date.now() - 40 * 86_400_000));
    await dovecot.append(old, recent.raw, 'INBOX', [], new Date(Date.now() - 2 * 86_400_000));
    const res = await t.http('POST', '/api/v1/channels', {
      token: town.admin.token,
      body: {
        kind: 'email',
        name: 'Archives',
        teamId: town.scolarite.id,
        config: {
          address: 'archives@ville-demo.fr',
          imap: { host: '127.0.0.1', port: dovecot.port, secure: false, user: old.user, password: old.password },
          smtp: { host: '127.0.0.1', port: 1, secure: false, user: 'x', password: 'y' },
          processed: 'leave',
          importSinceDays: 30,
        },
      },
    });
    const id = res.body.id as string;
    const count = async (externalId: string) =>
      (await t.db.query(`SELECT count(*)::int AS n FROM message WHERE channel_id = $1 AND external_id = $2`, [id, externalId]))
        .rows[0].n;
    await expectEventually(async () => expect(await count(recent.id)).toBe(1), { timeoutMs: 8000 });
    const later = mail('nouveau');
    await dovecot.append(old, later.raw);
    await expectEventually(async () => expect(await count(later.id)).toBe(1), { timeoutMs: 8000 });
    expect(await count(oldMail.id)).toBe(0);
    const { rows } = await t.db.query(`SELECT created_at FROM message WHERE channel_id = $1 AND external_id = $2`, [
      id,
      recent.id,
    ]);
    // Backfilled mail keeps its arrival date.
    expect(Date.now() - rows[0].created_at.getTime()).toBeGreaterThan(86_400_000);
  });

  it('two instances on one mailbox: one watcher; the other takes over when the holder dies', async () => {
    b = await startTestApp({
      databaseUrl: t.config.databaseUrl,
      encryptionKey: t.config.encryptionKey,
      appSecret: t.config.appSecret,
    });
    // b takes the free mailboxes at each refresh (every 2 s): after two (the second with what the
    // first left, such as a lock it would wrongly think it holds), it has started no second watcher.
    const bWatchers = b.app.get(MailboxWatcherService);
    await expectEventually(() => expect(bWatchers.refreshCount()).toBeGreaterThanOrEqual(2), { timeoutMs: 15_000 });
    expect(holders([a, b]).map((x) => x.url)).toEqual([a.url]);
    for (let i = 0; i < 3; i++) await deliver(`deux instances ${i}`);
    for (const id of delivered) await imported(id);

    // The holder's database session dies (crash, network cut): its lock goes with it, and so do its watchers.
    const { rows } = await t.db.query(
      `SELECT DISTINCT l.pid FROM pg_locks l JOIN pg_stat_activity s ON s.pid = l.pid
        WHERE l.locktype = 'advisory' AND l.granted AND s.application_name = 'guichet-mailbox-locks' AND s.datname = current_database()`,
    );
    expect(rows).toHaveLength(1);
    await t.db.query(`SELECT pg_terminate_backend($1)`, [rows[0].pid]);
    await expectEventually(() => expect(holders([a, b!]).map((x) => x.url)).toHaveLength(1), {
      timeoutMs: 20_000,
      intervalMs: 100,
    });
    await imported(await deliver('après la coupure'), 10_000);

    // The instance that holds it now stops: the other one takes the mailbox within 30 s.
    const [holder] = holders([a, b!]);
    const other = holder === a ? b! : a;
    const stoppedAt = Date.now();
    await holder!.close();
    if (holder === a) a = undefined as unknown as TestApp;
    else b = undefined;
    await expectEventually(() => expect(holders([other]).map((x) => x.url)).toEqual([other.url]), {
      timeoutMs: 30_000,
      intervalMs: 100,
    });
    expect(Date.now() - stoppedAt).toBeLessThan(30_000);
    await imported(await deliver('après la reprise'), 10_000);
    await allOnce();
  });
});
