import { randomUUID } from 'node:crypto';
import { strFromU8, unzipSync } from 'fflate';
import { seedTown, startTestApp, type TestApp } from '../harness';

/**
 * Citizens' rights and the audit viewer (RGPD, issue 16): the export of a citizen's file as a ZIP,
 * erasure except what a legal hold keeps, and browsing who did what to whose file.
 */
describe('citizens’ rights and the audit viewer', () => {
  let t: TestApp;
  let town: Awaited<ReturnType<typeof seedTown>>;

  const citizenWrites = (o: { email: string; subject: string; text: string; pdf?: Buffer; teamId?: string }) =>
    t.ingest.ingest(
      {
        channelId: town.webform.id,
        externalId: randomUUID(),
        from: { kind: 'email', value: o.email, name: 'Honorine Vasseur' },
        subject: o.subject,
        text: o.text,
        attachments: o.pdf ? [{ fileName: 'avis d’imposition.pdf', contentType: 'application/pdf', content: o.pdf }] : undefined,
      },
      { teamId: o.teamId ?? town.etatCivil.id },
    );

  const exportZip = async (contactId: string, token = town.supervisor.token) => {
    const res = await fetch(`${t.url}/api/v1/contacts/${contactId}/export`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}` },
    });
    return { status: res.status, headers: res.headers, bytes: new Uint8Array(await res.arrayBuffer()) };
  };

  beforeAll(async () => {
    t = await startTestApp();
    town = await seedTown(t);
  });
  afterAll(() => t.close());

  it('exports everything held on a citizen as a ZIP with JSON, readable HTML, the attachments and who viewed the file', async () => {
    const email = `${randomUUID().slice(0, 8)}@exemple.fr`;
    const pdf = Buffer.from(`%PDF-1.4 avis ${randomUUID()}`);
    const r = await citizenWrites({ email, subject: 'Acte de naissance <urgent>', text: 'Pour mon fils Léon', pdf });
    expect((await t.http('GET', `/api/v1/contacts/${r.contactId}`, { token: town.agentEC.token })).status).toBe(200);

    const res = await exportZip(r.contactId);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/zip');
    expect(res.headers.get('content-disposition')).toMatch(/^attachment; filename="donnees-.*\.zip"$/);
    const files = unzipSync(res.bytes);
    const json = JSON.parse(strFromU8(files['donnees.json']!));
    expect(json.citoyen).toMatchObject({ id: r.contactId, nom: 'Honorine Vasseur' });
    expect(json.coordonnees).toEqual([expect.objectContaining({ type: 'email', valeur: email })]);
    expect(json.demandes).toHaveLength(1);
    expect(json.demandes[0]).toMatchObject({ objet: 'Acte de naissance <urgent>', service: 'État civil' });
    const message = json.demandes[0].messages[0];
    expect(message).toMatchObject({ texte: 'Pour mon fils Léon', sens: 'reçu' });
    const path = message.piecesJointes[0].fichier as string;
    expect(Buffer.from(files[path]!)).toEqual(pdf);
    // Who viewed the file: the agent's view and this export.
    expect(json.consultations.map((v: { action: string }) => v.action)).toEqual(
      expect.arrayContaining(['contact.viewed', 'contact.exported']),
    );
    const page = strFromU8(files['index.html']!);
    expect(page).toContain('<html lang="fr">');
    expect(page).toContain('Acte de naissance &lt;urgent&gt;');
    expect(page).toContain('Marie Dupont');
    expect(page).toContain(`href="${path}"`);
    // The export is audited.
    const { rows } = await t.db.query(`SELECT agent_id FROM audit_event WHERE action = 'contact.exported' AND contact_id = $1`, [
      r.contactId,
    ]);
    expect(rows).toEqual([{ agent_id: town.supervisor.id }]);
    // Agents cannot export; an unknown citizen is a 404.
    expect((await exportZip(r.contactId, town.agentEC.token)).status).toBe(403);
    expect((await exportZip(randomUUID())).status).toBe(404);
  });

  it('the export holds the citizen’s satisfaction answers: score, comment and date, in the JSON and the readable page', async () => {
    const r = await citizenWrites({ email: `${randomUUID().slice(0, 8)}@exemple.fr`, subject: 'Cantine', text: 'Inscription' });
    const unanswered = await citizenWrites({ email: `${randomUUID().slice(0, 8)}@exemple.fr`, subject: 'Autre', text: 'x' });
    const answeredAt = new Date('2026-11-20T09:30:00Z');
    await t.db.query(
      `INSERT INTO satisfaction_survey (organization_id, conversation_id, status, send_at, sent_at, expires_at, answered_at, score, comment)
       VALUES ($1, $2, 'answered', $3, $3, $3::timestamptz + interval '30 days', $3, 8, 'Accueil <très> aimable')`,
      [town.org.id, r.conversationId, answeredAt],
    );
    await t.db.query(
      `INSERT INTO satisfaction_survey (organization_id, conversation_id, status, send_at, sent_at, expires_at)
       VALUES ($1, $2, 'sent', now(), now(), now() + interval '30 days')`,
      [town.org.id, unanswered.conversationId],
    );
    const files = unzipSync((await exportZip(r.contactId)).bytes);
    const json = JSON.parse(strFromU8(files['donnees.json']!));
    expect(json.demandes[0].avisSatisfaction).toEqual({
      note: 8,
      sur: 10,
      commentaire: 'Accueil <très> aimable',
      date: answeredAt.toISOString(),
    });
    const page = strFromU8(files['index.html']!);
    expect(page).toContain('Votre avis sur le traitement de cette demande : 8/10');
    expect(page).toContain('« Accueil &lt;très&gt; aimable »');
    // A survey sent and not answered is no answer of theirs.
    const other = JSON.parse(strFromU8(unzipSync((await exportZip(unanswered.contactId)).bytes)['donnees.json']!));
    expect(other.demandes[0].avisSatisfaction).toBeNull();
  });

  it('erases a citizen now, except the conversation a legal hold keeps, shown with its reason', async () => {
    const email = `${randomUUID().slice(0, 8)}@exemple.fr`;
    const word = `trombone${randomUUID().slice(0, 6)}`;
    const first = await citizenWrites({ email, subject: `Demande ${word}`, text: `Mon ${word}`, pdf: Buffer.from(word) });
    const held = await t.db.query(
      `INSERT INTO conversation (organization_id, reference, contact_id, team_id, status, subject, legal_hold_reason, legal_hold_at)
       VALUES ($1, 'GU-' || upper(substr(md5(random()::text), 1, 8)), $2, $3, 'resolved', 'Contentieux', 'Recours en cours', now())
       RETURNING id, reference`,
      [town.org.id, first.contactId, town.scolarite.id],
    );
    expect((await t.http('POST', `/api/v1/contacts/${first.contactId}/anonymize`, { token: town.agentEC.token })).status).toBe(
      403,
    );
    const erased = await t.http('POST', `/api/v1/contacts/${first.contactId}/anonymize`, { token: town.admin.token });
    expect(erased.status).toBe(200);
    expect(erased.body).toEqual({
      conversationsAnonymized: 1,
      contactAnonymized: false,
      kept: [{ conversationId: held.rows[0].id, reference: held.rows[0].reference, reason: 'Recours en cours' }],
    });
    const found = await t.http('GET', `/api/v1/conversations?q=${word}`, { token: town.admin.token });
    expect(found.body.items).toEqual([]);
    const { rows: open } = await t.db.query(`SELECT subject, anonymized_at, status FROM conversation WHERE id = $1`, [
      first.conversationId,
    ]);
    expect(open[0].subject).toBeNull();
    expect(open[0].anonymized_at).not.toBeNull();
    // The held file still needs the citizen: name and identities stay until the hold is lifted.
    expect((await t.db.query(`SELECT 1 FROM contact_identity WHERE value = $1`, [email])).rows).toHaveLength(1);
    await t.http('DELETE', `/api/v1/conversations/${held.rows[0].id}/legal-hold`, { token: town.admin.token });
    const again = await t.http('POST', `/api/v1/contacts/${first.contactId}/anonymize`, { token: town.admin.token });
    expect(again.body).toEqual({ conversationsAnonymized: 1, contactAnonymized: true, kept: [] });
    expect((await t.db.query(`SELECT 1 FROM contact_identity WHERE value = $1`, [email])).rows).toEqual([]);
    const { rows: audit } = await t.db.query(
      `SELECT action FROM audit_event WHERE contact_id = $1 AND action IN ('contact.erased', 'contact.anonymized') ORDER BY id`,
      [first.contactId],
    );
    expect(audit.map((a) => a.action)).toEqual(['contact.erased', 'contact.anonymized', 'contact.erased']);
  });

  describe('the audit viewer', () => {
    /** An agent of both services views a citizen of État civil (file, messages) and one of Scolarité (file). */
    const twoFilesRead = async () => {
      const a = await citizenWrites({ email: `${randomUUID().slice(0, 8)}@exemple.fr`, subject: 'A', text: 'a' });
      const b = await citizenWrites({
        email: `${randomUUID().slice(0, 8)}@exemple.fr`,
        subject: 'B',
        text: 'b',
        teamId: town.scolarite.id,
      });
      const reader = await t.newAgent({ organizationId: town.org.id, teamIds: [town.etatCivil.id, town.scolarite.id] });
      expect((await t.http('GET', `/api/v1/contacts/${a.contactId}`, { token: reader.token })).status).toBe(200);
      expect((await t.http('GET', `/api/v1/contacts/${b.contactId}`, { token: reader.token })).status).toBe(200);
      expect((await t.http('GET', `/api/v1/conversations/${a.conversationId}/messages`, { token: reader.token })).status).toBe(
        200,
      );
      return { a, b, reader };
    };

    it('filters by citizen, agent and period; supervisors see their services, agents nothing', async () => {
      const { a, b, reader } = await twoFilesRead();

      const byAgent = await t.http('GET', `/api/v1/audit?agentId=${reader.id}`, { token: town.admin.token });
      expect(byAgent.status).toBe(200);
      expect(byAgent.body.items.map((e: { action: string; contactId: string }) => [e.action, e.contactId])).toEqual([
        ['conversation.messages_read', a.contactId],
        ['contact.viewed', b.contactId],
        ['contact.viewed', a.contactId],
      ]);
      expect(byAgent.body.items[0]).toMatchObject({
        agent: { id: reader.id, name: 'Agent Test' },
        conversationId: a.conversationId,
        conversationReference: expect.stringMatching(/^GU-/),
      });
      const byContact = await t.http('GET', `/api/v1/audit?contactId=${b.contactId}&agentId=${reader.id}`, {
        token: town.admin.token,
      });
      expect(byContact.body.items).toHaveLength(1);
      const future = new Date(Date.now() + 3600_000).toISOString();
      const none = await t.http('GET', `/api/v1/audit?agentId=${reader.id}&from=${encodeURIComponent(future)}`, {
        token: town.admin.token,
      });
      expect(none.body.items).toEqual([]);
      const paged = await t.http('GET', `/api/v1/audit?agentId=${reader.id}&limit=2`, { token: town.admin.token });
      expect(paged.body.items).toHaveLength(2);
      const rest = await t.http('GET', `/api/v1/audit?agentId=${reader.id}&limit=2&before=${paged.body.next}`, {
        token: town.admin.token,
      });
      expect(rest.body.items.map((e: { contactId: string }) => e.contactId)).toEqual([a.contactId]);

      // A supervisor of Scolarité sees the events about Scolarité's citizen only.
      const supSco = await t.newAgent({ organizationId: town.org.id, role: 'supervisor', teamIds: [town.scolarite.id] });
      const scoped = await t.http('GET', `/api/v1/audit?agentId=${reader.id}`, { token: supSco.token });
      expect(scoped.body.items.map((e: { contactId: string }) => e.contactId)).toEqual([b.contactId]);

      expect((await t.http('GET', '/api/v1/audit', { token: town.agentEC.token })).status).toBe(403);
      const bad = await t.http('GET', '/api/v1/audit?from=hier', { token: town.admin.token });
      expect(bad.status).toBe(400);
      expect(JSON.stringify(bad.body)).toMatch(/date invalide/);
    });

    it('counts an event for the service the file was in when it happened: a transfer moves the file, not its past', async () => {
      const a = await citizenWrites({ email: `${randomUUID().slice(0, 8)}@exemple.fr`, subject: 'Livret', text: 'a' });
      const reader = await t.newAgent({ organizationId: town.org.id, teamIds: [town.etatCivil.id, town.scolarite.id] });
      const read = async () => {
        expect((await t.http('GET', `/api/v1/contacts/${a.contactId}`, { token: reader.token })).status).toBe(200);
        expect((await t.http('GET', `/api/v1/conversations/${a.conversationId}/messages`, { token: reader.token })).status).toBe(
          200,
        );
      };
      await read();
      const { rows } = await t.db.query(`SELECT version FROM conversation WHERE id = $1`, [a.conversationId]);
      const moved = await t.http('PATCH', `/api/v1/conversations/${a.conversationId}`, {
        token: town.supervisor.token,
        body: { teamId: town.scolarite.id, version: rows[0].version, note: 'Demande d’inscription : pour la Scolarité' },
      });
      expect(moved.status).toBe(200);
      await read();
      const ids = async (teamId: string, token = town.admin.token) =>
        (await t.http('GET', `/api/v1/audit?agentId=${reader.id}&teamId=${teamId}`, { token })).body.items.map(
          (e: { id: string }) => e.id,
        );
      const all = (await t.http('GET', `/api/v1/audit?agentId=${reader.id}`, { token: town.admin.token })).body.items.map(
        (e: { id: string }) => e.id,
      );
      expect(all).toHaveLength(4);
      // Newest first: the two reads in Scolarité, then the two in État civil, whatever the file's service now.
      expect(await ids(town.scolarite.id)).toEqual(all.slice(0, 2));
      expect(await ids(town.etatCivil.id)).toEqual(all.slice(2));
      // État civil's supervisor still sees who read the file while it was theirs, and nothing since.
      const supEC = await t.newAgent({ organizationId: town.org.id, role: 'supervisor', teamIds: [town.etatCivil.id] });
      expect(
        (await t.http('GET', `/api/v1/audit?agentId=${reader.id}`, { token: supEC.token })).body.items.map(
          (e: { id: string }) => e.id,
        ),
      ).toEqual(all.slice(2));
    });

    it('filters by service and exports the filtered log as CSV, every page of it, for the data protection officer', async () => {
      const { a, b, reader } = await twoFilesRead();
      const actions = (body: { items: { action: string; contactId: string }[] }) =>
        body.items.map((e) => [e.action, e.contactId]);

      // By service: a citizen's file viewed counts for the service where the citizen has a request.
      const sco = await t.http('GET', `/api/v1/audit?agentId=${reader.id}&teamId=${town.scolarite.id}`, {
        token: town.admin.token,
      });
      expect(actions(sco.body)).toEqual([['contact.viewed', b.contactId]]);
      const ec = await t.http('GET', `/api/v1/audit?agentId=${reader.id}&teamId=${town.etatCivil.id}`, {
        token: town.admin.token,
      });
      expect(actions(ec.body)).toEqual([
        ['conversation.messages_read', a.contactId],
        ['contact.viewed', a.contactId],
      ]);
      // A supervisor of Scolarité filters on Scolarité, not on a service they do not oversee.
      const supSco = await t.newAgent({ organizationId: town.org.id, role: 'supervisor', teamIds: [town.scolarite.id] });
      expect(
        actions(
          (await t.http('GET', `/api/v1/audit?agentId=${reader.id}&teamId=${town.scolarite.id}`, { token: supSco.token })).body,
        ),
      ).toEqual([['contact.viewed', b.contactId]]);
      const refused = await t.http('GET', `/api/v1/audit?teamId=${town.etatCivil.id}`, { token: supSco.token });
      expect(refused.status).toBe(403);
      expect(JSON.stringify(refused.body)).toMatch(/ne supervisez pas|supervisez/);

      const csv = async (query: string, token = town.admin.token) => {
        const res = await fetch(`${t.url}/api/v1/audit/export?${query}`, { headers: { authorization: `Bearer ${token}` } });
        // Buffer keeps the byte-order mark that Response.text() would drop.
        const text = Buffer.from(await res.arrayBuffer()).toString('utf8');
        return {
          status: res.status,
          headers: res.headers,
          text,
          lines: text
            .replace(/^\uFEFF/, '')
            .split('\r\n')
            .filter(Boolean),
        };
      };
      const file = await csv(`agentId=${reader.id}&teamId=${town.etatCivil.id}`);
      expect(file.status).toBe(200);
      expect(file.headers.get('content-type')).toBe('text/csv; charset=utf-8');
      expect(file.headers.get('content-disposition')).toMatch(/^attachment; filename="journal-acces-\d{4}-\d{2}-\d{2}\.csv"$/);
      expect(file.text.startsWith('\uFEFFNuméro;Date (heure de Paris);')).toBe(true);
      expect(file.lines).toHaveLength(3);
      const cols = file.lines[1]!.split(';');
      expect(cols[3]).toBe('Agent Test');
      expect(cols[5]).toBe('conversation.messages_read');
      expect(cols[6]).toMatch(/^GU-/);
      expect(cols[8]).toBe(a.contactId);
      expect(file.lines[2]).toContain(`;contact.viewed;;;${a.contactId};`);
      // The export is itself in the log, with its filters.
      const { rows: exported } = await t.db.query(
        `SELECT agent_id, data FROM audit_event WHERE organization_id = $1 AND action = 'audit.exported' ORDER BY id DESC LIMIT 1`,
        [town.org.id],
      );
      expect(exported[0]).toMatchObject({
        agent_id: town.admin.id,
        data: { filters: { teamId: town.etatCivil.id, agentId: reader.id } },
      });
      // Agents cannot export; a supervisor not over the service is refused before any byte; a bad period is a 400.
      expect((await csv('', town.agentEC.token)).status).toBe(403);
      expect((await csv(`teamId=${town.etatCivil.id}`, supSco.token)).status).toBe(403);
      const bad = await csv('from=2026-12-01&to=2026-11-01');
      expect(bad.status).toBe(400);
      expect(bad.text).toMatch(/période invalide/);
    });

    it('streams an export longer than one page of the keyset, newest first, each event once', async () => {
      const org = await t.newOrganization();
      const admin = await t.newAgent({ organizationId: org.id, role: 'admin' });
      const clerk = await t.newAgent({ organizationId: org.id, name: 'Agent Volubile' });
      const n = 2_345;
      await t.db.query(
        `INSERT INTO audit_event (organization_id, agent_id, action, contact_id, data, created_at)
         SELECT $1, $2, 'contact.viewed', gen_random_uuid(), jsonb_build_object('n', g), now() - make_interval(secs => $3 - g)
           FROM generate_series(1, $3) g`,
        [org.id, clerk.id, n],
      );
      const res = await fetch(`${t.url}/api/v1/audit/export?agentId=${clerk.id}`, {
        headers: { authorization: `Bearer ${admin.token}` },
      });
      expect(res.status).toBe(200);
      const lines = (await res.text()).split('\r\n').filter(Boolean).slice(1);
      expect(lines).toHaveLength(n);
      const ids = lines.map((l) => Number(l.split(';')[0]));
      expect(new Set(ids).size).toBe(n);
      expect(ids).toEqual([...ids].sort((x, y) => y - x));
      expect(lines[0]).toContain('""n"":2345');
      expect(lines[n - 1]).toContain('""n"":1}');
    });
  });
});
