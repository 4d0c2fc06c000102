import { randomUUID } from 'node:crypto';
import type { InboundMessage } from '@guichet/contracts';
import { INGEST_WITH_OUTBOX_SQL } from '../../src/modules/ingest/ingest.repository';
import { seedTown, startTestApp, type TestApp } from '../harness';

describe('IngestService', () => {
  let t: TestApp;
  let town: Awaited<ReturnType<typeof seedTown>>;

  const sms = (from: string, text: string, over: Partial<InboundMessage> = {}): InboundMessage => ({
    channelId: town.sms.id,
    externalId: `SM${randomUUID().replace(/-/g, '')}`,
    from: { kind: 'phone', value: from },
    text,
    thread: { latestOpen: true },
    ...over,
  });
  const email = (from: string, subject: string, over: Partial<InboundMessage> = {}): InboundMessage => ({
    channelId: town.email.id,
    externalId: `<${randomUUID()}@mail.example.fr>`,
    from: { kind: 'email', value: from },
    subject,
    text: 'Bonjour',
    ...over,
  });

  beforeAll(async () => {
    t = await startTestApp();
    town = await seedTown(t);
  });
  afterAll(() => t.close());

  it('stores the same external id delivered many times at the same moment exactly once', async () => {
    const msg = sms('06 11 22 33 44', 'Bonjour, mon compteur fuit');
    const results = await Promise.all(Array.from({ length: 16 }, () => t.ingest.ingest({ ...msg })));
    expect(new Set(results.map((r) => r.messageId)).size).toBe(1);
    expect(results.filter((r) => r.created)).toHaveLength(1);
    const { rows } = await t.db.query(`SELECT count(*)::int AS n FROM message WHERE external_id = $1`, [msg.externalId]);
    expect(rows[0].n).toBe(1);
    expect(
      (await t.db.query(`SELECT count(*)::int AS n FROM conversation WHERE id = $1`, [results[0]!.conversationId])).rows[0].n,
    ).toBe(1);
  });

  it('lets concurrent messages share transactions, each caller getting its own message and file', async () => {
    const senders = Array.from({ length: 30 }, (_, i) => `06 44 00 ${String(10 + (i % 20)).padStart(2, '0')} 00`);
    const messages = senders.map((from, i) => sms(from, `message ${i}`));
    const results = await Promise.all(messages.map((m) => t.ingest.ingest(m)));
    const { rows } = await t.db.query(
      `SELECT m.id, m.external_id, m.body, m.conversation_id, c.contact_id, m.xmin::text AS xid
         FROM message m JOIN conversation c ON c.id = m.conversation_id WHERE m.id = ANY($1::uuid[])`,
      [results.map((r) => r.messageId)],
    );
    const byId = new Map(rows.map((r) => [r.id, r]));
    results.forEach((r, i) => {
      expect(byId.get(r.messageId)).toMatchObject({
        external_id: messages[i]!.externalId,
        body: `message ${i}`,
        conversation_id: r.conversationId,
        contact_id: r.contactId,
      });
    });
    // Twenty citizens, one file each: a citizen's second message joined their first one's file.
    expect(new Set(results.map((r) => r.contactId)).size).toBe(20);
    expect(new Set(results.map((r) => r.conversationId)).size).toBe(20);
    expect(results.filter((r) => r.newConversation)).toHaveLength(20);
    // Fewer transactions than messages: group commit at work.
    expect(new Set(rows.map((r) => r.xid)).size).toBeLessThan(30);
  });

  it('joins a batch’s rows to their conversations by primary key, never by reading the whole table', async () => {
    // Planned as returning 1,000 rows (a function's default), the batch was hash-joined to a sequential
    // scan of `conversation`: a cost per batch that grew with every conversation of every town.
    await t.ingest.ingest(email('plan@exemple.fr', 'Demande'));
    // A town's worth of conversations (in a transaction rolled back: the other tests do not see them).
    const scans: string[] = [];
    try {
      await t.db.query('BEGIN');
      await t.db.query(
        `INSERT INTO conversation (organization_id, reference, contact_id, team_id, subject)
         SELECT c.organization_id, 'GU-P' || lpad(g::text, 5, '0'), c.contact_id, c.team_id, 'Demande'
           FROM (SELECT * FROM conversation LIMIT 1) c, generate_series(1, 5000) g`,
      );
      await t.db.query('ANALYZE conversation');
      const { rows } = await t.db.query(`EXPLAIN (FORMAT JSON) ${INGEST_WITH_OUTBOX_SQL}`, ['[]', [], []]);
      const walk = (node: Record<string, unknown>) => {
        if (node['Relation Name'] === 'conversation') scans.push(String(node['Node Type']));
        for (const child of (node['Plans'] as Record<string, unknown>[] | undefined) ?? []) walk(child);
      };
      walk(rows[0]['QUERY PLAN'][0].Plan);
    } finally {
      await t.db.query('ROLLBACK');
    }
    expect(scans).toEqual(['Index Scan']);
  });

  it('fails only the message at fault when it shares a transaction with others', async () => {
    const bad = 5;
    const settled = await Promise.allSettled(
      Array.from({ length: 12 }, (_, i) =>
        // An unknown service for the new file: the foreign key refuses it.
        t.ingest.ingest(email(`groupe.${i}@example.fr`, `Demande ${i}`), i === bad ? { teamId: randomUUID() } : {}),
      ),
    );
    expect(settled.map((s) => s.status)).toEqual(settled.map((_, i) => (i === bad ? 'rejected' : 'fulfilled')));
    const { rows } = await t.db.query(`SELECT value FROM contact_identity WHERE value LIKE 'groupe.%@example.fr' ORDER BY value`);
    expect(rows.map((r) => r.value)).not.toContain(`groupe.${bad}@example.fr`);
    expect(rows).toHaveLength(11);
  });

  it('gives one contact to a new citizen who sends several first messages at once', async () => {
    const results = await Promise.all(
      Array.from({ length: 8 }, (_, i) => t.ingest.ingest(sms('07 55 44 33 22', `message ${i}`))),
    );
    expect(new Set(results.map((r) => r.contactId)).size).toBe(1);
    const { rows } = await t.db.query(`SELECT count(*)::int AS n FROM contact_identity WHERE value = '+33755443322'`);
    expect(rows[0].n).toBe(1);
  });

  it('threads an SMS into the citizen’s latest open conversation, whatever channel it started on', async () => {
    const first = await t.ingest.ingest(
      email('lucie.bernard@example.fr', 'Carte d’identité', { extraIdentities: [{ kind: 'phone', value: '06 98 76 54 32' }] }),
    );
    const next = await t.ingest.ingest(sms('+33698765432', 'Je passe demain ?'));
    expect(next.contactId).toBe(first.contactId);
    expect(next.conversationId).toBe(first.conversationId);
    const { rows } = await t.db.query(`SELECT last_channel_kind, snippet, version FROM conversation WHERE id = $1`, [
      first.conversationId,
    ]);
    expect(rows[0]).toEqual({ last_channel_kind: 'sms', snippet: 'Je passe demain ?', version: 2 });
  });

  it('never appends to another citizen’s file: a matched reference of someone else opens a new, flagged conversation', async () => {
    const victim = await t.ingest.ingest(email('victime@example.fr', 'Demande de logement social'));
    const [{ reference }] = (await t.db.query(`SELECT reference FROM conversation WHERE id = $1`, [victim.conversationId])).rows;
    for (const attack of [
      email('intrus@example.fr', `RE: [${reference}] Demande de logement social`),
      email('intrus@example.fr', 'RE: logement', { thread: { conversationId: victim.conversationId } }),
      email('intrus@example.fr', 'RE: logement', {
        thread: {
          inReplyTo: [
            (await t.db.query(`SELECT external_id FROM message WHERE conversation_id = $1`, [victim.conversationId])).rows[0]
              .external_id,
          ],
        },
      }),
    ]) {
      const r = await t.ingest.ingest(attack);
      expect(r.conversationId).not.toBe(victim.conversationId);
      expect(r.newConversation).toBe(true);
      const { rows } = await t.db.query(`SELECT possibly_related_to_id, contact_id FROM conversation WHERE id = $1`, [
        r.conversationId,
      ]);
      expect(rows[0]).toEqual({ possibly_related_to_id: victim.conversationId, contact_id: r.contactId });
    }
    const { rows } = await t.db.query(`SELECT count(*)::int AS n FROM message WHERE conversation_id = $1`, [
      victim.conversationId,
    ]);
    expect(rows[0].n).toBe(1);
  });

  it("keeps a conversation's search document equal to its messages' words, from the ingest as from any other write path", async () => {
    const first = await t.ingest.ingest(
      email('odile.marchand@example.fr', 'Lampadaire', { text: 'Le lampadaire <rue> clignote' }),
    );
    await Promise.all([
      t.ingest.ingest(sms('+33611223399', 'premier')),
      t.ingest.ingest(
        email('odile.marchand@example.fr', 'Re: Lampadaire', { text: 'toujours en panne', thread: { latestOpen: true } }),
      ),
    ]);
    // The same words as the trigger of `message` gives another write path (a message inserted by hand).
    const { rows } = await t.db.query(
      `SELECT c.messages_search = (SELECT guichet_search_agg(m.search ORDER BY m.created_at, m.id) FROM message m WHERE m.conversation_id = c.id) AS same,
              c.version, c.search_doc @@ to_tsquery('guichet_fr', 'clignote & panne & rue') AS found
         FROM conversation c WHERE c.id = $1`,
      [first.conversationId],
    );
    expect(rows).toEqual([{ same: true, version: 2, found: true }]);
    await t.db.query(
      `INSERT INTO message (organization_id, conversation_id, direction, kind, body, status) VALUES ($1, $2, 'outbound', 'note', 'lanterne réparée', 'sent')`,
      [town.org.id, first.conversationId],
    );
    const after = await t.db.query(
      `SELECT search_doc @@ to_tsquery('guichet_fr', 'lanterne') AS found FROM conversation WHERE id = $1`,
      [first.conversationId],
    );
    expect(after.rows).toEqual([{ found: true }]);
    // Every message's words are its body's, whoever wrote it, and follow an edit of the body.
    const words = `to_tsvector('guichet_fr'::regconfig, translate(left(body, 100000), '<>', '  '))`;
    const check = `SELECT count(*)::int AS n, count(*) FILTER (WHERE search = ${words})::int AS same FROM message WHERE conversation_id = $1`;
    expect((await t.db.query(check, [first.conversationId])).rows).toEqual([{ n: 3, same: 3 }]);
    await t.db.query(`UPDATE message SET body = 'réverbère' WHERE conversation_id = $1 AND kind = 'note'`, [
      first.conversationId,
    ]);
    expect((await t.db.query(check, [first.conversationId])).rows).toEqual([{ n: 3, same: 3 }]);
  });

  it('threads the sender’s own reply by reference and by In-Reply-To', async () => {
    const first = await t.ingest.ingest(email('paul.roux@example.fr', 'Permis de construire'));
    const [{ reference }] = (await t.db.query(`SELECT reference FROM conversation WHERE id = $1`, [first.conversationId])).rows;
    const byRef = await t.ingest.ingest(email('Paul.Roux@Example.fr', `Re: [${reference.toLowerCase()}] Permis`));
    expect(byRef.conversationId).toBe(first.conversationId);
    const [{ external_id }] = (await t.db.query(`SELECT external_id FROM message WHERE id = $1`, [first.messageId])).rows;
    const byHeader = await t.ingest.ingest(
      email('paul.roux@example.fr', 'Re: sans référence', { thread: { inReplyTo: ['<inconnu@x>', external_id] } }),
    );
    expect(byHeader.conversationId).toBe(first.conversationId);
  });

  it('a citizen reply reopens a resolved conversation and marks it unread; an auto-reply does not', async () => {
    const first = await t.ingest.ingest(sms('06 44 55 66 77', 'Bonjour'));
    await t.db.query(`UPDATE conversation SET status = 'resolved', unread = false WHERE id = $1`, [first.conversationId]);
    const auto = await t.ingest.ingest(
      email('x@example.fr', 'x', {
        from: { kind: 'phone', value: '0644556677' },
        autoReply: true,
        thread: { conversationId: first.conversationId },
      }),
    );
    expect(auto.conversationId).toBe(first.conversationId);
    expect((await t.db.query(`SELECT status FROM conversation WHERE id = $1`, [first.conversationId])).rows[0].status).toBe(
      'resolved',
    );
    await t.ingest.ingest(
      sms('06 44 55 66 77', 'Finalement j’ai encore une question', { thread: { conversationId: first.conversationId } }),
    );
    const { rows } = await t.db.query(`SELECT status, unread FROM conversation WHERE id = $1`, [first.conversationId]);
    expect(rows[0]).toEqual({ status: 'open', unread: true });
  });

  it('a closed conversation is never reopened: the citizen gets a new one linked to it', async () => {
    const first = await t.ingest.ingest(sms('06 10 20 30 40', 'Bonjour'));
    await t.db.query(`UPDATE conversation SET status = 'closed' WHERE id = $1`, [first.conversationId]);
    const next = await t.ingest.ingest(sms('06 10 20 30 40', 'Re-bonjour', { thread: { conversationId: first.conversationId } }));
    expect(next.conversationId).not.toBe(first.conversationId);
    expect(
      (await t.db.query(`SELECT possibly_related_to_id FROM conversation WHERE id = $1`, [next.conversationId])).rows[0]
        .possibly_related_to_id,
    ).toBe(first.conversationId);
  });

  it('refuses an invalid sender and stores nothing', async () => {
    const before = await Promise.all(['contact', 'conversation', 'message'].map((x) => t.count(x)));
    await expect(t.ingest.ingest(sms('12', 'x'))).rejects.toThrow(/numéro de téléphone invalide/);
    await expect(t.ingest.ingest(sms('06 12 34 56 78', 'x', { channelId: randomUUID() }))).rejects.toThrow(/canal introuvable/);
    expect(await Promise.all(['contact', 'conversation', 'message'].map((x) => t.count(x)))).toEqual(before);
  });

  it('never adds identities given next to a sender to a citizen who already exists', async () => {
    const citizen = await t.ingest.ingest(email('deja.connue@example.fr', 'Première demande'));
    await t.ingest.ingest(
      email('deja.connue@example.fr', 'Seconde demande', { extraIdentities: [{ kind: 'phone', value: '06 01 02 03 04' }] }),
    );
    const { rows } = await t.db.query(`SELECT kind, value FROM contact_identity WHERE contact_id = $1`, [citizen.contactId]);
    expect(rows).toEqual([{ kind: 'email', value: 'deja.connue@example.fr' }]);
    // The number is no one's: an SMS from it opens its own file.
    const sms_ = await t.ingest.ingest(sms('06 01 02 03 04', 'Bonjour'));
    expect(sms_.contactId).not.toBe(citizen.contactId);
  });

  it('a typed sender never appends, even to its own citizen’s conversation named as proven', async () => {
    const first = await t.ingest.ingest({
      ...email('saisie@example.fr', 'Formulaire'),
      channelId: town.webform.id,
      sender: 'typed',
    });
    const second = await t.ingest.ingest({
      ...email('saisie@example.fr', 'Formulaire'),
      channelId: town.webform.id,
      sender: 'typed',
      thread: { conversationId: first.conversationId, latestOpen: true },
    });
    expect(second.contactId).toBe(first.contactId);
    expect(second.newConversation).toBe(true);
    expect(
      (await t.db.query(`SELECT possibly_related_to_id FROM conversation WHERE id = $1`, [second.conversationId])).rows[0]
        .possibly_related_to_id,
    ).toBe(first.conversationId);
  });

  it('sanitizes HTML bodies and derives the text when none is given', async () => {
    const r = await t.ingest.ingest(
      email('html@example.fr', 'HTML', { text: '', html: '<p>Bonjour <b>Madame</b></p><script>alert(1)</script>' }),
    );
    const { rows } = await t.db.query(`SELECT body, html_body FROM message WHERE id = $1`, [r.messageId]);
    expect(rows[0]).toEqual({ body: 'Bonjour Madame', html_body: '<p>Bonjour <b>Madame</b></p>' });
  });
});
