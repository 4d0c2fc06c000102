import { randomUUID } from 'node:crypto';
import { seedTown, startTestApp, type TestApp } from '../harness';

/**
 * Contact merge (RGPD and accountability, issue 16) on real PostgreSQL: an agent proposes merging
 * two citizen files, a supervisor confirms; identities, conversations and history move; the audit
 * keeps both ids; undo within 30 days (time travel on the confirmation date, no sleep).
 */
describe('contact merge', () => {
  let t: TestApp;
  let town: Awaited<ReturnType<typeof seedTown>>;

  const write = (o: { kind: 'email' | 'phone'; value: string; name?: string; subject: string; teamId?: string }) =>
    t.ingest.ingest(
      {
        channelId: o.kind === 'email' ? town.webform.id : town.sms.id,
        externalId: randomUUID(),
        from: { kind: o.kind, value: o.value, name: o.name },
        subject: o.subject,
        text: `Message : ${o.subject}`,
      },
      { teamId: o.teamId ?? town.etatCivil.id },
    );
  // In an assigned mobile range (06 12…): a random 06 number may fall in one that is not (06 91…), which the ingest refuses.
  const phone = () => `+33612${String(Math.floor(Math.random() * 1e6)).padStart(6, '0')}`;
  const email = () => `${randomUUID().slice(0, 8)}@exemple.fr`;
  const contactOf = async (conversationId: string) =>
    (await t.db.query(`SELECT contact_id FROM conversation WHERE id = $1`, [conversationId])).rows[0].contact_id as string;

  beforeAll(async () => {
    t = await startTestApp();
    town = await seedTown(t);
  });
  afterAll(() => t.close());

  it('an agent proposes, a supervisor confirms: identities and conversations move, the audit keeps both ids, undo moves them back', async () => {
    const mail = email();
    const tel = phone();
    const a = await write({ kind: 'email', value: mail, name: 'Honorine Vasseur', subject: 'Acte de naissance' });
    const b = await write({ kind: 'phone', value: tel, subject: 'Rappel SVP' });
    expect(a.contactId).not.toBe(b.contactId);

    // The agent names the other file by the phone number they know.
    const proposed = await t.http('POST', `/api/v1/contacts/${a.contactId}/merges`, {
      token: town.agentEC.token,
      body: { otherIdentity: { kind: 'phone', value: tel.replace('+33', '0') }, reason: 'Même personne au téléphone' },
    });
    expect(proposed.status).toBe(201);
    expect(proposed.body).toMatchObject({
      status: 'proposed',
      target: { id: a.contactId, name: 'Honorine Vasseur' },
      source: { id: b.contactId },
      proposedBy: { id: town.agentEC.id, name: 'Marie Dupont' },
      decidedAt: null,
    });
    const mergeId = proposed.body.id as string;
    // The same pair twice is refused; the agent cannot confirm.
    const again = await t.http('POST', `/api/v1/contacts/${b.contactId}/merges`, {
      token: town.agentEC.token,
      body: { otherContactId: a.contactId, reason: 'doublon' },
    });
    expect(again.status).toBe(409);
    expect(again.body.message).toBe('une fusion de ces deux dossiers est déjà proposée');
    expect((await t.http('POST', `/api/v1/contact-merges/${mergeId}/confirm`, { token: town.agentEC.token })).status).toBe(403);
    // Both files list the proposal; the supervisors' list of proposals too.
    expect((await t.http('GET', `/api/v1/contacts/${b.contactId}/merges`, { token: town.agentEC.token })).body).toEqual([
      expect.objectContaining({ id: mergeId, status: 'proposed' }),
    ]);
    const waiting = await t.http('GET', '/api/v1/contact-merges?status=proposed', { token: town.supervisor.token });
    expect(waiting.body.map((m: { id: string }) => m.id)).toContain(mergeId);

    const confirmed = await t.http('POST', `/api/v1/contact-merges/${mergeId}/confirm`, { token: town.supervisor.token });
    expect(confirmed.status).toBe(200);
    expect(confirmed.body).toMatchObject({
      status: 'merged',
      decidedBy: { id: town.supervisor.id },
      movedIdentities: 1,
      movedConversations: 1,
    });
    expect(Date.parse(confirmed.body.undoUntil) - Date.parse(confirmed.body.decidedAt)).toBe(30 * 86_400_000);
    expect(await contactOf(b.conversationId)).toBe(a.contactId);
    const file = await t.http('GET', `/api/v1/contacts/${a.contactId}`, { token: town.supervisor.token });
    expect(file.body.identities.map((i: { value: string }) => i.value).sort()).toEqual([mail, tel].sort());
    expect(file.body.conversations.map((c: { id: string }) => c.id).sort()).toEqual([a.conversationId, b.conversationId].sort());
    // The conversation moved was told to the inbox (through ConversationWriter: version bumped).
    const { rows: moved } = await t.db.query(`SELECT version FROM conversation WHERE id = $1`, [b.conversationId]);
    expect(moved[0].version).toBeGreaterThan(1);
    // The absorbed contact stays, empty, pointing to the kept one.
    const { rows: absorbed } = await t.db.query(`SELECT merged_into_id FROM contact WHERE id = $1`, [b.contactId]);
    expect(absorbed).toEqual([{ merged_into_id: a.contactId }]);
    // The citizen writes again from the phone: it lands in the kept file.
    const later = await write({ kind: 'phone', value: tel, subject: 'Encore moi' });
    expect(later.contactId).toBe(a.contactId);

    // The audit: one row per file, each naming both ids.
    const { rows: audit } = await t.db.query(
      `SELECT action, contact_id, agent_id, data FROM audit_event WHERE data->>'mergeId' = $1 ORDER BY id`,
      [mergeId],
    );
    expect(audit.map((r) => [r.action, r.contact_id])).toEqual([
      ['contact.merge_proposed', a.contactId],
      ['contact.merge_proposed', b.contactId],
      ['contact.merged', a.contactId],
      ['contact.merged', b.contactId],
    ]);
    for (const r of audit) expect(r.data).toMatchObject({ keptContactId: a.contactId, absorbedContactId: b.contactId });
    expect(audit[2].data.conversations).toEqual([b.conversationId]);
    // The audit viewer finds the merge from either file.
    const viewer = await t.http('GET', `/api/v1/audit?contactId=${b.contactId}`, { token: town.admin.token });
    expect(viewer.body.items.map((e: { action: string }) => e.action)).toContain('contact.merged');

    // Undo: the phone, its conversation and the one it opened since go back; the e-mail file keeps its own.
    const undone = await t.http('POST', `/api/v1/contact-merges/${mergeId}/undo`, { token: town.supervisor.token });
    expect(undone.status).toBe(200);
    expect(undone.body).toMatchObject({ status: 'undone', undoUntil: null });
    expect(await contactOf(b.conversationId)).toBe(b.contactId);
    expect(await contactOf(later.conversationId)).toBe(b.contactId);
    expect(await contactOf(a.conversationId)).toBe(a.contactId);
    const { rows: ids } = await t.db.query(`SELECT contact_id FROM contact_identity WHERE value = $1`, [tel]);
    expect(ids).toEqual([{ contact_id: b.contactId }]);
    const { rows: back } = await t.db.query(`SELECT merged_into_id FROM contact WHERE id = $1`, [b.contactId]);
    expect(back).toEqual([{ merged_into_id: null }]);
    expect(
      (
        await t.db.query(
          `SELECT count(*)::int AS n FROM audit_event WHERE data->>'mergeId' = $1 AND action = 'contact.merge_undone'`,
          [mergeId],
        )
      ).rows[0].n,
    ).toBe(2);
    // Undone once: not twice.
    expect((await t.http('POST', `/api/v1/contact-merges/${mergeId}/undo`, { token: town.supervisor.token })).status).toBe(409);
  });

  it('takes the absorbed file’s name when the kept one had none, and gives it back on undo; its author cannot confirm it', async () => {
    const a = await write({ kind: 'phone', value: phone(), subject: 'Sans nom' });
    const b = await write({ kind: 'email', value: email(), name: 'Gaspard Lenoir', subject: 'Avec nom' });
    const p = await t.http('POST', `/api/v1/contacts/${a.contactId}/merges`, {
      token: town.supervisor.token,
      body: { otherContactId: b.contactId, reason: 'doublon' },
    });
    // Its author does not confirm it (four eyes), a colleague does.
    const own = await t.http('POST', `/api/v1/contact-merges/${p.body.id}/confirm`, { token: town.supervisor.token });
    expect(own.status).toBe(403);
    expect(own.body.message).toBe(
      'vous avez proposé cette fusion : un autre superviseur ou administrateur doit la confirmer (vous pouvez la retirer)',
    );
    expect(await contactOf(b.conversationId)).toBe(b.contactId);
    expect((await t.http('POST', `/api/v1/contact-merges/${p.body.id}/confirm`, { token: town.admin.token })).status).toBe(200);
    expect((await t.http('GET', `/api/v1/contacts/${a.contactId}`, { token: town.supervisor.token })).body.name).toBe(
      'Gaspard Lenoir',
    );
    await t.http('POST', `/api/v1/contact-merges/${p.body.id}/undo`, { token: town.supervisor.token });
    expect((await t.http('GET', `/api/v1/contacts/${a.contactId}`, { token: town.supervisor.token })).body.name).toBeNull();
  });

  it('the supervisor compares both files and chooses the name and the identities kept; undo restores them exactly', async () => {
    const mail = email();
    const oldMail = email();
    const tel = phone();
    const a = await write({ kind: 'email', value: mail, name: 'H. Vasseur', subject: 'Acte de mariage' });
    const b = await write({ kind: 'phone', value: tel, name: 'Honorine Vasseur', subject: 'Rappel' });
    const added = await t.http('POST', `/api/v1/contacts/${a.contactId}/identities`, {
      token: town.agentEC.token,
      body: { kind: 'email', value: oldMail },
    });
    expect(added.status).toBe(201);
    const identitiesOf = async (contactId: string) =>
      (
        await t.db.query(
          `SELECT id, contact_id, kind, value, opted_out_at, created_at FROM contact_identity WHERE contact_id = $1 ORDER BY value`,
          [contactId],
        )
      ).rows;
    const beforeA = await identitiesOf(a.contactId);
    const beforeB = await identitiesOf(b.contactId);
    const idOf = (value: string) => [...beforeA, ...beforeB].find((i) => i.value === value)!.id as string;
    const p = await t.http('POST', `/api/v1/contacts/${a.contactId}/merges`, {
      token: town.agentEC.token,
      body: { otherContactId: b.contactId, reason: 'Même personne' },
    });
    expect(p.status).toBe(201);

    // Side by side: both files, for supervisors and admins only.
    expect((await t.http('GET', `/api/v1/contact-merges/${p.body.id}/files`, { token: town.agentEC.token })).status).toBe(403);
    const files = await t.http('GET', `/api/v1/contact-merges/${p.body.id}/files`, { token: town.supervisor.token });
    expect(files.status).toBe(200);
    expect(files.body).toMatchObject({
      merge: { id: p.body.id, status: 'proposed' },
      target: {
        id: a.contactId,
        name: 'H. Vasseur',
        identities: expect.arrayContaining([{ id: idOf(mail), kind: 'email', value: mail }]),
        conversations: [{ id: a.conversationId, subject: 'Acte de mariage', team: 'État civil', status: 'open' }],
        registrations: [],
      },
      source: { id: b.contactId, name: 'Honorine Vasseur', identities: [{ id: idOf(tel), kind: 'phone', value: tel }] },
    });
    expect(files.body.target.identities).toHaveLength(2);

    // Choices checked: an identity of neither file, or none kept, is refused; nothing moves.
    const confirm = (body: object) =>
      t.http('POST', `/api/v1/contact-merges/${p.body.id}/confirm`, { token: town.supervisor.token, body });
    expect(await confirm({ keepIdentityIds: [randomUUID()] })).toMatchObject({
      status: 400,
      body: { message: 'une coordonnée gardée n’appartient à aucun des deux dossiers' },
    });
    expect(await confirm({ keepIdentityIds: [] })).toMatchObject({
      status: 400,
      body: { message: 'gardez au moins une coordonnée du citoyen' },
    });
    expect((await confirm({ name: 'autre' })).status).toBe(400);
    expect(await identitiesOf(a.contactId)).toEqual(beforeA);

    // The absorbed file's name and two identities kept: the old address leaves the merged file.
    const done = await confirm({ name: 'source', keepIdentityIds: [idOf(mail), idOf(tel)] });
    expect(done).toMatchObject({
      status: 200,
      body: { status: 'merged', movedIdentities: 1, droppedIdentities: 1, movedConversations: 1 },
    });
    expect((await t.http('GET', `/api/v1/contacts/${a.contactId}`, { token: town.supervisor.token })).body.name).toBe(
      'Honorine Vasseur',
    );
    expect((await identitiesOf(a.contactId)).map((i) => i.value).sort()).toEqual([mail, tel].sort());
    expect(await t.db.query(`SELECT 1 FROM contact_identity WHERE value = $1`, [oldMail]).then((r) => r.rowCount)).toBe(0);
    const audit = await t.db.query(
      `SELECT contact_id, data FROM audit_event WHERE action = 'contact.merged' AND data->>'mergeId' = $1 ORDER BY contact_id`,
      [p.body.id],
    );
    expect(audit.rows.map((r) => r.contact_id).sort()).toEqual([a.contactId, b.contactId].sort());
    for (const r of audit.rows)
      expect(r.data).toMatchObject({
        keptContactId: a.contactId,
        absorbedContactId: b.contactId,
        nameKept: 'source',
        identitiesDropped: [idOf(oldMail)],
      });

    // Undo: each file as it was, the removed identity back with its id and dates, the name given back.
    expect((await t.http('POST', `/api/v1/contact-merges/${p.body.id}/undo`, { token: town.supervisor.token })).status).toBe(200);
    expect(await identitiesOf(a.contactId)).toEqual(beforeA);
    expect(await identitiesOf(b.contactId)).toEqual(beforeB);
    expect((await t.http('GET', `/api/v1/contacts/${a.contactId}`, { token: town.supervisor.token })).body.name).toBe(
      'H. Vasseur',
    );
    expect(await contactOf(b.conversationId)).toBe(b.contactId);

    // Merged again without the old address, which a new file takes since: the undo says why it cannot.
    const p2 = await t.http('POST', `/api/v1/contacts/${a.contactId}/merges`, {
      token: town.agentEC.token,
      body: { otherContactId: b.contactId, reason: 'Même personne, encore' },
    });
    const c2 = await t.http('POST', `/api/v1/contact-merges/${p2.body.id}/confirm`, {
      token: town.supervisor.token,
      body: { keepIdentityIds: [idOf(mail), idOf(tel)] },
    });
    expect(c2.status).toBe(200);
    const c = await write({ kind: 'email', value: oldMail, subject: 'Depuis mon ancienne adresse' });
    expect([a.contactId, b.contactId]).not.toContain(c.contactId);
    expect(await t.http('POST', `/api/v1/contact-merges/${p2.body.id}/undo`, { token: town.supervisor.token })).toMatchObject({
      status: 409,
      body: {
        message:
          'une coordonnée retirée par la fusion a été reprise depuis par un autre dossier : retirez-la de ce dossier avant d’annuler',
      },
    });
    expect((await t.http('GET', `/api/v1/contacts/${a.contactId}`, { token: town.supervisor.token })).body.name).toBe(
      'H. Vasseur',
    );
    expect(await contactOf(b.conversationId)).toBe(a.contactId);
  });

  it('the author of a proposal withdraws it (a refusal by them), and nothing moves', async () => {
    const a = await write({ kind: 'email', value: email(), subject: 'A' });
    const b = await write({ kind: 'email', value: email(), subject: 'B' });
    const p = await t.http('POST', `/api/v1/contacts/${a.contactId}/merges`, {
      token: town.admin.token,
      body: { otherContactId: b.contactId, reason: 'doublon ?' },
    });
    expect((await t.http('POST', `/api/v1/contact-merges/${p.body.id}/confirm`, { token: town.admin.token })).status).toBe(403);
    const withdrawn = await t.http('POST', `/api/v1/contact-merges/${p.body.id}/reject`, { token: town.admin.token });
    expect(withdrawn.body).toMatchObject({
      status: 'rejected',
      proposedBy: { id: town.admin.id },
      decidedBy: { id: town.admin.id },
    });
    expect(await contactOf(b.conversationId)).toBe(b.contactId);
  });

  it('undo is refused after 30 days; a refused proposal moves nothing', async () => {
    const a = await write({ kind: 'email', value: email(), subject: 'A' });
    const b = await write({ kind: 'email', value: email(), subject: 'B' });
    const c = await write({ kind: 'email', value: email(), subject: 'C' });
    const p = await t.http('POST', `/api/v1/contacts/${a.contactId}/merges`, {
      token: town.agentEC.token,
      body: { otherContactId: b.contactId, reason: 'doublon' },
    });
    await t.http('POST', `/api/v1/contact-merges/${p.body.id}/confirm`, { token: town.admin.token });
    await t.db.query(`UPDATE contact_merge SET decided_at = now() - interval '31 days' WHERE id = $1`, [p.body.id]);
    const late = await t.http('POST', `/api/v1/contact-merges/${p.body.id}/undo`, { token: town.admin.token });
    expect(late.status).toBe(409);
    expect(late.body.message).toBe('la fusion date de plus de 30 jours : elle ne peut plus être annulée');
    expect(await contactOf(b.conversationId)).toBe(a.contactId);
    // An absorbed file (empty: agents no longer see it) cannot be merged again.
    const absorbed = await t.http('POST', `/api/v1/contacts/${c.contactId}/merges`, {
      token: town.supervisor.token,
      body: { otherContactId: b.contactId, reason: 'doublon' },
    });
    expect([absorbed.status, absorbed.body.message]).toEqual([409, 'un des deux dossiers a déjà été fusionné dans un autre']);

    const q = await t.http('POST', `/api/v1/contacts/${a.contactId}/merges`, {
      token: town.agentEC.token,
      body: { otherContactId: c.contactId, reason: 'peut-être' },
    });
    const refused = await t.http('POST', `/api/v1/contact-merges/${q.body.id}/reject`, { token: town.supervisor.token });
    expect(refused.body).toMatchObject({ status: 'rejected', decidedBy: { id: town.supervisor.id } });
    expect(await contactOf(c.conversationId)).toBe(c.contactId);
    expect((await t.http('POST', `/api/v1/contact-merges/${q.body.id}/confirm`, { token: town.supervisor.token })).status).toBe(
      409,
    );
  });

  it('bad input is a 4xx with a French reason; files out of the agent’s services are not found', async () => {
    const a = await write({ kind: 'email', value: email(), subject: 'A' });
    const other = await write({ kind: 'email', value: email(), subject: 'Cantine', teamId: town.scolarite.id });
    const post = (body: unknown, token = town.agentEC.token, id = a.contactId) =>
      t.http('POST', `/api/v1/contacts/${id}/merges`, { token, body });
    const same = await post({ otherContactId: a.contactId, reason: 'x' });
    expect([same.status, same.body.message]).toEqual([400, 'les deux dossiers sont le même : rien à fusionner']);
    const both = await post({ otherContactId: other.contactId, otherIdentity: { kind: 'email', value: 'x@y.fr' }, reason: 'x' });
    expect(both.status).toBe(400);
    expect(JSON.stringify(both.body)).toContain('l’un des deux');
    expect((await post({ otherContactId: other.contactId })).status).toBe(400);
    expect((await post({ otherContactId: other.contactId, reason: '   ' })).status).toBe(400);
    const unknown = await post({ otherIdentity: { kind: 'email', value: 'personne@nulle-part.fr' }, reason: 'x' });
    expect([unknown.status, unknown.body.message]).toEqual([404, 'aucun dossier de citoyen ne porte cette coordonnée']);
    // The État civil agent cannot see the Scolarité citizen's file.
    expect((await post({ otherContactId: other.contactId, reason: 'x' })).status).toBe(404);
    expect((await post({ otherContactId: a.contactId, reason: 'x' }, town.agentEC.token, other.contactId)).status).toBe(404);
    expect((await t.http('POST', `/api/v1/contact-merges/${randomUUID()}/confirm`, { token: town.admin.token })).status).toBe(
      404,
    );
    expect((await t.http('POST', `/api/v1/contact-merges/pas-un-id/confirm`, { token: town.admin.token })).status).toBe(400);
    expect((await t.http('GET', '/api/v1/contact-merges?status=ouvert', { token: town.admin.token })).status).toBe(400);
    expect((await t.http('GET', '/api/v1/contact-merges', { token: town.agentEC.token })).status).toBe(403);
    expect((await t.db.query(`SELECT 1 FROM contact_merge WHERE target_contact_id = $1`, [a.contactId])).rows).toEqual([]);
  });
});
