import { connectRecording, expectEventually } from '@guichet/testing';
import type { ConversationDto } from '@guichet/contracts';
import { seedTown, startTestApp, type TestApp } from '../harness';

/** An agent writes first: POST /conversations opens a file by e-mail or SMS and queues the message. */
describe('starting a conversation', () => {
  let t: TestApp;
  let town: Awaited<ReturnType<typeof seedTown>>;

  beforeAll(async () => {
    t = await startTestApp();
    town = await seedTown(t);
  });
  afterAll(() => t.close());

  it('finds or creates the citizen by the address, opens an assigned conversation and queues the message, live', async () => {
    const watcher = await connectRecording(t.url, town.agentEC.token);
    try {
      const res = await t.http('POST', '/api/v1/conversations', {
        token: town.agentEC.token,
        body: {
          channelKind: 'email',
          to: ' Nadia.Benali@Example.FR ',
          name: 'Nadia Benali',
          subject: 'Votre dossier de mariage',
          body: 'Bonjour, il manque un justificatif.',
        },
      });
      expect(res.status).toBe(201);
      expect(res.body.conversation).toMatchObject({
        teamId: town.etatCivil.id,
        assigneeId: town.agentEC.id,
        subject: 'Votre dossier de mariage',
        status: 'open',
        contact: { name: 'Nadia Benali' },
        lastChannelKind: 'email',
      });
      expect(res.body.message).toMatchObject({
        direction: 'outbound',
        kind: 'message',
        channelId: town.email.id,
        status: 'queued',
        authorAgentId: town.agentEC.id,
      });
      const { rows } = await t.db.query(`SELECT kind, value FROM contact_identity WHERE contact_id = $1`, [
        res.body.conversation.contact.id,
      ]);
      expect(rows).toEqual([{ kind: 'email', value: 'nadia.benali@example.fr' }]);
      await expectEventually(() =>
        expect(watcher.of<ConversationDto>('conversation.created').map((c) => c.id)).toContain(res.body.conversation.id),
      );
      const mine = await t.http('GET', '/api/v1/conversations?assignee=me&status=open', { token: town.agentEC.token });
      expect(mine.body.items.map((c: ConversationDto) => c.id)).toContain(res.body.conversation.id);

      // The same citizen written to again: the same file, a new conversation.
      const again = await t.http('POST', '/api/v1/conversations', {
        token: town.agentEC.token,
        body: { channelKind: 'email', to: 'nadia.benali@example.fr', body: 'Autre sujet' },
      });
      expect(again.status).toBe(201);
      expect(again.body.conversation.contact.id).toBe(res.body.conversation.contact.id);
      expect(again.body.conversation.id).not.toBe(res.body.conversation.id);
    } finally {
      watcher.close?.();
    }
  });

  it('refuses bad addresses, foreign services, missing channels and empty messages, storing nothing', async () => {
    const before = {
      conversations: await t.count('conversation'),
      contacts: await t.count('contact'),
      messages: await t.count('message'),
    };
    const bad = await t.http('POST', '/api/v1/conversations', {
      token: town.agentEC.token,
      body: { channelKind: 'sms', to: '12', body: 'Bonjour' },
    });
    expect(bad.status).toBe(400);
    const badPhone = await t.http('POST', '/api/v1/conversations', {
      token: town.agentEC.token,
      body: { channelKind: 'sms', to: 'pas un numéro', body: 'Bonjour' },
    });
    expect(badPhone.status).toBe(400);
    expect(badPhone.body.message).toContain('numéro de téléphone invalide');
    const foreign = await t.http('POST', '/api/v1/conversations', {
      token: town.agentSco.token,
      body: { channelKind: 'email', to: 'x@example.fr', teamId: town.etatCivil.id, body: 'Bonjour' },
    });
    expect(foreign.status).toBe(403);
    const noWhatsapp = await t.http('POST', '/api/v1/conversations', {
      token: town.agentEC.token,
      body: { channelKind: 'whatsapp', to: '+33612345678', body: 'Bonjour' },
    });
    expect(noWhatsapp.status).toBe(400);
    expect(noWhatsapp.body.message).toBe('aucun canal whatsapp actif dans votre organisation');
    const empty = await t.http('POST', '/api/v1/conversations', {
      token: town.agentEC.token,
      body: { channelKind: 'email', to: 'x@example.fr', body: '   ' },
    });
    expect(empty.status).toBe(400);
    // A supervisor belongs to no single service: they must say which one.
    const noTeam = await t.http('POST', '/api/v1/conversations', {
      token: town.supervisor.token,
      body: { channelKind: 'email', to: 'x@example.fr', body: 'Bonjour' },
    });
    expect(noTeam.status).toBe(400);
    expect(noTeam.body.message).toBe('choisissez le service de la conversation');
    expect({
      conversations: await t.count('conversation'),
      contacts: await t.count('contact'),
      messages: await t.count('message'),
    }).toEqual(before);
  });

  it('lets a supervisor open one in any service by SMS', async () => {
    const res = await t.http('POST', '/api/v1/conversations', {
      token: town.supervisor.token,
      body: { channelKind: 'sms', to: '06 12 34 56 78', teamId: town.scolarite.id, body: 'Bonjour, la cantine reprend lundi.' },
    });
    expect(res.status).toBe(201);
    expect(res.body.conversation).toMatchObject({
      teamId: town.scolarite.id,
      assigneeId: town.supervisor.id,
      lastChannelKind: 'sms',
    });
    expect(res.body.message.channelId).toBe(town.sms.id);
    const { rows } = await t.db.query(`SELECT value FROM contact_identity WHERE contact_id = $1`, [
      res.body.conversation.contact.id,
    ]);
    expect(rows).toEqual([{ value: '+33612345678' }]);
  });
});
