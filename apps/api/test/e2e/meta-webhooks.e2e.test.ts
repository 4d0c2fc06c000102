import { createHash, createHmac, randomBytes } from 'node:crypto';
import type { ConversationCountedDto, ConversationDto, MessageDto } from '@guichet/contracts';
import {
  connectRecording,
  expectEventually,
  metaPayloads as P,
  startGraphServer,
  type GraphServer,
  type RecordingClient,
} from '@guichet/testing';
import { seedTown, startTestApp, type TestApp } from '../harness';

const PAGE = '1001';
const APP_SECRET = 'app-secret-meta-1';
const sign = (raw: string, secret = APP_SECRET) => `sha256=${createHmac('sha256', secret).update(raw).digest('hex')}`;
const mid = () => `m_${randomBytes(10).toString('base64url')}`;

describe('Meta webhooks (Messenger, Instagram, page comments)', () => {
  let t: TestApp;
  let town: Awaited<ReturnType<typeof seedTown>>;
  let graph: GraphServer;
  let channelId: string;
  let igChannelId: string;
  const clients: RecordingClient[] = [];

  /** Posts a notification; acknowledged once stored, it is processed before this resolves. */
  const post = async (raw: string, o: { signature?: string | null; channel?: string } = {}) => {
    const res = await t.http('POST', `/webhooks/meta/${o.channel ?? channelId}`, {
      body: raw,
      headers: o.signature === null ? {} : { 'x-hub-signature-256': o.signature ?? sign(raw) },
    });
    if (res.status === 200) await t.webhooksProcessed();
    return res;
  };
  const deliver = (payload: object, channel?: string) => post(JSON.stringify(payload), { channel });
  const counts = async () => ({
    messages: await t.count('message'),
    contacts: await t.count('contact'),
    conversations: await t.count('conversation'),
  });
  /** The counts once the jobs of what was written so far have run (an earlier comment's post lookup, say). */
  const settledCounts = async () => {
    await t.settled();
    return counts();
  };
  const messagesOf = async (conversationId: string): Promise<MessageDto[]> =>
    (await t.http('GET', `/api/v1/conversations/${conversationId}/messages`, { token: town.supervisor.token })).body.items;
  const conversationOfMid = async (m: string) =>
    (await t.db.query(`SELECT conversation_id FROM message WHERE external_id = $1`, [m])).rows[0]?.conversation_id as
      string | undefined;

  beforeAll(async () => {
    graph = await startGraphServer();
    graph.acceptTokens('page-token');
    t = await startTestApp();
    town = await seedTown(t);
    const created = await t.http('POST', '/api/v1/channels', {
      token: town.admin.token,
      body: {
        kind: 'messenger',
        name: 'Facebook de la ville',
        teamId: town.etatCivil.id,
        config: {
          pageId: PAGE,
          pageAccessToken: 'page-token',
          appSecret: APP_SECRET,
          verifyToken: 'verif-token-1',
          graphApiBaseUrl: graph.url,
        },
      },
    });
    expect(created.status).toBe(201);
    channelId = created.body.id;
    const ig = await t.http('POST', '/api/v1/channels', {
      token: town.admin.token,
      body: {
        kind: 'instagram',
        name: 'Instagram de la ville',
        teamId: town.etatCivil.id,
        config: {
          instagramAccountId: '1784',
          pageAccessToken: 'page-token',
          appSecret: APP_SECRET,
          verifyToken: 'verif-token-ig',
          graphApiBaseUrl: graph.url,
        },
      },
    });
    igChannelId = ig.body.id;
  });
  afterAll(async () => {
    clients.forEach((c) => c.close());
    await t.close();
    await graph.close();
  });

  describe('subscription handshake', () => {
    it('echoes hub.challenge as text for the channel verify token', async () => {
      const res = await t.http(
        'GET',
        `/webhooks/meta/${channelId}?hub.mode=subscribe&hub.verify_token=verif-token-1&hub.challenge=1158201444`,
      );
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
      expect(res.body).toBe(1158201444);
    });

    it('refuses a wrong token, another channel’s token or another mode (403), an unknown channel (404)', async () => {
      expect(
        (await t.http('GET', `/webhooks/meta/${channelId}?hub.mode=subscribe&hub.verify_token=mauvais&hub.challenge=1`)).status,
      ).toBe(403);
      expect(
        (await t.http('GET', `/webhooks/meta/${channelId}?hub.mode=subscribe&hub.verify_token=verif-token-ig&hub.challenge=1`))
          .status,
      ).toBe(403);
      expect(
        (await t.http('GET', `/webhooks/meta/${channelId}?hub.mode=unsubscribe&hub.verify_token=verif-token-1&hub.challenge=1`))
          .status,
      ).toBe(403);
      expect((await t.http('GET', `/webhooks/meta/${channelId}?hub.challenge=1`)).status).toBe(403);
      expect(
        (
          await t.http(
            'GET',
            `/webhooks/meta/00000000-0000-4000-8000-000000000000?hub.mode=subscribe&hub.verify_token=x&hub.challenge=1`,
          )
        ).status,
      ).toBe(404);
      expect(
        (await t.http('GET', `/webhooks/meta/${town.sms.id}?hub.mode=subscribe&hub.verify_token=x&hub.challenge=1`)).status,
      ).toBe(404);
      expect((await t.http('GET', `/webhooks/meta/pas-un-id?hub.mode=subscribe`)).status).toBe(404);
    });
  });

  it('a Messenger message lands in a new citizen’s file and on the agent’s socket; the name is looked up once', async () => {
    graph.setProfile('PSID-JEANNE', { name: 'Jeanne Martin', profile_pic: 'https://scontent.example/jeanne.jpg' });
    const agent = await connectRecording(t.url, town.agentEC.token);
    clients.push(agent);
    const before = await settledCounts();
    const m1 = mid();
    const res = await deliver(
      P.messaging('page', [
        { accountId: PAGE, events: [P.text(PAGE, 'PSID-JEANNE', m1, 'Bonjour, ma poubelle n’a pas été ramassée')] },
      ]),
    );
    expect(res.status).toBe(200);
    expect(res.body).toBe('EVENT_RECEIVED');
    // Stored before the answer.
    expect(await counts()).toEqual({
      messages: before.messages + 1,
      contacts: before.contacts + 1,
      conversations: before.conversations + 1,
    });
    const conversationId = (await conversationOfMid(m1))!;
    await expectEventually(() => {
      const [conv] = agent.of<ConversationDto>('conversation.created');
      expect(conv).toMatchObject({ id: conversationId, teamId: town.etatCivil.id, lastChannelKind: 'messenger' });
      const [msg] = agent.of<MessageDto>('message.created');
      expect(msg).toMatchObject({
        conversationId,
        direction: 'inbound',
        channelKind: 'messenger',
        body: 'Bonjour, ma poubelle n’a pas été ramassée',
      });
    });
    const { rows: identity } = await t.db.query(
      `SELECT kind, value, contact_id FROM contact_identity WHERE value = 'PSID-JEANNE'`,
    );
    expect(identity).toEqual([expect.objectContaining({ kind: 'messenger' })]);
    await expectEventually(async () => {
      const { rows } = await t.db.query(`SELECT name, avatar_url FROM contact WHERE id = $1`, [identity[0].contact_id]);
      expect(rows[0]).toEqual({ name: 'Jeanne Martin', avatar_url: 'https://scontent.example/jeanne.jpg' });
    });
    await expectEventually(() =>
      expect(agent.of<ConversationDto>('conversation.updated').some((c) => c.contact.name === 'Jeanne Martin')).toBe(true),
    );
    // The file she wrote in shows the name too, told in the same update as the citizen's card.
    const { rows: named } = await t.db.query(`SELECT citizen_name FROM conversation WHERE id = $1`, [conversationId]);
    expect(named).toEqual([{ citizen_name: 'Jeanne Martin' }]);
    expect(graph.find('GET', 'PSID-JEANNE')[0]!.query.fields).toBe('name,profile_pic');
    // A second message: same file, no second lookup.
    await deliver(P.messaging('page', [{ accountId: PAGE, events: [P.text(PAGE, 'PSID-JEANNE', mid(), 'Rue des Lilas')] }]));
    expect((await messagesOf(conversationId)).map((m) => m.body)).toEqual([
      'Bonjour, ma poubelle n’a pas été ramassée',
      'Rue des Lilas',
    ]);
    // Had a second lookup been queued, it would have run by now.
    await t.settled();
    expect(graph.find('GET', 'PSID-JEANNE')).toHaveLength(1);
  });

  it('processes every entry of a batch, in order, for several citizens', async () => {
    const [a1, a2, b1] = [mid(), mid(), mid()];
    const res = await deliver(
      P.messaging('page', [
        { accountId: PAGE, events: [P.text(PAGE, 'PSID-A', a1, 'Premier'), P.text(PAGE, 'PSID-B', b1, 'Autre citoyen')] },
        {
          accountId: PAGE,
          events: [P.text(PAGE, 'PSID-A', a2, 'Second', Date.now() + 1, { quick_reply: { payload: 'RDV_MATIN' } })],
        },
        { accountId: '9999', events: [P.text('9999', 'PSID-C', mid(), 'Pas pour cette page')] },
        // A malformed event is skipped; the rest of the batch is kept.
        {
          accountId: PAGE,
          events: [{ sender: { id: 'PSID-A' }, recipient: { id: PAGE }, timestamp: Date.now(), message: { text: 'sans mid' } }],
        },
      ]),
    );
    expect(res.status).toBe(200);
    const convA = await conversationOfMid(a1);
    expect(await conversationOfMid(a2)).toBe(convA);
    expect(await conversationOfMid(b1)).not.toBe(convA);
    expect((await messagesOf(convA!)).map((m) => m.body)).toEqual(['Premier', 'Second']);
    const { rows } = await t.db.query(`SELECT meta FROM message WHERE external_id = $1`, [a2]);
    expect(rows[0].meta).toMatchObject({ quickReplyPayload: 'RDV_MATIN' });
    expect((await t.db.query(`SELECT 1 FROM contact_identity WHERE value = 'PSID-C'`)).rowCount).toBe(0);
  });

  it('stores the same mid once, however often Meta delivers it', async () => {
    const m = mid();
    const payload = JSON.stringify(
      P.messaging('page', [{ accountId: PAGE, events: [P.text(PAGE, 'PSID-DUP', m, 'Une seule fois')] }]),
    );
    const before = await settledCounts();
    const answers = await Promise.all([post(payload), post(payload), post(payload)]);
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200]);
    expect((await post(payload)).status).toBe(200);
    expect(await counts()).toEqual({
      messages: before.messages + 1,
      contacts: before.contacts + 1,
      conversations: before.conversations + 1,
    });
  });

  it('refuses a forged, missing or re-signed-with-another-secret signature: 403 and no trace', async () => {
    const agent = await connectRecording(t.url, town.supervisor.token);
    clients.push(agent);
    // Earlier tests' conversations may still hear of their due dates (a listener after commit):
    // only a conversation that did not exist before the forged posts would be their trace.
    const existing = new Set((await t.db.query<{ id: string }>(`SELECT id FROM conversation`)).rows.map((r) => r.id));
    const raw = JSON.stringify(P.messaging('page', [{ accountId: PAGE, events: [P.text(PAGE, 'PSID-FORGE', mid(), 'Faux')] }]));
    const before = await settledCounts();
    const requests = graph.requests.length;
    expect((await post(raw, { signature: null })).status).toBe(403);
    expect((await post(raw, { signature: sign(raw, 'autre-secret') })).status).toBe(403);
    expect((await post(raw, { signature: 'sha256=' + '0'.repeat(64) })).status).toBe(403);
    expect((await post(raw.replace('Faux', 'Vrai'), { signature: sign(raw) })).status).toBe(403);
    expect((await post(raw, { signature: sign(raw).replace('sha256=', 'sha1=') })).status).toBe(403);
    // Same content re-serialized with other spacing: the signature covers the exact bytes.
    expect((await post(JSON.stringify(JSON.parse(raw), null, 1), { signature: sign(raw) })).status).toBe(403);
    expect(
      (
        await t.http('POST', `/webhooks/meta/00000000-0000-4000-8000-000000000000`, {
          body: raw,
          headers: { 'x-hub-signature-256': sign(raw) },
        })
      ).status,
    ).toBe(404);
    // Nor anything queued: had a job been, it has run by now.
    expect(await settledCounts()).toEqual(before);
    expect((await t.db.query(`SELECT 1 FROM contact_identity WHERE value = 'PSID-FORGE'`)).rowCount).toBe(0);
    expect(graph.requests.length).toBe(requests);
    // Nothing about conversations (a supervisor also hears who is online).
    const traces = agent.events.filter((e) => {
      if (e.event === 'agents.online') return false;
      const payload = e.payload as { id?: string; conversationId?: string } | undefined;
      const id = e.event.startsWith('conversation.') ? payload?.id : payload?.conversationId;
      return !id || !existing.has(id);
    });
    expect(traces).toEqual([]);
  });

  it('a disabled channel acknowledges (so Meta does not retry for days) and stores nothing', async () => {
    const patch = (enabled: boolean) =>
      t.http('PATCH', `/api/v1/channels/${channelId}`, { token: town.admin.token, body: { enabled } });
    expect((await patch(false)).status).toBe(200);
    const before = await settledCounts();
    const res = await deliver(
      P.messaging('page', [{ accountId: PAGE, events: [P.text(PAGE, 'PSID-OFF', mid(), 'Canal coupé')] }]),
    );
    expect(res.status).toBe(200);
    expect(await settledCounts()).toEqual(before);
    expect((await patch(true)).status).toBe(200);
  });

  it('refuses a signed body that is not a Meta notification, or the wrong object for the channel (400)', async () => {
    expect((await post(JSON.stringify({ object: 'page' }))).status).toBe(400);
    expect((await post(JSON.stringify({ object: 'instagram', entry: [] }))).status).toBe(400);
  });

  it('fetches image, file and audio attachments into the blob store; stickers and shares are recorded', async () => {
    const jpeg = randomBytes(2048);
    const imageUrl = graph.addFile('photo-nid-de-poule.jpg', jpeg, 'image/jpeg');
    const pdfUrl = graph.addFile('justificatif.pdf', '%PDF-1.4 test', 'application/pdf');
    const audioUrl = graph.addFile('audioclip-1.mp4', randomBytes(512), 'audio/mp4');
    const m = mid();
    await deliver(
      P.messaging('page', [
        {
          accountId: PAGE,
          events: [
            P.attachments(
              PAGE,
              'PSID-ATT',
              m,
              [
                { type: 'image', payload: { url: imageUrl } },
                { type: 'file', payload: { url: pdfUrl } },
                { type: 'audio', payload: { url: audioUrl } },
                { type: 'image', payload: { url: 'https://scontent.example/sticker.png', sticker_id: 369239263222822 } },
                { type: 'fallback', payload: { url: 'https://www.ville.fr/travaux', title: 'Travaux rue Haute' } },
              ],
              'Voici la photo',
            ),
          ],
        },
      ]),
    );
    const conversationId = (await conversationOfMid(m))!;
    const message = await expectEventually(
      async () => {
        const [msg] = await messagesOf(conversationId);
        expect(msg!.attachments).toHaveLength(3);
        return msg!;
      },
      { timeoutMs: 10_000 },
    );
    expect(message.body).toBe(
      'Voici la photo\n[Image]\n[Fichier]\n[Message vocal]\n[Autocollant]\n[Lien : Travaux rue Haute] https://www.ville.fr/travaux',
    );
    const image = message.attachments.find((a) => a.contentType === 'image/jpeg')!;
    expect(image).toMatchObject({
      fileName: 'photo-nid-de-poule.jpg',
      size: 2048,
      sha256: expect.stringMatching(/^[0-9a-f]{64}$/),
    });
    expect(message.attachments.map((a) => a.contentType).sort()).toEqual(['application/pdf', 'audio/mp4', 'image/jpeg']);
    expect(image.sha256).toBe(createHash('sha256').update(jpeg).digest('hex'));
  });

  it('records a reaction as an event in the conversation of the message', async () => {
    const m = mid();
    await deliver(P.messaging('page', [{ accountId: PAGE, events: [P.text(PAGE, 'PSID-REACT', m, 'Merci')] }]));
    const reaction = P.messaging('page', [{ accountId: PAGE, events: [P.reaction(PAGE, 'PSID-REACT', m, '👍')] }]);
    await deliver(reaction);
    await deliver(reaction);
    const items = await messagesOf((await conversationOfMid(m))!);
    expect(items.map((i) => [i.kind, i.body])).toEqual([
      ['message', 'Merci'],
      ['event', 'Réaction 👍 du citoyen à un message'],
    ]);
  });

  it('records a message written in Meta’s own inbox as outbound by "Meta"', async () => {
    const screen = await connectRecording(t.url, town.supervisor.token);
    clients.push(screen);
    const heard: { conversation: ConversationDto; before?: ConversationCountedDto }[] = [];
    screen.socket.on('conversation.updated', (conversation, before) => heard.push({ conversation, before }));
    const m1 = mid();
    await deliver(P.messaging('page', [{ accountId: PAGE, events: [P.text(PAGE, 'PSID-INBOX', m1, 'Question')] }]));
    const echoMid = mid();
    const echo = P.messaging('page', [
      { accountId: PAGE, events: [P.echo(PAGE, 'PSID-INBOX', echoMid, 'Réponse écrite depuis Meta Business Suite')] },
    ]);
    await deliver(echo);
    await deliver(echo);
    const conversationId = (await conversationOfMid(m1))!;
    const items = await messagesOf(conversationId);
    expect(items.map((i) => [i.direction, i.status, i.authorAgentId, i.body])).toEqual([
      ['inbound', 'received', null, 'Question'],
      ['outbound', 'sent', null, 'Réponse écrite depuis Meta Business Suite'],
    ]);
    const { rows } = await t.db.query(`SELECT meta FROM message WHERE external_id = $1`, [echoMid]);
    expect(rows[0].meta).toMatchObject({ author: 'Meta', source: 'meta-inbox' });
    // It is the file's first response: screens hear it with the state it found (no response yet),
    // so their "overdue" and "due within 48 h" counters move without GET /counts.
    await expectEventually(() => {
      const answered = heard.find((h) => h.conversation.id === conversationId && h.conversation.firstResponseAt);
      expect(answered?.before).toMatchObject({ firstResponseAt: null, version: answered!.conversation.version - 1 });
    });
  });

  it('an echo to a citizen whose processing is limited (RGPD art. 18) never enters the file the limitation freezes', async () => {
    const sup = town.supervisor.token;
    const conversation = async (id: string): Promise<ConversationDto> =>
      (await t.http('GET', `/api/v1/conversations/${id}`, { token: sup })).body;
    const setStatus = async (id: string, status: 'open' | 'resolved') => {
      const res = await t.http('PATCH', `/api/v1/conversations/${id}`, {
        token: sup,
        body: { status, version: (await conversation(id)).version },
      });
      expect(res.status).toBe(200);
    };
    const echo = (m: string, text: string) =>
      deliver(P.messaging('page', [{ accountId: PAGE, events: [P.echo(PAGE, 'PSID-LIMITED', m, text)] }]));
    // The citizen's limitation request (their rights request), then a file of theirs opened before
    // it is granted: the latest open one, which the limitation freezes.
    const m0 = mid();
    await deliver(P.messaging('page', [{ accountId: PAGE, events: [P.text(PAGE, 'PSID-LIMITED', m0, 'Gelez mes données.')] }]));
    const request = (await conversationOfMid(m0))!;
    const set = await t.http('PUT', `/api/v1/conversations/${request}/rights-request`, {
      token: sup,
      body: { kind: 'limitation' },
    });
    expect(set.status).toBe(200);
    await setStatus(request, 'resolved');
    const m1 = mid();
    await deliver(P.messaging('page', [{ accountId: PAGE, events: [P.text(PAGE, 'PSID-LIMITED', m1, 'Et ma carte grise ?')] }]));
    const frozen = (await conversationOfMid(m1))!;
    expect(frozen).not.toBe(request);
    await setStatus(request, 'open');
    const grant = await t.http('POST', `/api/v1/conversations/${request}/rights-request/grant`, {
      token: sup,
      body: { reason: 'Exactitude contestée (art. 18.1.a)' },
    });
    expect(grant.status).toBe(201);
    const contactId = (await conversation(frozen)).contact.id;
    // The frozen file is the latest open one: where an echo went before.
    const latestOpen = async () =>
      (
        await t.db.query(
          `SELECT id FROM conversation WHERE contact_id = $1 AND status IN ('open', 'pending', 'snoozed')
            ORDER BY last_message_at DESC LIMIT 1`,
          [contactId],
        )
      ).rows[0]?.id;
    expect(await latestOpen()).toBe(frozen);
    await t.settled();
    const untouched = async () => {
      const c = await conversation(frozen);
      return {
        version: c.version,
        status: c.status,
        lastMessageAt: c.lastMessageAt,
        messages: (await messagesOf(frozen)).length,
      };
    };
    const before = await untouched();

    // An answer from Meta's inbox goes to the rights request, which the limitation leaves processable.
    const e1 = mid();
    await echo(e1, 'Votre demande de limitation est enregistrée.');
    expect(await conversationOfMid(e1)).toBe(request);

    // With no file it may go to, a new file holds it (it was sent: kept), related to the frozen one
    // and frozen itself (its first message is the town's): stored once, nothing sent from it.
    await setStatus(request, 'resolved');
    const e2 = mid();
    await echo(e2, 'Bonjour, votre carte grise est prête.');
    await echo(e2, 'Bonjour, votre carte grise est prête.');
    const added = (await conversationOfMid(e2))!;
    expect([request, frozen]).not.toContain(added);
    const { rows } = await t.db.query(
      `SELECT c.status, c.possibly_related_to_id, guichet_limited_since(c.contact_id, c.id) IS NOT NULL AS frozen
         FROM conversation c WHERE c.id = $1`,
      [added],
    );
    expect(rows).toEqual([{ status: 'open', possibly_related_to_id: frozen, frozen: true }]);
    await t.settled();
    expect((await messagesOf(added)).map((i) => [i.direction, i.status, i.body])).toEqual([
      ['outbound', 'sent', 'Bonjour, votre carte grise est prête.'],
    ]);
    // The frozen file: no message, no new activity, not reopened.
    expect(await untouched()).toEqual(before);
  });

  it('Instagram messages make instagram identities', async () => {
    const m = mid();
    graph.setProfile('IGSID-1', { name: 'Léa', username: 'lea.photo', profile_pic: 'https://scontent.example/lea.jpg' });
    const res = await deliver(
      P.messaging('instagram', [{ accountId: '1784', events: [P.text('1784', 'IGSID-1', m, 'Coucou la mairie')] }]),
      igChannelId,
    );
    expect(res.status).toBe(200);
    expect((await t.db.query(`SELECT kind FROM contact_identity WHERE value = 'IGSID-1'`)).rows).toEqual([{ kind: 'instagram' }]);
    await expectEventually(
      async () => {
        const { rows } = await t.db.query(
          `SELECT c.name FROM contact c JOIN contact_identity i ON i.contact_id = c.id WHERE i.value = 'IGSID-1'`,
        );
        expect(rows[0].name).toBe('Léa');
        // Generous bound: the profile queue may still be draining earlier lookups.
      },
      { timeoutMs: 20_000 },
    );
    expect(graph.find('GET', 'IGSID-1')[0]!.query.fields).toBe('name,username,profile_pic');
    // A page notification on the Instagram channel is refused.
    expect((await deliver(P.messaging('page', [{ accountId: '1784', events: [] }]), igChannelId)).status).toBe(400);
  });
});
