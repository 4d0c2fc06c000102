import { randomUUID } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from 'pg';
import type { ConversationDto } from '@guichet/contracts';
import { connectRecording, expectEventually } from '@guichet/testing';
import { RETENTION_BATCH, RetentionService } from '../../src/modules/privacy/retention.service';
import { blobsHolding, columnsHolding, seedTown, startTestApp, type TestApp } from '../harness';

/** Every file under the blob directory (names are the blobs' sha256). */
function blobFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    let entries: import('node:fs').Dirent[];
    try {
      entries = readdirSync(d, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) (e.isDirectory() ? walk : (p: string) => out.push(p.split('/').pop()!))(join(d, e.name));
  };
  walk(dir);
  return out;
}

/**
 * Retention (RGPD, issue 16): rules per service and request type, and the run that anonymizes or
 * deletes finished conversations past them, on a real database, with time travel (resolved_at set
 * in the past), never sleeps.
 */
describe('retention and anonymization', () => {
  let t: TestApp;
  let town: Awaited<ReturnType<typeof seedTown>>;

  const citizenWrites = async (o: {
    email?: string;
    name?: string;
    subject: string;
    text: string;
    pdf?: string;
    teamId?: string;
  }) =>
    t.ingest.ingest(
      {
        channelId: town.webform.id,
        externalId: randomUUID(),
        from: { kind: 'email', value: o.email ?? `${randomUUID().slice(0, 8)}@example.fr`, name: o.name ?? 'Honorine Vasseur' },
        subject: o.subject,
        text: o.text,
        attachments: o.pdf
          ? [{ fileName: 'justificatif.pdf', contentType: 'application/pdf', content: Buffer.from(`%PDF-1.4 ${o.pdf}`) }]
          : undefined,
      },
      { teamId: o.teamId ?? town.etatCivil.id },
    );

  /** Time travel: the conversation was resolved `days` ago. */
  const resolvedDaysAgo = (id: string, days: number) =>
    t.db.query(`UPDATE conversation SET status = 'resolved', resolved_at = now() - make_interval(days => $2) WHERE id = $1`, [
      id,
      days,
    ]);

  const search = async (q: string) =>
    (await t.http('GET', `/api/v1/conversations?q=${encodeURIComponent(q)}`, { token: town.admin.token })).body.items as {
      id: string;
    }[];

  const putRules = (rules: object[], token = town.admin.token, extra: object = {}) =>
    t.http('PUT', '/api/v1/retention-rules', { token, body: { rules, ...extra } });

  beforeAll(async () => {
    t = await startTestApp();
    town = await seedTown(t);
  });
  afterAll(() => t.close());

  it('admins set the rules; bad rules are a 400 with reasons, agents are refused', async () => {
    const ok = await putRules(
      [
        { durationDays: 90, legalBasis: 'Mission de service public (art. 6-1-e RGPD)', purpose: 'Répondre aux demandes' },
        {
          teamId: town.scolarite.id,
          durationDays: 365,
          legalBasis: 'Mission de service public',
          purpose: 'Inscriptions scolaires',
          action: 'delete',
        },
      ],
      town.admin.token,
      { auditRetentionMonths: 12 },
    );
    expect(ok.status).toBe(200);
    expect(ok.body.auditRetentionMonths).toBe(12);
    expect(ok.body.rules).toEqual([
      expect.objectContaining({ teamId: null, durationDays: 90, action: 'anonymize' }),
      expect.objectContaining({ teamId: town.scolarite.id, teamName: 'Scolarité', durationDays: 365, action: 'delete' }),
    ]);
    const bad = await putRules([{ teamId: randomUUID(), durationDays: 0, legalBasis: '', purpose: 'x' }]);
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body)).toMatch(/au moins un jour/);
    const unknownTeam = await putRules([{ teamId: randomUUID(), durationDays: 30, legalBasis: 'Loi', purpose: 'x' }]);
    expect(unknownTeam.status).toBe(400);
    expect(JSON.stringify(unknownTeam.body)).toMatch(/service inconnu/);
    expect((await putRules([], town.agentEC.token)).status).toBe(403);
    expect((await t.http('GET', '/api/v1/retention-rules', { token: town.supervisor.token })).status).toBe(200);
    expect((await t.http('POST', '/api/v1/retention/run', { token: town.supervisor.token })).status).toBe(403);
  });

  it('anonymizes conversations past their rule: nothing found by search, blobs gone, statistics kept, idempotent', async () => {
    const word = `xylophone${randomUUID().slice(0, 6)}`;
    const name = `Zéphyrine Quintal${randomUUID().slice(0, 4)}`;
    const email = `${randomUUID().slice(0, 8)}@exemple.fr`;
    const old = await citizenWrites({ email, name, subject: `Acte ${word}`, text: `Mon ${word} est cassé`, pdf: word });
    await t.http('POST', `/api/v1/conversations/${old.conversationId}/messages`, {
      token: town.agentEC.token,
      body: {
        kind: 'note',
        body: `Note interne ${word}`,
        version: (await t.http('GET', `/api/v1/conversations/${old.conversationId}`, { token: town.agentEC.token })).body.version,
      },
    });
    const call = await t.http('POST', `/api/v1/conversations/${old.conversationId}/calls`, {
      token: town.agentEC.token,
      body: { direction: 'inbound', kind: 'phone', durationSeconds: 120, note: `Appel ${word}` },
    });
    expect(call.status).toBe(201);
    const { rows: atts } = await t.db.query(
      `SELECT a.sha256 FROM attachment a JOIN message m ON m.id = a.message_id WHERE m.conversation_id = $1`,
      [old.conversationId],
    );
    expect(atts).toHaveLength(1);
    expect(blobFiles(t.config.blobDir)).toContain(atts[0].sha256);
    // A recent one of the same service and a held one stay as they are.
    const recent = await citizenWrites({ subject: `Récent ${word}`, text: 'Bonjour' });
    await resolvedDaysAgo(recent.conversationId, 10);
    const held = await citizenWrites({ subject: `Contentieux ${word}`, text: 'Recours' });
    await resolvedDaysAgo(held.conversationId, 400);
    const hold = await t.http('PUT', `/api/v1/conversations/${held.conversationId}/legal-hold`, {
      token: town.supervisor.token,
      body: { reason: 'Recours contentieux en cours (tribunal administratif)' },
    });
    expect(hold.status).toBe(200);
    expect((await search(word)).length).toBe(3);

    const { rows: before } = await t.db.query(
      `SELECT reference, status, team_id, created_at, last_channel_kind, request_type_id, due_at FROM conversation WHERE id = $1`,
      [old.conversationId],
    );
    await resolvedDaysAgo(old.conversationId, 91);
    // The citizen answered the satisfaction survey with a comment (free text: personal).
    await t.db.query(
      `INSERT INTO satisfaction_survey (organization_id, conversation_id, status, send_at, sent_at, expires_at, answered_at, score, comment)
       VALUES ($1, $2, 'answered', now(), now(), now() + interval '30 days', now(), 7, $3)`,
      [town.org.id, old.conversationId, `Merci ${name}`],
    );

    const run = await t.http('POST', '/api/v1/retention/run', { token: town.admin.token });
    expect(run.status).toBe(200);
    expect(run.body).toMatchObject({ anonymized: 1, deleted: 0, contactsAnonymized: 1 });

    // Search finds none of it, by word, by name or by e-mail; the others are still there.
    expect((await search(word)).map((c) => c.id).sort()).toEqual([recent.conversationId, held.conversationId].sort());
    expect((await search(name)).map((c) => c.id)).not.toContain(old.conversationId);
    const { rows: contactHits } = await t.db.query(
      `SELECT 1 FROM contact WHERE organization_id = $1 AND (name = $2 OR search @@ plainto_tsquery('guichet_fr', $2))`,
      [town.org.id, name],
    );
    expect(contactHits).toEqual([]);
    expect((await t.db.query(`SELECT 1 FROM contact_identity WHERE value = $1`, [email])).rows).toEqual([]);
    // The blob directory no longer holds the file.
    expect(blobFiles(t.config.blobDir)).not.toContain(atts[0].sha256);
    // Nothing personal is left in the rows; what reports count is.
    const { rows: msgs } = await t.db.query(`SELECT kind, body, html_body, meta FROM message WHERE conversation_id = $1`, [
      old.conversationId,
    ]);
    expect(msgs.length).toBeGreaterThanOrEqual(3);
    for (const m of msgs) {
      expect(m.body).toBe('');
      expect(m.html_body).toBeNull();
      expect(JSON.stringify(m.meta ?? {})).not.toContain(word);
    }
    expect(msgs.find((m) => m.kind === 'call').meta.call).toMatchObject({ durationSeconds: 120 });
    // The survey's score stays for the reports, its comment goes.
    const { rows: survey } = await t.db.query(`SELECT score, comment FROM satisfaction_survey WHERE conversation_id = $1`, [
      old.conversationId,
    ]);
    expect(survey).toEqual([{ score: 7, comment: null }]);
    const { rows: after } = await t.db.query(
      `SELECT reference, status, team_id, created_at, last_channel_kind, request_type_id, due_at, subject, snippet, citizen_name,
              identity_ids, contact_id, anonymized_at, search_doc::text AS doc FROM conversation WHERE id = $1`,
      [old.conversationId],
    );
    expect(after[0]).toMatchObject({ ...before[0], status: 'resolved', subject: null, snippet: null, citizen_name: null });
    expect(after[0].identity_ids).toEqual([]);
    expect(after[0].anonymized_at).not.toBeNull();
    expect(after[0].doc).not.toContain(word.toLowerCase());
    expect(after[0].contact_id).not.toBe(old.contactId);
    const { rows: contact } = await t.db.query(`SELECT name, anonymized_at FROM contact WHERE id = $1`, [old.contactId]);
    expect(contact[0].name).toBeNull();
    expect(contact[0].anonymized_at).not.toBeNull();
    // The run is in the audit.
    const { rows: audit } = await t.db.query(
      `SELECT action, contact_id FROM audit_event WHERE conversation_id = $1 AND action = 'conversation.anonymized'`,
      [old.conversationId],
    );
    expect(audit).toEqual([{ action: 'conversation.anonymized', contact_id: old.contactId }]);
    // Held: untouched until the hold is lifted.
    const { rows: heldRow } = await t.db.query(`SELECT subject, anonymized_at FROM conversation WHERE id = $1`, [
      held.conversationId,
    ]);
    expect(heldRow[0]).toEqual({ subject: `Contentieux ${word}`, anonymized_at: null });

    // A second run has nothing left to do.
    const again = await t.http('POST', '/api/v1/retention/run', { token: town.admin.token });
    expect(again.body).toMatchObject({ anonymized: 0, deleted: 0, contactsAnonymized: 0 });

    expect(
      (await t.http('DELETE', `/api/v1/conversations/${held.conversationId}/legal-hold`, { token: town.supervisor.token }))
        .status,
    ).toBe(200);
    const lifted = await t.http('POST', '/api/v1/retention/run', { token: town.admin.token });
    expect(lifted.body).toMatchObject({ anonymized: 1 });
    expect((await search(word)).map((c) => c.id)).toEqual([recent.conversationId]);
  });

  it('leaves nothing of the file in any column of any table, nor in the blob directory', async () => {
    const word = `quetzal${randomUUID().slice(0, 8)}`;
    const name = `Anatole Brisquet${randomUUID().slice(0, 4)}`;
    const email = `${word}@exemple.fr`;
    const old = await citizenWrites({ email, name, subject: `Demande ${word}`, text: `Mon dossier ${word}`, pdf: word });
    const version = async () =>
      (await t.http('GET', `/api/v1/conversations/${old.conversationId}`, { token: town.agentEC.token })).body.version;
    for (const kind of ['reply', 'note'] as const)
      expect(
        (
          await t.http('POST', `/api/v1/conversations/${old.conversationId}/messages`, {
            token: town.agentEC.token,
            body: { kind, body: `Réponse ${word}`, version: await version() },
          })
        ).status,
      ).toBe(201);
    await t.http('POST', `/api/v1/conversations/${old.conversationId}/calls`, {
      token: town.agentEC.token,
      body: { direction: 'inbound', kind: 'phone', durationSeconds: 60, note: `Appel ${word}` },
    });
    // The reply is sent (its outbound job done) before the file is old enough.
    await expectEventually(async () => {
      const { rows } = await t.db.query(
        `SELECT status FROM message WHERE conversation_id = $1 AND direction = 'outbound' AND body LIKE 'Réponse%'`,
        [old.conversationId],
      );
      expect(rows.length).toBeGreaterThan(0);
      expect(rows.filter((r) => r.status !== 'sent')).toEqual([]);
    });
    expect(await blobsHolding(t, [word])).not.toEqual([]);
    await resolvedDaysAgo(old.conversationId, 91);
    expect((await t.http('POST', '/api/v1/retention/run', { token: town.admin.token })).body).toMatchObject({ anonymized: 1 });

    // Every column of every table (the job queue's too), and every file of the blob store.
    expect(await columnsHolding(t, [word, name, email])).toEqual([]);
    expect(await blobsHolding(t, [word])).toEqual([]);
  });

  it('a citizen with another conversation still in progress keeps their name and identities', async () => {
    const email = `${randomUUID().slice(0, 8)}@exemple.fr`;
    const first = await citizenWrites({ email, name: 'Anselme Borodine', subject: 'Première demande', text: 'Un' });
    await resolvedDaysAgo(first.conversationId, 200);
    // Another file of the same citizen, still in progress (an agent opened it from a phone call).
    await t.db.query(
      `INSERT INTO conversation (organization_id, reference, contact_id, team_id, status, subject)
       VALUES ($1, 'GU-' || upper(substr(md5(random()::text), 1, 8)), $2, $3, 'open', 'Deuxième demande')`,
      [town.org.id, first.contactId, town.etatCivil.id],
    );
    const run = await t.http('POST', '/api/v1/retention/run', { token: town.admin.token });
    expect(run.body).toMatchObject({ anonymized: 1, contactsAnonymized: 0 });
    const { rows } = await t.db.query(`SELECT name, anonymized_at FROM contact WHERE id = $1`, [first.contactId]);
    expect(rows[0]).toEqual({ name: 'Anselme Borodine', anonymized_at: null });
    expect((await t.db.query(`SELECT 1 FROM contact_identity WHERE value = $1`, [email])).rows).toHaveLength(1);
  });

  it('the most specific rule wins: a service rule that deletes, a request-type rule that keeps longer', async () => {
    const type = await t.http('POST', '/api/v1/request-types', {
      token: town.admin.token,
      body: { teamId: town.scolarite.id, name: `Inscription ${randomUUID().slice(0, 4)}`, decisionRegime: 'none' },
    });
    expect(type.status).toBe(201);
    const rules = [
      { durationDays: 90, legalBasis: 'Mission de service public', purpose: 'Répondre aux demandes' },
      { teamId: town.scolarite.id, durationDays: 30, legalBasis: 'Mission', purpose: 'Scolarité', action: 'delete' },
      {
        teamId: town.scolarite.id,
        requestTypeId: type.body.id,
        durationDays: 3650,
        legalBasis: 'Archives (instruction DAF/DPACI)',
        purpose: 'Dossiers scolaires',
      },
    ];
    expect((await putRules(rules)).status).toBe(200);
    const plain = await citizenWrites({ subject: 'Cantine', text: 'Menu', teamId: town.scolarite.id, pdf: 'cantine' });
    const typed = await citizenWrites({ subject: 'Inscription', text: 'CP', teamId: town.scolarite.id });
    await t.db.query(`UPDATE conversation SET request_type_id = $2 WHERE id = $1`, [typed.conversationId, type.body.id]);
    await resolvedDaysAgo(plain.conversationId, 31);
    await resolvedDaysAgo(typed.conversationId, 400);
    // An agent of the service with the inbox open, and one of another service.
    const sco = await connectRecording(t.url, town.agentSco.token);
    const ec = await connectRecording(t.url, town.agentEC.token);
    const run = await t.http('POST', '/api/v1/retention/run', { token: town.admin.token });
    expect(run.body).toMatchObject({ deleted: 1, anonymized: 0 });
    // Her screen drops it from its lists and counters; the other service never heard of it.
    await expectEventually(() =>
      expect(sco.of<ConversationDto>('conversation.deleted').map((c) => c.id)).toEqual([plain.conversationId]),
    );
    expect(ec.of('conversation.deleted')).toEqual([]);
    sco.close();
    ec.close();
    expect((await t.db.query(`SELECT 1 FROM conversation WHERE id = $1`, [plain.conversationId])).rows).toEqual([]);
    expect((await t.db.query(`SELECT subject FROM conversation WHERE id = $1`, [typed.conversationId])).rows).toEqual([
      { subject: 'Inscription' },
    ]);
    const { rows: audit } = await t.db.query(`SELECT action FROM audit_event WHERE conversation_id = $1`, [plain.conversationId]);
    expect(audit.map((a) => a.action)).toContain('conversation.deleted');
  });

  it('takes the citizen’s identity lock as the ingest does: a file reopened meanwhile is left as it is', async () => {
    expect(
      (await putRules([{ durationDays: 90, legalBasis: 'Mission de service public', purpose: 'Répondre aux demandes' }])).status,
    ).toBe(200);
    const email = `${randomUUID().slice(0, 8)}@exemple.fr`;
    const old = await citizenWrites({ email, subject: 'Vieille demande rouverte', text: 'Je reviens vers vous' });
    await resolvedDaysAgo(old.conversationId, 400);
    // Another connection plays the ingest's part: the sender's identity lock, then the reopening.
    const ingest = new Client({ connectionString: t.config.databaseUrl });
    await ingest.connect();
    try {
      await ingest.query('BEGIN');
      await ingest.query(`SELECT guichet_lock_identity($1, 'email', $2)`, [town.org.id, email]);
      const running = t.http('POST', '/api/v1/retention/run', { token: town.admin.token });
      // The run waits for that lock before it touches the file.
      await expectEventually(async () => {
        const { rows } = await t.db.query(
          `SELECT count(*)::int AS n FROM pg_locks WHERE locktype = 'advisory' AND NOT granted AND database =
             (SELECT oid FROM pg_database WHERE datname = current_database())`,
        );
        expect(rows[0].n).toBeGreaterThan(0);
      });
      await ingest.query(`UPDATE conversation SET status = 'open', resolved_at = NULL WHERE id = $1`, [old.conversationId]);
      await ingest.query('COMMIT');
      const run = await running;
      expect(run.status).toBe(200);
    } finally {
      await ingest.end();
    }
    const { rows } = await t.db.query(`SELECT subject, anonymized_at, contact_id FROM conversation WHERE id = $1`, [
      old.conversationId,
    ]);
    expect(rows[0]).toEqual({ subject: 'Vieille demande rouverte', anonymized_at: null, contact_id: old.contactId });
    expect((await t.db.query(`SELECT 1 FROM contact_identity WHERE value = $1`, [email])).rows).toHaveLength(1);
  });

  it('anonymizes the registrants of municipal events ended longer ago than the organization’s period (90 days by default)', async () => {
    const org = await t.newOrganization();
    const team = await t.newTeam(org.id, 'Vie culturelle');
    const admin = await t.newAgent({ organizationId: org.id, role: 'admin' });
    const contact = await t.db.query(`INSERT INTO contact (organization_id, name) VALUES ($1, 'Léonie Ferrand') RETURNING id`, [
      org.id,
    ]);
    const event = async (title: string, endedDaysAgo: number) => {
      const { rows } = await t.db.query(
        `WITH e AS (
           INSERT INTO municipal_event (organization_id, team_id, title, place, starts_at, ends_at, capacity, booked_places)
           VALUES ($1, $2, $3, 'Salle des fêtes', now() - make_interval(days => $4) - interval '2 hours',
                   now() - make_interval(days => $4), 50, 3)
         RETURNING id, organization_id, starts_at, ends_at, capacity, waitlist_capacity, booked_places)
       INSERT INTO municipal_event_session (id, organization_id, event_id, starts_at, ends_at, capacity, waitlist_capacity, booked_places)
       SELECT id, organization_id, id, starts_at, ends_at, capacity, waitlist_capacity, booked_places FROM e RETURNING id`,
        [org.id, team.id, title, endedDaysAgo],
      );
      const id = rows[0].id as string;
      await t.db.query(
        `INSERT INTO municipal_event_registration (organization_id, event_id, session_id, name, email, phone, places, answers,
                                                   status, checked_in_at, contact_id)
         VALUES ($1, $2, $2, 'Léonie Ferrand', 'leonie.ferrand@example.fr', '+33612345678', 2, '{"regime": "sans gluten"}',
                 'confirmed', now() - make_interval(days => $3), $4),
                ($1, $2, $2, 'Bastien Roux', 'bastien.roux@example.fr', NULL, 1, '{}', 'cancelled', NULL, NULL)`,
        [org.id, id, endedDaysAgo, contact.rows[0].id],
      );
      return id;
    };
    const concert = await event('Concert de printemps', 100);
    const bal = await event('Bal du 14 juillet', 10);
    const registrants = async (eventId: string) =>
      (
        await t.db.query(
          `SELECT name, email, phone, answers, contact_id, places, status, checked_in_at IS NOT NULL AS came,
                  anonymized_at IS NOT NULL AS anonymized
             FROM municipal_event_registration WHERE event_id = $1 ORDER BY places DESC`,
          [eventId],
        )
      ).rows;

    const settings = await t.http('GET', '/api/v1/retention-rules', { token: admin.token });
    expect(settings.body.eventRegistrationRetentionDays).toBe(90);
    const run = await t.http('POST', '/api/v1/retention/run', { token: admin.token });
    expect(run.body).toMatchObject({ registrationsAnonymized: 2 });
    // What counts stays (places, status, who came); who they were goes.
    expect(await registrants(concert)).toEqual([
      {
        name: '',
        email: null,
        phone: null,
        answers: {},
        contact_id: null,
        places: 2,
        status: 'confirmed',
        came: true,
        anonymized: true,
      },
      {
        name: '',
        email: null,
        phone: null,
        answers: {},
        contact_id: null,
        places: 1,
        status: 'cancelled',
        came: false,
        anonymized: true,
      },
    ]);
    expect((await registrants(bal)).map((r) => [r.name, r.anonymized])).toEqual([
      ['Léonie Ferrand', false],
      ['Bastien Roux', false],
    ]);
    const { rows: audit } = await t.db.query(
      `SELECT agent_id, data FROM audit_event WHERE organization_id = $1 AND action = 'municipal_event.registrants_anonymized'`,
      [org.id],
    );
    expect(audit).toEqual([{ agent_id: admin.id, data: { eventId: concert, title: 'Concert de printemps', registrations: 2 } }]);
    // Idempotent; a shorter period set by the admin reaches the other event.
    expect((await t.http('POST', '/api/v1/retention/run', { token: admin.token })).body.registrationsAnonymized).toBe(0);
    const put = await t.http('PUT', '/api/v1/retention-rules', {
      token: admin.token,
      body: { rules: [], eventRegistrationRetentionDays: 7 },
    });
    expect(put.body.eventRegistrationRetentionDays).toBe(7);
    expect((await t.http('POST', '/api/v1/retention/run', { token: admin.token })).body.registrationsAnonymized).toBe(2);
    expect((await registrants(bal)).every((r) => r.anonymized && r.email === null)).toBe(true);
    const bad = await t.http('PUT', '/api/v1/retention-rules', {
      token: admin.token,
      body: { rules: [], eventRegistrationRetentionDays: 0 },
    });
    expect(bad.status).toBe(400);
  });

  it('runs in bounded batches: more conversations than a batch are all anonymized in one run', async () => {
    const org = await t.newOrganization();
    const team = await t.newTeam(org.id, 'Accueil');
    const admin = await t.newAgent({ organizationId: org.id, role: 'admin' });
    const n = RETENTION_BATCH + 7;
    await t.db.query(
      `WITH c AS (INSERT INTO contact (organization_id, name) SELECT $1, 'Citoyen ' || g FROM generate_series(1, $3) g RETURNING id)
       INSERT INTO conversation (organization_id, reference, contact_id, team_id, status, subject, resolved_at)
       SELECT $1, 'GU-' || upper(substr(md5(random()::text), 1, 8)), id, $2, 'closed', 'Sujet privé', now() - interval '2 days' FROM c`,
      [org.id, team.id, n],
    );
    expect(
      (
        await t.http('PUT', '/api/v1/retention-rules', {
          token: admin.token,
          body: { rules: [{ durationDays: 1, legalBasis: 'Loi', purpose: 'Accueil' }] },
        })
      ).status,
    ).toBe(200);
    const run = await t.http('POST', '/api/v1/retention/run', { token: admin.token });
    expect(run.body).toMatchObject({ anonymized: n, contactsAnonymized: n });
    const { rows } = await t.db.query(
      `SELECT count(*)::int AS n FROM conversation WHERE organization_id = $1 AND anonymized_at IS NULL`,
      [org.id],
    );
    expect(rows[0].n).toBe(0);
  });

  it('purges audit events older than the organization’s period', async () => {
    const org = await t.newOrganization();
    const admin = await t.newAgent({ organizationId: org.id, role: 'admin' });
    await t.db.query(
      `INSERT INTO audit_event (organization_id, agent_id, action, created_at)
       VALUES ($1, $2, 'contact.viewed', now() - interval '13 months'), ($1, $2, 'contact.viewed', now() - interval '11 months')`,
      [org.id, admin.id],
    );
    const run = await t.http('POST', '/api/v1/retention/run', { token: admin.token });
    expect(run.body.auditEventsPurged).toBeGreaterThanOrEqual(1);
    const { rows } = await t.db.query(
      `SELECT count(*)::int AS n FROM audit_event WHERE organization_id = $1 AND action = 'contact.viewed'`,
      [org.id],
    );
    expect(rows[0].n).toBe(1);
  });

  // Last of the file: the nightly run works for every organization of the database.
  it('the nightly run writes, per organization, what it removed by rule, with the run’s id on each file’s event', async () => {
    const org = await t.newOrganization();
    const accueil = await t.newTeam(org.id, 'Accueil');
    const urbanisme = await t.newTeam(org.id, 'Urbanisme');
    const admin = await t.newAgent({ organizationId: org.id, role: 'admin' });
    const form = await t.newChannel({ organizationId: org.id, teamId: accueil.id, kind: 'webform' });
    const put = await putRules(
      [
        { durationDays: 90, legalBasis: 'Mission de service public', purpose: 'Accueil' },
        { teamId: urbanisme.id, durationDays: 30, legalBasis: 'Code de l’urbanisme', purpose: 'Permis', action: 'delete' },
      ],
      admin.token,
    );
    expect(put.status).toBe(200);
    const ruleOf = (teamId: string | null) => put.body.rules.find((r: { teamId: string | null }) => r.teamId === teamId).id;
    const file = async (teamId: string, days: number) => {
      const r = await t.ingest.ingest(
        {
          channelId: form.id,
          externalId: randomUUID(),
          from: { kind: 'email', value: `${randomUUID().slice(0, 8)}@exemple.fr`, name: 'Usager' },
          subject: 'Demande',
          text: 'Bonjour',
        },
        { teamId },
      );
      await resolvedDaysAgo(r.conversationId, days);
      return r.conversationId;
    };
    const ids = [await file(accueil.id, 100), await file(accueil.id, 120), await file(urbanisme.id, 40)];
    await file(accueil.id, 10);
    await t.db.query(
      `INSERT INTO audit_event (organization_id, agent_id, action, created_at) VALUES ($1, $2, 'contact.viewed', now() - interval '13 months')`,
      [org.id, admin.id],
    );

    await t.app.get(RetentionService).run({ organizationId: null, agentId: null });

    const { rows: summaries } = await t.db.query(
      `SELECT agent_id, ip, session_id, data FROM audit_event WHERE organization_id = $1 AND action = 'audit.purged'`,
      [org.id],
    );
    expect(summaries).toHaveLength(1);
    const [summary] = summaries;
    expect(summary).toMatchObject({ agent_id: null, ip: null, session_id: null });
    expect(summary.data).toMatchObject({
      runId: expect.stringMatching(/^[0-9a-f-]{36}$/),
      conversationsAnonymized: 2,
      conversationsDeleted: 1,
      auditEventsPurged: 1,
      quarantinedMailsPurged: 0,
      batches: 1,
    });
    expect(summary.data.rules).toEqual(
      expect.arrayContaining([
        { ruleId: ruleOf(null), anonymized: 2, deleted: 0 },
        { ruleId: ruleOf(urbanisme.id), anonymized: 0, deleted: 1 },
      ]),
    );
    expect(summary.data.rules).toHaveLength(2);
    const { rows: perFile } = await t.db.query(
      `SELECT conversation_id, data->>'runId' AS run_id FROM audit_event
        WHERE organization_id = $1 AND action IN ('conversation.anonymized', 'conversation.deleted')`,
      [org.id],
    );
    expect(perFile.map((r: { conversation_id: string }) => r.conversation_id).sort()).toEqual([...ids].sort());
    expect(new Set(perFile.map((r: { run_id: string }) => r.run_id))).toEqual(new Set([summary.data.runId]));
    const { rows: contacts } = await t.db.query(
      `SELECT count(*)::int AS n FROM audit_event WHERE organization_id = $1 AND action = 'contact.anonymized' AND data->>'runId' = $2`,
      [org.id, summary.data.runId],
    );
    expect(summary.data.contactsAnonymized).toBe(contacts[0].n);
    // A second run with nothing to do writes nothing.
    await t.app.get(RetentionService).run({ organizationId: null, agentId: null });
    expect(
      (await t.db.query(`SELECT 1 FROM audit_event WHERE organization_id = $1 AND action = 'audit.purged'`, [org.id])).rows,
    ).toHaveLength(1);
  });
});
