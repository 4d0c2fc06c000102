import { connectRecording, expectEventually, type RecordingClient } from '@guichet/testing';
import type { ContactDto, ConversationDto } from '@guichet/contracts';
import { seedTown, startTestApp, type TestApp } from '../harness';

/**
 * An agent sees of a citizen only what their services already hold: the names and identities
 * seen in conversations they may read, plus what they typed. Writing first to a phone number
 * must not reveal who owns it elsewhere in the town hall (issue 10, item 3).
 */
describe('contact data an agent sees follows the services they work in', () => {
  let t: TestApp;
  let town: Awaited<ReturnType<typeof seedTown>>;
  let sco: RecordingClient;
  let citizen: { contactId: string; conversationId: string; emailId: string };
  let started: { conversation: ConversationDto };

  const contact = (token: string, id: string) => t.http<ContactDto>('GET', `/api/v1/contacts/${id}`, { token });
  const search = async (token: string, q: string) =>
    ((await t.http('GET', `/api/v1/conversations?q=${encodeURIComponent(q)}`, { token })).body.items as ConversationDto[]).map(
      (c) => c.id,
    );

  beforeAll(async () => {
    t = await startTestApp();
    town = await seedTown(t);
    // Nadia Benali wrote to État civil with her e-mail and phone.
    const created = await t.http('POST', `/api/v1/public/organizations/${town.org.slug}/requests`, {
      body: {
        teamId: town.etatCivil.id,
        name: 'Nadia Benali',
        email: 'nadia.benali@example.fr',
        phone: '06 11 22 33 44',
        subject: 'Acte de naissance',
        body: 'Bonjour.',
      },
      headers: { 'x-forwarded-for': '10.2.0.1' },
    });
    expect(created.status).toBe(201);
    const { rows } = await t.db.query(
      `SELECT c.id, c.contact_id, (SELECT id FROM contact_identity WHERE contact_id = c.contact_id AND kind = 'email') AS email_id
         FROM conversation c WHERE c.reference = $1`,
      [created.body.reference],
    );
    citizen = { contactId: rows[0].contact_id, conversationId: rows[0].id, emailId: rows[0].email_id };
    sco = await connectRecording(t.url, town.agentSco.token);
    // A Scolarité agent writes first to that number.
    const res = await t.http('POST', '/api/v1/conversations', {
      token: town.agentSco.token,
      body: { channelKind: 'sms', to: '+33611223344', teamId: town.scolarite.id, body: 'Bonjour, la cantine reprend lundi.' },
    });
    expect(res.status).toBe(201);
    started = res.body;
  });
  afterAll(async () => {
    sco?.close();
    await t?.close();
  });

  it('the agent who writes first to a citizen’s number sees neither their name nor their e-mail, in REST or live', async () => {
    expect(started.conversation.contact).toEqual({ id: citizen.contactId, name: null });
    const seen = await contact(town.agentSco.token, citizen.contactId);
    expect(seen.status).toBe(200);
    expect(seen.body.name).toBeNull();
    expect(seen.body.identities.map((i) => `${i.kind}:${i.value}`)).toEqual(['phone:+33611223344']);
    expect(seen.body.conversations.map((c) => c.id)).toEqual([started.conversation.id]);
    expect(seen.body.createdAt).toBe(started.conversation.createdAt);
    const listed = (await t.http('GET', `/api/v1/conversations/${started.conversation.id}`, { token: town.agentSco.token })).body;
    expect(listed.contact).toEqual({ id: citizen.contactId, name: null });
    await expectEventually(() =>
      expect(sco.of<ConversationDto>('conversation.created').map((c) => c.id)).toContain(started.conversation.id),
    );
    const received = JSON.stringify(sco.events);
    expect(received).not.toContain('Nadia');
    expect(received).not.toContain('nadia.benali');
  });

  it('searching by the citizen’s name or e-mail does not find the conversation for that agent', async () => {
    expect(await search(town.agentSco.token, 'nadia.benali@example.fr')).not.toContain(started.conversation.id);
    expect(await search(town.agentSco.token, 'Benali')).not.toContain(started.conversation.id);
    // By the number they typed, they do.
    expect(await search(town.agentSco.token, '06 11 22 33 44')).toContain(started.conversation.id);
  });

  it('the agent cannot remove an identity they cannot see', async () => {
    const res = await t.http('DELETE', `/api/v1/contacts/${citizen.contactId}/identities/${citizen.emailId}`, {
      token: town.agentSco.token,
    });
    expect(res.status).toBe(404);
    expect((await t.db.query(`SELECT 1 FROM contact_identity WHERE id = $1`, [citizen.emailId])).rows).toHaveLength(1);
  });

  it('an identity the agent adds is shown to them, not to the other services', async () => {
    const added = await t.http('POST', `/api/v1/contacts/${citizen.contactId}/identities`, {
      token: town.agentSco.token,
      body: { kind: 'email', value: 'parent.eleve@example.fr' },
    });
    expect(added.status).toBe(201);
    expect(added.body.map((i: { kind: string; value: string }) => `${i.kind}:${i.value}`)).toEqual([
      'email:parent.eleve@example.fr',
      'phone:+33611223344',
    ]);
    const ec = await contact(town.agentEC.token, citizen.contactId);
    expect(ec.body.identities.map((i) => i.value)).not.toContain('parent.eleve@example.fr');
  });

  it('a name the agent types stays on their conversation and does not rename the citizen', async () => {
    const res = await t.http('POST', '/api/v1/conversations', {
      token: town.agentSco.token,
      body: {
        channelKind: 'sms',
        to: '06 11 22 33 44',
        name: 'Maman de Léa',
        teamId: town.scolarite.id,
        body: 'Bonjour, le dossier de Léa est complet.',
      },
    });
    expect(res.status).toBe(201);
    expect(res.body.conversation.contact).toEqual({ id: citizen.contactId, name: 'Maman de Léa' });
    expect((await contact(town.agentSco.token, citizen.contactId)).body.name).toBe('Maman de Léa');
    expect((await t.db.query(`SELECT name FROM contact WHERE id = $1`, [citizen.contactId])).rows[0].name).toBe('Nadia Benali');
    // État civil keeps seeing the name it was given.
    const ec = await contact(town.agentEC.token, citizen.contactId);
    expect(ec.body.name).toBe('Nadia Benali');
  });

  it('the service that holds the citizen’s file and the supervisors see all of it', async () => {
    const ec = await contact(town.agentEC.token, citizen.contactId);
    expect(ec.body.identities.map((i) => `${i.kind}:${i.value}`)).toEqual([
      'email:nadia.benali@example.fr',
      'phone:+33611223344',
    ]);
    expect(ec.body.conversations.map((c) => c.id)).toEqual([citizen.conversationId]);
    const ecConversation = (await t.http('GET', `/api/v1/conversations/${citizen.conversationId}`, { token: town.agentEC.token }))
      .body;
    expect(ecConversation.contact.name).toBe('Nadia Benali');

    const sup = await contact(town.supervisor.token, citizen.contactId);
    expect(sup.body.name).toBe('Nadia Benali');
    expect(sup.body.identities.map((i) => `${i.kind}:${i.value}`)).toEqual([
      'email:nadia.benali@example.fr',
      'email:parent.eleve@example.fr',
      'phone:+33611223344',
    ]);
    expect(sup.body.conversations.map((c) => c.id)).toContain(citizen.conversationId);
    expect(sup.body.conversations.map((c) => c.id)).toContain(started.conversation.id);
    expect(await search(town.supervisor.token, 'nadia.benali@example.fr')).toContain(started.conversation.id);
  });
});
