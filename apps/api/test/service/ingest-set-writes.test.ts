import { randomUUID } from 'node:crypto';
import { latestFileIngestSql } from '../../src/database/migrations/1765060000001-sms-thread-latest-file';
import { seedTown, startTestApp, type TestApp } from '../harness';

/**
 * guichet_ingest() writes a batch set-wise (IngestSetWrites1765081000000): the same batches go to it
 * in one town and to the loop it replaced (the previous definition, as a function of this session)
 * in another, and both towns must end the same, item by item and row by row. The batches are drawn
 * to make items depend on each other: a citizen twice, the same event twice, replies to a message
 * of the same batch, references taken by another item, extra and typed identities, tracking links,
 * closed and resolved files, late messages, names that change, two services. Then a few written
 * batches for what the draw may miss: a citizen's latest open file and name read after a flush that
 * another sender caused, for a citizen who writes by e-mail and by SMS.
 */
describe('guichet_ingest() writing a batch set-wise', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  it('decides and writes exactly as the loop that wrote each item on its own', async () => {
    await t.db.query(
      latestFileIngestSql().replace('CREATE FUNCTION guichet_ingest(', 'CREATE FUNCTION pg_temp.guichet_ingest_loop('),
    );
    const towns = await Promise.all(['A', 'B'].map(async (prefix) => ({ prefix, ...(await seedTown(t)) })));
    type Town = (typeof towns)[number];
    const fn = (town: Town) => (town.prefix === 'A' ? 'pg_temp.guichet_ingest_loop' : 'guichet_ingest');

    // A seeded generator: a failure replays the same batches.
    let seed = 20261201;
    const rand = () => {
      seed = (seed + 0x6d2b79f5) | 0;
      let x = Math.imul(seed ^ (seed >>> 15), 1 | seed);
      x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
      return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
    };
    const pick = <T>(a: T[]): T => a[Math.floor(rand() * a.length)]!;
    const chance = (p: number) => rand() < p;

    type Logical = Record<string, unknown> & {
      externalId: string;
      channel: 'sms' | 'email' | 'webform';
      team: 'etatCivil' | 'scolarite';
      key: string;
    };
    const phones = Array.from({ length: 5 }, (_, i) => `+3361000000${i}`);
    const emails = Array.from({ length: 5 }, (_, i) => `citoyen.${i}@exemple.fr`);
    const sent: Logical[] = [];
    const emailIds: string[] = [];
    const refs: string[] = [];
    let n = 0;
    let clock = Date.parse('2026-11-01T08:00:00Z');
    const candidates = (batchRefs: string[]) => {
      const own = [0, 1, 2].map(() => `R${++n}`);
      // A taken reference first (the next one is tried), or the same first one as another item.
      if (refs.length && chance(0.15)) own[0] = pick(refs);
      else if (batchRefs.length && chance(0.1)) own[0] = pick(batchRefs);
      refs.push(...own);
      batchRefs.push(own[0]!);
      return own;
    };
    // What every item carries; a quarter goes to another service (a name is read per service).
    const base = (batchRefs: string[]) => {
      clock += chance(0.1) ? -3_600_000 : 60_000;
      const at = new Date(clock).toISOString();
      const body = pick(['Bonjour, mon compteur fuit', 'Je passe demain ?', '<b>Acte</b> de naissance', 'Merci beaucoup']);
      return {
        team: chance(0.25) ? ('scolarite' as const) : ('etatCivil' as const),
        at,
        body,
        snippet: body.slice(0, 20),
        reopen: !chance(0.2),
        kind: 'message',
        html: null,
        meta: {},
        threadId: null,
        threadExternalIds: [] as string[],
        threadReference: null as string | null,
        latestOpen: false,
        extraIdentities: [] as { kind: string; value: string }[],
        subject: null as string | null,
        references: candidates(batchRefs),
        attachments: chance(0.2)
          ? [{ fileName: 'piece.pdf', contentType: 'application/pdf', size: 12, sha256: 'a'.repeat(64) }]
          : [],
      };
    };
    // Names change from message to message: a name read from the wrong file shows.
    const nameOf = (who: string) => `${pick(['Nom', 'Mme', 'M.'])} ${who}`;
    const draw = (batchRefs: string[], batch: Logical[]): Logical => {
      const common = base(batchRefs);
      const r = rand();
      if (r < 0.3) {
        const from = pick(phones);
        return {
          ...common,
          channel: 'sms',
          key: `phone:${from}`,
          sender: 'provider',
          fromKind: 'phone',
          fromValue: from,
          fromName: chance(0.3) ? nameOf(from.slice(-1)) : null,
          latestOpen: true,
          externalId: `SM${++n}`,
        };
      }
      if (r < 0.75) {
        const from = chance(0.9) ? pick(emails) : `nouveau.${++n}@exemple.fr`;
        const externalId = `<${++n}@exemple.fr>`;
        emailIds.push(externalId);
        return {
          ...common,
          channel: 'email',
          key: `email:${from}`,
          sender: 'provider',
          fromKind: 'email',
          fromValue: from,
          fromName: chance(0.7) ? nameOf(from.split('@')[0]!) : null,
          subject: 'Demande',
          threadExternalIds: chance(0.4) ? [pick(emailIds), `<absent${n}@exemple.fr>`] : [],
          threadReference: chance(0.2) && refs.length ? pick(refs) : null,
          extraIdentities: chance(0.2) ? [{ kind: 'phone', value: chance(0.5) ? pick(phones) : `+3362000${++n}` }] : [],
          externalId,
        };
      }
      if (r < 0.85) {
        const from = chance(0.6) ? pick(emails) : `forme.${++n}@exemple.fr`;
        return {
          ...common,
          channel: 'webform',
          key: `email:${from}`,
          sender: 'typed',
          fromKind: 'email',
          fromValue: from,
          fromName: 'Formulaire',
          subject: 'Formulaire',
          externalId: `form-${++n}`,
          threadReference: chance(0.3) && refs.length ? pick(refs) : null,
          extraIdentities: chance(0.5) ? [{ kind: 'phone', value: pick(phones) }] : [],
        };
      }
      if (r < 0.93 && sent.length) {
        // Tracking link: the file of an earlier message (resolved per town when sent).
        const of = chance(0.8) ? pick(sent).externalId : 'absent';
        return {
          ...common,
          channel: 'webform',
          key: `~${of}`,
          sender: 'tracking-link',
          fromKind: null,
          fromValue: null,
          fromName: null,
          trackOf: of,
          externalId: `track-${++n}`,
        };
      }
      // The same event again: from this batch or an earlier one.
      const again = batch.length && chance(0.5) ? batch : sent;
      return {
        ...(again.length
          ? pick(again)
          : {
              ...common,
              channel: 'sms',
              key: `phone:${phones[0]}`,
              sender: 'provider',
              fromKind: 'phone',
              fromValue: phones[0],
              fromName: null,
              latestOpen: true,
              externalId: `SM${++n}`,
            }),
      };
    };

    // Each town's items, and what a batch answers: its rows, or (after a failed batch, as the
    // group commit does) each item alone, its row or its error.
    const toItem = async (town: Town, l: Logical) => {
      const channel = town[l.channel];
      const { channel: _c, key: _k, team, trackOf, ...rest } = l as Logical & { trackOf?: string };
      let threadId: string | null = null;
      if (trackOf) {
        const { rows } = await t.db.query(`SELECT conversation_id FROM message WHERE organization_id = $1 AND external_id = $2`, [
          town.org.id,
          trackOf,
        ]);
        threadId = rows[0]?.conversation_id ?? randomUUID();
      }
      return {
        ...rest,
        threadId,
        organizationId: town.org.id,
        channelId: channel.id,
        channelKind: l.channel,
        teamId: town[team].id,
        references: (l.references as string[]).map((r) => `${town.prefix}-${r}`),
        threadReference: l.threadReference ? `${town.prefix}-${l.threadReference}` : null,
        attachments: (l.attachments as object[]).map((a) => ({ ...a, id: randomUUID() })),
      };
    };
    const canonical = (rows: Record<string, unknown>[]) =>
      [...rows]
        .sort((a, b) => Number(a.ord) - Number(b.ord))
        .map((r) => ({
          ...r,
          ...Object.fromEntries(
            ['message_id', 'id', 'organization_id', 'team_id', 'contact_id', 'possibly_related_to_id'].map((k) => [k, undefined]),
          ),
          reference: String(r.reference).slice(2),
        }));
    // Rows as the function answers them, the message named by its external id (ids differ per town).
    const answer = async (town: Town, items: object[]) => {
      const { rows } = await t.db.query(`SELECT * FROM ${fn(town)}($1::jsonb)`, [JSON.stringify(items)]);
      const ids = await t.db.query(`SELECT id, external_id FROM message WHERE id = ANY($1::uuid[])`, [
        rows.map((r) => r.message_id),
      ]);
      const external = new Map(ids.rows.map((r) => [r.id, r.external_id]));
      return canonical(rows.map((r) => ({ ...r, message: external.get(r.message_id) })));
    };
    const call = async (town: Town, items: object[]) => {
      try {
        return await answer(town, items);
      } catch {
        const alone = [];
        for (const item of items) {
          try {
            alone.push(await answer(town, [item]));
          } catch (e) {
            alone.push((e as { code?: string }).code);
          }
        }
        return { alone };
      }
    };

    const state = async (town: Town) => {
      const q = async (sql: string) => (await t.db.query(sql, [town.org.id])).rows;
      const ident = `(SELECT string_agg(i.kind || ':' || i.value, ',' ORDER BY i.kind, i.value) FROM contact_identity i WHERE i.contact_id = k.id)`;
      return {
        conversations: await q(`
          SELECT substr(c.reference, 3) AS reference, (SELECT t.name FROM team t WHERE t.id = c.team_id) AS team, c.status, c.subject, c.snippet, c.last_channel_kind, c.citizen_name,
                 c.unread, c.version, c.created_at, c.last_message_at, c.last_inbound_at, c.resolved_at, c.snoozed_until,
                 substr(r.reference, 3) AS related, ${ident} AS contact, c.messages_search::text AS words,
                 (SELECT string_agg(i.kind || ':' || i.value, ',' ORDER BY i.kind, i.value) FROM contact_identity i
                   WHERE i.id = ANY(c.identity_ids)) AS identities, cardinality(c.identity_ids) AS n_identities
            FROM conversation c JOIN contact k ON k.id = c.contact_id LEFT JOIN conversation r ON r.id = c.possibly_related_to_id
           WHERE c.organization_id = $1 ORDER BY c.reference`),
        messages: await q(`
          SELECT m.external_id, substr(c.reference, 3) AS reference, m.body, m.kind, m.direction, m.status, m.created_at,
                 m.search::text AS words, m.meta, (SELECT count(*)::int FROM attachment a WHERE a.message_id = m.id) AS files
            FROM message m JOIN conversation c ON c.id = m.conversation_id WHERE m.organization_id = $1 ORDER BY m.external_id`),
        contacts: await q(`SELECT k.name, ${ident} AS identities FROM contact k WHERE k.organization_id = $1 ORDER BY 2, 1`),
        counters: await q(`
          SELECT t.name, n.status, n.assignee_id IS NULL AS unassigned, sum(n.n)::int AS n FROM conversation_count n
            JOIN team t ON t.id = n.team_id WHERE n.organization_id = $1 GROUP BY 1, 2, 3 HAVING sum(n.n) <> 0 ORDER BY 1, 2, 3`),
      };
    };

    let failed = 0;
    // One batch into both towns, sorted as the service sorts a batch (by sender, stable): the same answers.
    const replay = async (b: number | string, logical: Logical[]) => {
      const ordered = logical
        .map((l, i) => ({ l, i }))
        .sort((x, y) => (x.l.key < y.l.key ? -1 : x.l.key > y.l.key ? 1 : x.i - y.i));
      const answers = [];
      for (const town of towns) answers.push(await call(town, await Promise.all(ordered.map((o) => toItem(town, o.l)))));
      expect({ batch: b, answer: answers[1] }).toEqual({ batch: b, answer: answers[0] });
      if ('alone' in (answers[0] as object)) failed++;
      sent.push(...logical);
    };
    for (let b = 0; b < 60; b++) {
      const batchRefs: string[] = [];
      const logical: Logical[] = [];
      for (let i = 1 + Math.floor(rand() * 8); i > 0; i--) logical.push(draw(batchRefs, logical));
      await replay(b, logical);
      // Agents close or resolve a file now and then, the same one in both towns.
      if (refs.length && chance(0.3)) {
        const ref = pick(refs);
        const status = pick(['closed', 'resolved', 'pending']);
        for (const town of towns)
          await t.db.query(`UPDATE conversation SET status = $2 WHERE reference = $1`, [`${town.prefix}-${ref}`, status]);
      }
    }

    // Batches the draw may miss: reads of a citizen's files once the batch holds an item of theirs.
    // « Pont » writes by e-mail and by SMS (the phone given beside the first mail), at increasing times.
    const PONT = '+33610000099';
    const at = () => new Date((clock += 60_000)).toISOString();
    const email = (fromName: string | null, team: Logical['team'] = 'etatCivil', extra = false): Logical => ({
      ...base([]),
      at: at(),
      reopen: true,
      attachments: [],
      team,
      channel: 'email',
      key: 'email:pont@exemple.fr',
      sender: 'provider',
      fromKind: 'email',
      fromValue: 'pont@exemple.fr',
      fromName,
      subject: 'Demande',
      extraIdentities: extra ? [{ kind: 'phone', value: PONT }] : [],
      externalId: `<${++n}@exemple.fr>`,
    });
    const sms = (): Logical => ({
      ...base([]),
      at: at(),
      reopen: true,
      attachments: [],
      team: 'etatCivil',
      channel: 'sms',
      key: `phone:${PONT}`,
      sender: 'provider',
      fromKind: 'phone',
      fromValue: PONT,
      fromName: null,
      latestOpen: true,
      externalId: `SM${++n}`,
    });
    // A form from a new sender whose key sorts between Pont's two: it flushes the batch before its reads.
    const form = (): Logical => ({
      ...base([]),
      at: at(),
      team: 'etatCivil',
      channel: 'webform',
      key: 'email:zz.forme@exemple.fr',
      sender: 'typed',
      fromKind: 'email',
      fromValue: 'zz.forme@exemple.fr',
      fromName: 'Formulaire',
      subject: 'Formulaire',
      externalId: `form-${++n}`,
    });
    await replay('pont: first mail, with the phone', [email('Mme Pont', 'etatCivil', true)]);
    await replay('pont: an SMS to that file', [sms()]);
    // The SMS goes to the file the mail opens in the same batch, although a flush came between them.
    await replay('pont: mail, form, SMS', [email('Mme Pont'), form(), sms()]);
    // The second mail's file takes the name the first one gives in the same batch.
    await replay('pont: named mail, unnamed mail', [email('M. Pont'), email(null)]);
    await replay('pont: a mail to another service', [email('Pont Scolarité', 'scolarite')]);
    // The name of the latest file of this service, not of the other one.
    await replay('pont: unnamed mail', [email(null)]);
    for (const town of towns)
      await t.db.query(
        `UPDATE conversation SET status = 'resolved'
          WHERE contact_id = (SELECT contact_id FROM contact_identity WHERE organization_id = $1 AND kind = 'phone' AND value = $2)`,
        [town.org.id, PONT],
      );
    // No file in progress: a new file, related to the latest one and named after it.
    await replay('pont: SMS after resolution', [sms()]);
    await replay('pont: two SMS and a mail elsewhere', [sms(), sms(), email(null, 'scolarite')]);

    const [a, b] = [await state(towns[0]!), await state(towns[1]!)];
    expect(b).toEqual(a);
    // The draw reached what it is for: appends, several files, duplicates, failed batches retried alone.
    expect(a.messages.length).toBeGreaterThan(150);
    expect(a.conversations.length).toBeLessThan(a.messages.length);
    expect(a.conversations.some((c) => c.related)).toBe(true);
    expect(failed).toBeGreaterThan(0);
    // Each file says exactly whether its citizen's current name differs from the file's (the search
    // probes the citizen only then), new citizens of the batch included.
    const { rows: flags } = await t.db.query(
      `SELECT c.reference, c.contact_name_differs AS flag, c.citizen_name IS DISTINCT FROM k.name AS differs
         FROM conversation c JOIN contact k ON k.id = c.contact_id
        WHERE c.organization_id = $1 ORDER BY c.reference`,
      [towns[1]!.org.id],
    );
    expect(flags.filter((f) => f.flag !== f.differs)).toEqual([]);
    expect(flags.filter((f) => !f.differs).length).toBeGreaterThan(10);
  });
});
