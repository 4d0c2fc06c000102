import { randomUUID } from 'node:crypto';
import type { ConversationDto, LabelDto, Page } from '@guichet/contracts';
import { connectRecording, expectEventually, type RecordingClient } from '@guichet/testing';
import { seedTown, startTestApp, type TestApp } from '../harness';

/** Issues 13 and 21: labels (étiquettes) per organization, on conversations, filterable, pushed live. */
describe('labels', () => {
  let t: TestApp;
  let town: Awaited<ReturnType<typeof seedTown>>;
  let other: Awaited<ReturnType<typeof seedTown>>;
  let urgent: LabelDto;
  let enfance: LabelDto;

  const label = (token: string, body: unknown) => t.http<LabelDto>('POST', '/api/v1/labels', { token, body });
  const get = (id: string, token = town.agentEC.token) =>
    t.http<ConversationDto>('GET', `/api/v1/conversations/${id}`, { token });
  const patch = async (id: string, body: Record<string, unknown>, token = town.agentEC.token) => {
    const { version } = (await get(id, token)).body;
    return t.http<ConversationDto>('PATCH', `/api/v1/conversations/${id}`, { token, body: { ...body, version } });
  };
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
    urgent = (await label(town.admin.token, { name: 'Urgent mairie', color: '#B91C1C' })).body;
    enfance = (await label(town.supervisor.token, { name: 'enfance' })).body;
  });
  afterAll(() => t.close());

  it('admins and supervisors define the organization’s labels; agents read them, by name', async () => {
    expect(urgent).toEqual({ id: expect.any(String), name: 'Urgent mairie', color: '#b91c1c' });
    expect(enfance.color).toMatch(/^#[0-9a-f]{6}$/);
    expect((await label(town.agentEC.token, { name: 'Interdit' })).status).toBe(403);
    const dup = await label(town.admin.token, { name: 'URGENT MAIRIE' });
    expect(dup.status).toBe(409);
    expect(JSON.stringify(dup.body)).toContain('existe déjà');
    const bad = await label(town.admin.token, { name: 'Couleur', color: 'rouge' });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body)).toContain('#rrggbb');
    const list = await t.http<LabelDto[]>('GET', '/api/v1/labels', { token: town.agentEC.token });
    expect(list.body.map((l) => l.name)).toEqual(['enfance', 'Urgent mairie']);
    // Another town's labels are not these.
    expect((await t.http<LabelDto[]>('GET', '/api/v1/labels', { token: other.agentEC.token })).body).toEqual([]);
  });

  it('an agent sets labels on a file of their service; the DTO carries them by name and the change is pushed live', async () => {
    const id = await sms('Bonjour, une question sur la cantine');
    const socket: RecordingClient = await connectRecording(t.url, town.supervisor.token);
    try {
      const res = await patch(id, { labelIds: [urgent.id, enfance.id] });
      expect(res.status).toBe(200);
      expect(res.body.labels).toEqual([enfance, urgent]);
      await expectEventually(() =>
        expect(
          socket
            .of<ConversationDto>('conversation.updated')
            .some((c) => c.id === id && c.labels.map((l) => l.id).join() === [enfance.id, urgent.id].join()),
        ).toBe(true),
      );
      const removed = await patch(id, { labelIds: [urgent.id] });
      expect(removed.body.labels).toEqual([urgent]);
      expect((await get(id)).body.labels).toEqual([urgent]);
    } finally {
      socket.close();
    }
  });

  it('refuses a label of another organization or unknown, with a reason, and changes nothing', async () => {
    const id = await sms('Demande de renseignements');
    const foreign = (await label(other.admin.token, { name: 'Autre ville' })).body;
    const res = await patch(id, { labelIds: [foreign.id] });
    expect(res.status).toBe(400);
    expect(JSON.stringify(res.body)).toContain('étiquette inconnue');
    expect((await patch(id, { labelIds: ['not-a-uuid'] })).status).toBe(400);
    expect((await get(id)).body.labels).toEqual([]);
    // A file of another service is not the agent's to label.
    const sco = await t.http('GET', `/api/v1/conversations/${id}`, { token: town.agentSco.token });
    expect(sco.status).toBe(404);
  });

  it('the inbox filters by label (labelId), in a view and in a search', async () => {
    const a = await sms('Inscription périscolaire pour mon fils');
    const b = await sms('Inscription périscolaire pour ma fille');
    await patch(a, { labelIds: [enfance.id] });
    const list = await t.http<Page<ConversationDto>>(
      'GET',
      `/api/v1/conversations?teamId=${town.etatCivil.id}&status=open&labelId=${enfance.id}`,
      { token: town.agentEC.token },
    );
    expect(list.status).toBe(200);
    expect(list.body.items.map((c) => c.id)).toContain(a);
    expect(list.body.items.map((c) => c.id)).not.toContain(b);
    expect(list.body.items.every((c) => c.labels.some((l) => l.id === enfance.id))).toBe(true);
    const search = await t.http<Page<ConversationDto>>('GET', `/api/v1/conversations?q=périscolaire&labelId=${enfance.id}`, {
      token: town.agentEC.token,
    });
    expect(search.body.items.map((c) => c.id)).toEqual([a]);
    expect((await t.http('GET', '/api/v1/conversations?labelId=x', { token: town.agentEC.token })).status).toBe(400);
  });

  it('a deleted label leaves the files that carried it', async () => {
    const temp = (await label(town.admin.token, { name: 'Temporaire' })).body;
    const id = await sms('Un message de passage');
    await patch(id, { labelIds: [temp.id] });
    expect((await t.http('DELETE', `/api/v1/labels/${temp.id}`, { token: town.agentEC.token })).status).toBe(403);
    expect((await t.http('DELETE', `/api/v1/labels/${temp.id}`, { token: town.admin.token })).status).toBe(204);
    expect((await get(id)).body.labels).toEqual([]);
    expect((await t.http('DELETE', `/api/v1/labels/${temp.id}`, { token: town.admin.token })).status).toBe(404);
  });
});
