import { randomUUID } from 'node:crypto';
import type { CannedReplyDto } from '@guichet/contracts';
import { seedTown, startTestApp, type TestApp } from '../harness';

/** Issue 13: canned replies (réponses types) per organization and service, with the conversation's variables. */
describe('canned replies', () => {
  let t: TestApp;
  let town: Awaited<ReturnType<typeof seedTown>>;
  let other: Awaited<ReturnType<typeof seedTown>>;

  const create = (token: string, body: unknown) => t.http<CannedReplyDto>('POST', '/api/v1/canned-replies', { token, body });
  const list = (token: string, query = '') => t.http<CannedReplyDto[]>('GET', `/api/v1/canned-replies${query}`, { token });
  const sms = async (text: string) =>
    (
      await t.ingest.ingest({
        channelId: town.sms.id,
        externalId: `SM${randomUUID()}`,
        from: { kind: 'phone', value: `+3361${String(Math.floor(Math.random() * 1e7)).padStart(7, '0')}` },
        text,
      })
    ).conversationId;

  beforeAll(async () => {
    t = await startTestApp();
    town = await seedTown(t);
    other = await seedTown(t);
  });
  afterAll(() => t.close());

  it('admins and supervisors write them; agents see the organization’s and their services’, searched accent-insensitively', async () => {
    const all = await create(town.supervisor.token, {
      title: 'Accusé simple',
      body: 'Bonjour {{usager}}, dossier {{reference}}.',
    });
    expect(all.status).toBe(201);
    expect(all.body).toMatchObject({ teamId: null, title: 'Accusé simple' });
    const ec = await create(town.admin.token, {
      teamId: town.etatCivil.id,
      title: 'Acte de naissance disponible',
      body: 'Votre acte est prêt ({{demarche}}).',
    });
    expect(ec.status).toBe(201);
    await create(town.admin.token, { teamId: town.scolarite.id, title: 'Inscription cantine', body: 'Réponse école.' });

    expect((await create(town.agentEC.token, { title: 'Non', body: 'x' })).status).toBe(403);
    const unknown = await create(town.admin.token, { title: 'Variable', body: 'Bonjour {{prenom}}' });
    expect(unknown.status).toBe(400);
    expect(JSON.stringify(unknown.body)).toContain('variable inconnue : {{prenom}}');
    const foreignTeam = await create(town.admin.token, { teamId: other.etatCivil.id, title: 'Ailleurs', body: 'x' });
    expect(foreignTeam.status).toBe(400);
    expect(JSON.stringify(foreignTeam.body)).toContain('service inconnu');

    // The agent of État civil: the organization's and État civil's, not Scolarité's.
    expect((await list(town.agentEC.token)).body.map((r) => r.title)).toEqual(['Accusé simple', 'Acte de naissance disponible']);
    expect((await list(town.agentEC.token, `?teamId=${town.scolarite.id}`)).body.map((r) => r.title)).toEqual([
      'Accusé simple',
      'Inscription cantine',
    ]);
    expect((await list(town.agentEC.token, '?q=PRET')).body.map((r) => r.title)).toEqual(['Acte de naissance disponible']);
    expect((await list(town.agentEC.token, '?q=100%')).body).toEqual([]);
    expect((await list(town.admin.token)).body).toHaveLength(3);
    expect((await list(other.admin.token)).body).toEqual([]);

    const renamed = await t.http<CannedReplyDto>('PATCH', `/api/v1/canned-replies/${ec.body.id}`, {
      token: town.supervisor.token,
      body: { title: 'Acte disponible en mairie' },
    });
    expect(renamed.body.title).toBe('Acte disponible en mairie');
    expect((await t.http('DELETE', `/api/v1/canned-replies/${ec.body.id}`, { token: other.admin.token })).status).toBe(404);
  });

  it('fills a reply for a conversation: citizen, reference, démarche, decision date, tracking link, agent, service', async () => {
    const id = await sms('Bonjour, je voudrais une copie de mon acte de naissance');
    const { rows } = await t.db.query(`SELECT c.reference, c.contact_id FROM conversation c WHERE c.id = $1`, [id]);
    await t.db.query(`UPDATE contact SET name = 'Jeanne Martin' WHERE id = $1`, [rows[0].contact_id]);
    await t.db.query(`UPDATE conversation SET citizen_name = 'Jeanne Martin' WHERE id = $1`, [id]);
    await t.db.query(
      `UPDATE conversation SET decision_due_at = '2027-01-30T22:59:59.999Z', response_due_at = '2027-01-08T16:00:00Z' WHERE id = $1`,
      [id],
    );
    const reply = await create(town.admin.token, {
      teamId: town.etatCivil.id,
      title: 'Complet',
      body: 'Bonjour {{usager}},\nDossier {{reference}} ({{service}}).\nDémarche : {{demarche}}\nDécision le {{date_decision}}.\nRéponse avant le {{date_reponse}}.\nSuivi : {{lien_suivi}}\n{{agent}}',
    });
    const rendered = await t.http<{ text: string }>('POST', `/api/v1/canned-replies/${reply.body.id}/render`, {
      token: town.agentEC.token,
      body: { conversationId: id },
    });
    expect(rendered.status).toBe(200);
    const lines = rendered.body.text.split('\n');
    expect(lines[0]).toBe('Bonjour Jeanne Martin,');
    expect(lines[1]).toBe(`Dossier ${rows[0].reference} (État civil).`);
    // No démarche on this file: the line is left out rather than printed empty.
    expect(lines[2]).toBe('Décision le 30 janvier 2027.');
    expect(lines[3]).toBe('Réponse avant le 8 janvier 2027.');
    expect(lines[4]).toMatch(new RegExp(`^Suivi : https?://.+/suivi/${rows[0].reference}\\?token=[\\w-]+$`));
    expect(lines[5]).toBe('Marie Dupont');

    // The agent of Scolarité may not read this file; another town's reply is not found.
    const denied = await t.http('POST', `/api/v1/canned-replies/${reply.body.id}/render`, {
      token: town.agentSco.token,
      body: { conversationId: id },
    });
    expect([403, 404]).toContain(denied.status);
    const bad = await t.http('POST', `/api/v1/canned-replies/${reply.body.id}/render`, {
      token: town.agentEC.token,
      body: { conversationId: 'pas-un-id' },
    });
    expect(bad.status).toBe(400);
  });
});
