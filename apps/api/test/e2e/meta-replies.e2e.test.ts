import { createHmac, randomBytes } from 'node:crypto';
import type { MessageDto } from '@guichet/contracts';
import {
  connectRecording,
  expectEventually,
  metaPayloads as P,
  startGraphServer,
  type GraphServer,
  type RecordingClient,
} from '@guichet/testing';
import type { Job } from 'pg-boss' with { 'resolution-mode': 'import' };
import { MetaJobs, type CommentSendJob } from '../../src/modules/meta/meta-jobs';
import { OutboundWorker, type OutboundJob } from '../../src/modules/outbound/outbound.worker';
import { seedTown, startTestApp, type TestApp } from '../harness';

const PAGE = '1001';
const APP_SECRET = 'app-secret-meta-2';
const mid = () => `m_${randomBytes(10).toString('base64url')}`;
const psid = () => `PSID-${randomBytes(4).toString('hex')}`;

describe('Meta outbound: replies, windows, receipts, Graph errors, page comments', () => {
  let t: TestApp;
  let town: Awaited<ReturnType<typeof seedTown>>;
  let graph: GraphServer;
  let channelId: string;
  const clients: RecordingClient[] = [];

  /** Posts a notification; acknowledged once stored, it is processed before this resolves. */
  const deliver = async (payload: object) => {
    const raw = JSON.stringify(payload);
    const res = await t.http('POST', `/webhooks/meta/${channelId}`, {
      body: raw,
      headers: { 'x-hub-signature-256': `sha256=${createHmac('sha256', APP_SECRET).update(raw).digest('hex')}` },
    });
    if (res.status === 200) await t.webhooksProcessed();
    return res;
  };
  const conversationOf = async (externalId: string) =>
    (await t.db.query(`SELECT conversation_id FROM message WHERE external_id = $1`, [externalId])).rows[0]
      ?.conversation_id as string;
  const citizenWrites = async (sender: string, text = 'Bonjour') => {
    const m = mid();
    expect((await deliver(P.messaging('page', [{ accountId: PAGE, events: [P.text(PAGE, sender, m, text)] }]))).status).toBe(200);
    return conversationOf(m);
  };
  const version = async (id: string) =>
    (await t.http('GET', `/api/v1/conversations/${id}`, { token: town.agentEC.token })).body.version as number;
  const reply = async (id: string, body: string) =>
    t.http('POST', `/api/v1/conversations/${id}/messages`, {
      token: town.agentEC.token,
      body: { kind: 'reply', body, version: await version(id) },
    });
  const message = async (id: string) => {
    const { rows } = await t.db.query(`SELECT status, error, external_id, meta FROM message WHERE id = $1`, [id]);
    return rows[0] as { status: string; error: string | null; external_id: string | null; meta: Record<string, unknown> | null };
  };
  const lastInboundAgo = (conversationId: string, interval: string) =>
    t.db.query(`UPDATE message SET created_at = now() - $2::interval WHERE conversation_id = $1 AND direction = 'inbound'`, [
      conversationId,
      interval,
    ]);
  const sendsTo = (recipient: string) =>
    graph.find('POST', `${PAGE}/messages`).filter((r) => (r.body.recipient as { id?: string })?.id === recipient);

  beforeAll(async () => {
    graph = await startGraphServer();
    graph.acceptTokens('page-token-2');
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
          pageAccessToken: 'page-token-2',
          appSecret: APP_SECRET,
          verifyToken: 'v',
          graphApiBaseUrl: graph.url,
          graphApiVersion: 'v22.0',
        },
      },
    });
    expect(created.status).toBe(201);
    channelId = created.body.id;
  });
  afterAll(async () => {
    clients.forEach((c) => c.close());
    await t.close();
    await graph.close();
  });

  it('the agent’s reply reaches the Graph stand-in with the right recipient and messaging type; echo, delivery and read follow', async () => {
    const citizen = psid();
    const conversationId = await citizenWrites(citizen, 'Quels sont vos horaires ?');
    const agent = await connectRecording(t.url, town.agentEC.token);
    clients.push(agent);
    graph.script({
      method: 'POST',
      path: `${PAGE}/messages`,
      reply: { body: { recipient_id: citizen, message_id: 'm_reply_1' } },
    });
    const res = await reply(conversationId, 'Du lundi au vendredi, 8 h 30 – 17 h.');
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ status: 'queued', channelKind: 'messenger' });
    await expectEventually(
      // The worker's claim (`sending`) is told first, then the outcome.
      () =>
        expect(
          agent
            .of<MessageDto>('message.updated')
            .filter((m) => m.id === res.body.id)
            .map((m) => m.status),
        ).toContain('sent'),
      { timeoutMs: 15_000 },
    );
    const [call] = sendsTo(citizen);
    expect(call).toMatchObject({
      version: 'v22.0',
      accessToken: 'page-token-2',
      body: {
        recipient: { id: citizen },
        messaging_type: 'RESPONSE',
        message: { text: 'Du lundi au vendredi, 8 h 30 – 17 h.', metadata: `guichet:${res.body.id}` },
      },
    });
    expect(await message(res.body.id)).toMatchObject({ status: 'sent', external_id: 'm_reply_1' });

    // Meta echoes our own send: nothing new is stored. Counted once the jobs of what was written
    // so far have run (a new citizen's profile lookup, say), then again once the echo's have.
    await t.settled();
    const before = await t.count('message');
    await deliver(
      P.messaging('page', [
        {
          accountId: PAGE,
          events: [
            P.echo(PAGE, citizen, 'm_reply_1', 'Du lundi au vendredi, 8 h 30 – 17 h.', { metadata: `guichet:${res.body.id}` }),
          ],
        },
      ]),
    );
    await t.settled();
    expect(await t.count('message')).toBe(before);

    await deliver(P.messaging('page', [{ accountId: PAGE, events: [P.delivery(PAGE, citizen, ['m_reply_1'])] }]));
    expect(await message(res.body.id)).toMatchObject({ status: 'delivered' });
    await expectEventually(() =>
      expect(agent.of<MessageDto>('message.updated').some((m) => m.id === res.body.id && m.status === 'delivered')).toBe(true),
    );
    const readAt = Date.now();
    await deliver(P.messaging('page', [{ accountId: PAGE, events: [P.read(PAGE, citizen, readAt)] }]));
    expect((await message(res.body.id)).meta).toMatchObject({ readAt: new Date(readAt).toISOString() });
    await t.settled();
    expect(await t.count('message')).toBe(before);
  });

  it('an echo that arrives before the Send API answer is linked to our message, not stored twice', async () => {
    const citizen = psid();
    const conversationId = await citizenWrites(citizen);
    graph.script({
      method: 'POST',
      path: `${PAGE}/messages`,
      reply: (req) => {
        // Meta's echo (carrying our metadata back) overtakes the HTTP answer.
        const metadata = (req.body.message as { metadata: string }).metadata;
        void deliver(
          P.messaging('page', [{ accountId: PAGE, events: [P.echo(PAGE, citizen, 'm_race_1', 'Réponse', { metadata })] }]),
        );
        return { body: { recipient_id: citizen, message_id: 'm_race_1' }, delayMs: 400 };
      },
    });
    const res = await reply(conversationId, 'Réponse');
    const messageId: string = res.body.id;
    await expectEventually(
      async () => expect(await message(messageId)).toMatchObject({ status: 'sent', external_id: 'm_race_1' }),
      { timeoutMs: 15_000 },
    );
    const { rows } = await t.db.query(`SELECT count(*)::int AS n FROM message WHERE conversation_id = $1`, [conversationId]);
    expect(rows[0].n).toBe(2);
  });

  /**
   * Issue 18: an attempt whose outcome was never written (its process killed between the Send
   * API's answer and the write): Meta cannot be asked, so the reply waits for an agent, unless an
   * echo of it already told its mid. Made here as such a process leaves it: `sending`, an instance
   * that is gone, a minute ago; then the job run again (the worker's `handle`, as the queue runs it).
   */
  const interruptedAttempt = (messageId: string, keepEchoedId: boolean) =>
    t.db.query(
      `UPDATE message SET status = 'sending', send_instance = 'instance-disparue', send_started_at = now() - interval '1 minute',
              external_id = CASE WHEN $2 THEN external_id END
        WHERE id = $1`,
      [messageId, keepEchoedId],
    );
  const runJob = (messageId: string) =>
    t.app.get(OutboundWorker).handle({
      id: `job-${messageId}`,
      data: { messageId, organizationId: town.org.id },
      retryCount: 0,
    } as unknown as Job<OutboundJob>);

  it('an interrupted reply no echo confirmed is not sent again: it waits, shown interrupted, for an agent to resend it', async () => {
    const citizen = psid();
    const conversationId = await citizenWrites(citizen, 'Le marché a-t-il lieu dimanche ?');
    const res = await reply(conversationId, 'Oui, de 8 h à 13 h, place de la mairie.');
    await expectEventually(async () => expect((await message(res.body.id)).status).toBe('sent'), { timeoutMs: 15_000 });
    expect(sendsTo(citizen)).toHaveLength(1);
    await interruptedAttempt(res.body.id, false);
    // Still being sent, for all anyone knows: not a reply an agent may send again yet.
    const early = await t.http('POST', `/api/v1/conversations/${conversationId}/messages/${res.body.id}/retry`, {
      token: town.agentEC.token,
    });
    expect(early.status).toBe(400);

    const agent = await connectRecording(t.url, town.agentEC.token);
    clients.push(agent);
    await runJob(res.body.id);
    expect(sendsTo(citizen)).toHaveLength(1);
    expect(await message(res.body.id)).toMatchObject({ status: 'sending', error: expect.stringMatching(/impossible de savoir/) });
    await expectEventually(() =>
      expect(agent.of<MessageDto>('message.updated').find((m) => m.id === res.body.id)).toMatchObject({
        status: 'sending',
        error: expect.stringMatching(/vérifiez la conversation/),
      }),
    );
    // The job run once more: it still waits for the agent.
    await runJob(res.body.id);
    expect(sendsTo(citizen)).toHaveLength(1);

    // The agent looked at the thread on Messenger: it did not arrive. Sent again, once.
    const retried = await t.http('POST', `/api/v1/conversations/${conversationId}/messages/${res.body.id}/retry`, {
      token: town.agentEC.token,
    });
    expect(retried.status).toBe(201);
    await expectEventually(async () => expect(await message(res.body.id)).toMatchObject({ status: 'sent', error: null }), {
      timeoutMs: 15_000,
    });
    expect(sendsTo(citizen)).toHaveLength(2);
  });

  it('an interrupted reply whose echo already told its mid is recorded sent, not sent again', async () => {
    const citizen = psid();
    const conversationId = await citizenWrites(citizen, 'La piscine est-elle ouverte ?');
    const res = await reply(conversationId, 'Oui, tous les jours sauf le lundi.');
    await expectEventually(async () => expect((await message(res.body.id)).status).toBe('sent'), { timeoutMs: 15_000 });
    const { external_id: mid } = await message(res.body.id);
    await interruptedAttempt(res.body.id, true);
    await runJob(res.body.id);
    expect(await message(res.body.id)).toMatchObject({ status: 'sent', external_id: mid, error: null });
    expect(sendsTo(citizen)).toHaveLength(1);
  });

  it('window rules: 23 h plain RESPONSE, 3 days with the HUMAN_AGENT tag, 8 days refused before any call', async () => {
    const citizen = psid();
    const conversationId = await citizenWrites(citizen);
    await lastInboundAgo(conversationId, '23 hours');
    const r1 = await reply(conversationId, 'Réponse à 23 h');
    expect(r1.status).toBe(201);
    await expectEventually(() => expect(sendsTo(citizen)).toHaveLength(1), { timeoutMs: 15_000 });
    expect(sendsTo(citizen)[0]!.body).toMatchObject({ messaging_type: 'RESPONSE' });
    expect(sendsTo(citizen)[0]!.body.tag).toBeUndefined();

    await lastInboundAgo(conversationId, '3 days');
    const r2 = await reply(conversationId, 'Réponse à 3 jours');
    expect(r2.status).toBe(201);
    await expectEventually(() => expect(sendsTo(citizen)).toHaveLength(2), { timeoutMs: 15_000 });
    expect(sendsTo(citizen)[1]!.body).toMatchObject({
      messaging_type: 'MESSAGE_TAG',
      tag: 'HUMAN_AGENT',
      message: { text: 'Réponse à 3 jours' },
    });

    await lastInboundAgo(conversationId, '8 days');
    await t.settled();
    const before = await t.count('message');
    const r3 = await reply(conversationId, 'Trop tard');
    expect(r3.status).toBe(400);
    expect(r3.body.message).toMatch(/Messenger.*7 jours|7 jours.*Messenger/);
    // Nothing stored, nothing queued that would call Graph.
    await t.settled();
    expect(await t.count('message')).toBe(before);
    expect(sendsTo(citizen)).toHaveLength(2);
  });

  it('Graph errors: a rate limit is retried with backoff; an unreachable user or an expired token fail with a French reason', async () => {
    const citizen = psid();
    const conversationId = await citizenWrites(citizen);
    graph.script({
      method: 'POST',
      path: (r) => r.path === `${PAGE}/messages` && (r.body.recipient as { id?: string })?.id === citizen,
      reply: graph.error({ code: 613, message: 'Calls to this api have exceeded the rate limit.' }),
    });
    const retried = await reply(conversationId, 'Après limite de débit');
    await expectEventually(async () => expect(await message(retried.body.id)).toMatchObject({ status: 'sent' }), {
      timeoutMs: 30_000,
      intervalMs: 200,
    });
    expect(sendsTo(citizen)).toHaveLength(2);

    const unreachable = psid();
    const c2 = await citizenWrites(unreachable);
    graph.script({
      method: 'POST',
      path: (r) => (r.body.recipient as { id?: string })?.id === unreachable,
      reply: graph.error({ code: 551, error_subcode: 1545041, message: "(#551) This person isn't available right now." }),
    });
    const failed = await reply(c2, 'Bonjour');
    await expectEventually(
      async () =>
        expect(await message(failed.body.id)).toMatchObject({ status: 'failed', error: expect.stringMatching(/injoignable/) }),
      { timeoutMs: 15_000 },
    );
    expect(sendsTo(unreachable)).toHaveLength(1);

    const expired = psid();
    const c3 = await citizenWrites(expired);
    graph.script({
      method: 'POST',
      path: (r) => (r.body.recipient as { id?: string })?.id === expired,
      reply: graph.error({ code: 190, error_subcode: 463, message: 'Error validating access token' }),
    });
    const e = await reply(c3, 'Bonjour');
    await expectEventually(
      async () =>
        expect(await message(e.body.id)).toMatchObject({ status: 'failed', error: expect.stringMatching(/jeton.*expiré/) }),
      { timeoutMs: 15_000 },
    );
    expect(sendsTo(expired)).toHaveLength(1);
  });

  it('Instagram comments: a conversation, a public reply through /replies, hiding with `hide`', async () => {
    const ig = await t.http('POST', '/api/v1/channels', {
      token: town.admin.token,
      body: {
        kind: 'instagram',
        name: 'Instagram',
        teamId: town.etatCivil.id,
        config: {
          instagramAccountId: '1784',
          pageAccessToken: 'page-token-2',
          appSecret: APP_SECRET,
          verifyToken: 'v',
          graphApiBaseUrl: graph.url,
        },
      },
    });
    graph.setPost('18000001', { caption: 'Marché de Noël samedi', permalink: 'https://www.instagram.com/p/abc/' });
    const raw = JSON.stringify({
      object: 'instagram',
      entry: [
        {
          id: '1784',
          time: Date.now(),
          changes: [
            {
              field: 'comments',
              value: {
                from: { id: '9901', username: 'lea.photo' },
                media: { id: '18000001', media_product_type: 'FEED' },
                id: '17900001',
                text: 'À quelle heure ?',
              },
            },
          ],
        },
      ],
    });
    const res = await t.http('POST', `/webhooks/meta/${ig.body.id}`, {
      body: raw,
      headers: { 'x-hub-signature-256': `sha256=${createHmac('sha256', APP_SECRET).update(raw).digest('hex')}` },
    });
    expect(res.status).toBe(200);
    await t.webhooksProcessed();
    const conversationId = await conversationOf('17900001');
    await expectEventually(
      async () => {
        const conv = (await t.http('GET', `/api/v1/conversations/${conversationId}`, { token: town.agentEC.token })).body;
        expect(conv).toMatchObject({ subject: 'Commentaire sur « Marché de Noël samedi »', contact: { name: 'lea.photo' } });
      },
      { timeoutMs: 15_000 },
    );
    const answer = await t.http('POST', `/api/v1/conversations/${conversationId}/meta/comment-reply`, {
      token: town.agentEC.token,
      body: { body: 'Dès 10 h !', version: await version(conversationId) },
    });
    expect(answer.status).toBe(201);
    await expectEventually(async () => expect(await message(answer.body.id)).toMatchObject({ status: 'sent' }), {
      timeoutMs: 15_000,
    });
    expect(graph.find('POST', '17900001/replies')[0]!.body).toEqual({ message: 'Dès 10 h !' });
    const hidden = await t.http('POST', `/api/v1/conversations/${conversationId}/meta/hide-comment`, {
      token: town.agentEC.token,
      body: {},
    });
    expect(hidden.status).toBe(200);
    expect(graph.find('POST', '17900001')[0]!.body).toEqual({ hide: true });

    // A direct message from the same person opens its own file, not the comment thread.
    const dm = async (m: string, text: string) => {
      const body = JSON.stringify(P.messaging('instagram', [{ accountId: '1784', events: [P.text('1784', '9901', m, text)] }]));
      const r = await t.http('POST', `/webhooks/meta/${ig.body.id}`, {
        body,
        headers: { 'x-hub-signature-256': `sha256=${createHmac('sha256', APP_SECRET).update(body).digest('hex')}` },
      });
      expect(r.status).toBe(200);
      await t.webhooksProcessed();
      return conversationOf(m);
    };
    const first = await dm('ig_dm_1', 'Bonjour en privé');
    expect(first).not.toBe(conversationId);
    expect(await dm('ig_dm_2', 'Suite')).toBe(first);
  });

  describe('page comments', () => {
    const POST_ID = `${PAGE}_555`;
    let conversationId: string;

    beforeAll(async () => {
      graph.setPost(POST_ID, {
        message: 'Travaux rue Haute du 2 au 6 décembre : circulation alternée.',
        permalink_url: 'https://www.facebook.com/ville/posts/555',
      });
    });

    it('a comment opens a conversation per commenter and post, showing the post’s text and link', async () => {
      const res = await deliver(
        P.comment(PAGE, {
          commentId: '555_9001',
          postId: POST_ID,
          fromId: '7001',
          fromName: 'Jeanne Martin',
          message: 'Et les bus ?',
        }),
      );
      expect(res.status).toBe(200);
      conversationId = await conversationOf('555_9001');
      await expectEventually(
        async () => {
          const conv = (await t.http('GET', `/api/v1/conversations/${conversationId}`, { token: town.agentEC.token })).body;
          expect(conv).toMatchObject({
            subject: 'Commentaire sur « Travaux rue Haute du 2 au 6 décembre : circulation alternée. »',
            contact: { name: 'Jeanne Martin' },
          });
        },
        { timeoutMs: 15_000 },
      );
      const items: MessageDto[] = (
        await t.http('GET', `/api/v1/conversations/${conversationId}/messages`, { token: town.agentEC.token })
      ).body.items;
      expect(items.map((m) => [m.kind, m.body])).toEqual([
        [
          'event',
          'Publication commentée : « Travaux rue Haute du 2 au 6 décembre : circulation alternée. »\nhttps://www.facebook.com/ville/posts/555',
        ],
        ['message', 'Et les bus ?'],
      ]);
      const context = await t.http('GET', `/api/v1/conversations/${conversationId}/meta/comment`, { token: town.agentEC.token });
      expect(context.body).toEqual({
        commentId: '555_9001',
        postId: POST_ID,
        postText: 'Travaux rue Haute du 2 au 6 décembre : circulation alternée.',
        permalink: 'https://www.facebook.com/ville/posts/555',
        hidden: false,
        privateReplyAvailable: true,
      });

      await deliver(
        P.comment(PAGE, {
          commentId: '555_9002',
          postId: POST_ID,
          fromId: '7001',
          fromName: 'Jeanne Martin',
          message: 'Et la ligne 3 ?',
        }),
      );
      expect(await conversationOf('555_9002')).toBe(conversationId);
      await deliver(
        P.comment(PAGE, { commentId: '555_9003', postId: POST_ID, fromId: '7002', fromName: 'Paul', message: 'Merci' }),
      );
      expect(await conversationOf('555_9003')).not.toBe(conversationId);
      await deliver(
        P.comment(PAGE, {
          commentId: '556_9004',
          postId: `${PAGE}_556`,
          fromId: '7001',
          fromName: 'Jeanne Martin',
          message: 'Autre sujet',
        }),
      );
      expect(await conversationOf('556_9004')).not.toBe(conversationId);
    });

    it('agents answer publicly (comment reply) and privately (one private reply), and can hide the comment', async () => {
      const v = await version(conversationId);
      const publicReply = await t.http('POST', `/api/v1/conversations/${conversationId}/meta/comment-reply`, {
        token: town.agentEC.token,
        body: { body: 'Les bus sont déviés par la rue Basse.', version: v, commentId: '555_9001' },
      });
      expect(publicReply.status).toBe(201);
      expect(publicReply.body).toMatchObject({ direction: 'outbound', status: 'queued', authorAgentId: town.agentEC.id });
      await expectEventually(
        async () =>
          expect(await message(publicReply.body.id)).toMatchObject({
            status: 'sent',
            external_id: expect.stringMatching(/^555_/),
          }),
        {
          timeoutMs: 15_000,
        },
      );
      expect(graph.find('POST', '555_9001/comments')[0]).toMatchObject({
        version: 'v22.0',
        accessToken: 'page-token-2',
        body: { message: 'Les bus sont déviés par la rue Basse.' },
      });
      // Meta notifies the page's own comment through the feed: not stored again. Counted by its
      // words (wherever and however an echo would be stored): the earlier cases' durable jobs
      // (e.g. a new file's acknowledgement) may be writing other messages meanwhile.
      const ownCommentId = (await message(publicReply.body.id)).external_id!;
      const stored = async () =>
        (
          await t.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM message WHERE body = $1`, [
            'Les bus sont déviés par la rue Basse.',
          ])
        ).rows[0]!.n;
      expect(await stored()).toBe(1);
      await deliver(
        P.comment(PAGE, {
          commentId: ownCommentId,
          postId: POST_ID,
          fromId: PAGE,
          fromName: 'Ville',
          message: 'Les bus sont déviés par la rue Basse.',
        }),
      );
      expect(await stored()).toBe(1);

      // The version guard: a reply based on an old state is refused.
      const stale = await t.http('POST', `/api/v1/conversations/${conversationId}/meta/private-reply`, {
        token: town.agentEC.token,
        body: { body: 'x', version: v },
      });
      expect(stale.status).toBe(409);

      const privateReply = await t.http('POST', `/api/v1/conversations/${conversationId}/meta/private-reply`, {
        token: town.agentEC.token,
        body: { body: 'Pouvez-vous nous donner votre adresse ?', version: await version(conversationId), commentId: '555_9001' },
      });
      expect(privateReply.status).toBe(201);
      await expectEventually(
        async () =>
          expect(await message(privateReply.body.id)).toMatchObject({
            status: 'sent',
            external_id: expect.stringMatching(/^m_/),
          }),
        {
          timeoutMs: 15_000,
        },
      );
      const call = graph
        .find('POST', `${PAGE}/messages`)
        .find((r) => (r.body.recipient as { comment_id?: string })?.comment_id === '555_9001');
      expect(call!.body).toMatchObject({
        recipient: { comment_id: '555_9001' },
        message: { text: 'Pouvez-vous nous donner votre adresse ?' },
      });
      const again = await t.http('POST', `/api/v1/conversations/${conversationId}/meta/private-reply`, {
        token: town.agentEC.token,
        body: { body: 'Encore', version: await version(conversationId), commentId: '555_9001' },
      });
      expect(again.status).toBe(400);
      expect(again.body.message).toMatch(/déjà/);

      const hidden = await t.http('POST', `/api/v1/conversations/${conversationId}/meta/hide-comment`, {
        token: town.agentEC.token,
        body: { commentId: '555_9002' },
      });
      expect(hidden.status).toBe(200);
      expect(hidden.body).toMatchObject({ commentId: '555_9002', hidden: true });
      expect(graph.find('POST', '555_9002')[0]!.body).toEqual({ is_hidden: true });
      expect(graph.hiddenComments.has('555_9002')).toBe(true);
      const items: MessageDto[] = (
        await t.http('GET', `/api/v1/conversations/${conversationId}/messages`, { token: town.agentEC.token })
      ).body.items;
      expect(items.at(-1)).toMatchObject({ kind: 'event', body: 'Commentaire masqué sur la page par Marie Dupont' });
    });

    it('records a comment edited or deleted by its author as events (once), and hiding done on Meta’s side', async () => {
      const c = { commentId: '555_9002', postId: POST_ID, fromId: '7001', fromName: 'Jeanne Martin' };
      const edited = P.comment(PAGE, { ...c, message: 'Et la ligne 3, le samedi ?', verb: 'edited', createdTime: 1764400000 });
      await deliver(edited);
      await deliver(edited);
      await deliver(P.comment(PAGE, { ...c, message: '', verb: 'remove' }));
      await deliver(P.comment(PAGE, { ...c, message: '', verb: 'remove' }));
      const items: MessageDto[] = (
        await t.http('GET', `/api/v1/conversations/${conversationId}/messages`, { token: town.agentEC.token })
      ).body.items;
      expect(items.filter((m) => m.kind === 'event' && /auteur|supprimé/.test(m.body)).map((m) => m.body)).toEqual([
        'Commentaire modifié par son auteur : « Et la ligne 3, le samedi ? »',
        'Commentaire supprimé de la page',
      ]);
      await deliver(P.comment(PAGE, { ...c, commentId: '555_9001', message: '', verb: 'hide' }));
      const { rows } = await t.db.query(`SELECT meta->>'hidden' AS hidden FROM message WHERE external_id = '555_9001'`);
      expect(rows[0].hidden).toBe('true');
    });

    it('a private reply is sent once: its claim is told live, a second run of its job waits and sends nothing; interrupted, it waits for an agent and « Renvoyer » sends it as a private reply again', async () => {
      await deliver(
        P.comment(PAGE, {
          commentId: '555_9101',
          postId: POST_ID,
          fromId: '7003',
          fromName: 'Lucie Morel',
          message: 'Et le marché ?',
        }),
      );
      const conv = await conversationOf('555_9101');
      const text = 'Le marché est déplacé place de l’église.';
      const toComment = () =>
        graph
          .find('POST', `${PAGE}/messages`)
          .filter((r) => (r.body.recipient as { comment_id?: string })?.comment_id === '555_9101');
      // Meta takes 3 s to answer the first send: the window where a second run of the job would send it again.
      graph.script({
        method: 'POST',
        path: (r) => r.path === `${PAGE}/messages` && (r.body.recipient as { comment_id?: string })?.comment_id === '555_9101',
        reply: () => ({
          delayMs: 3_000,
          body: { recipient_id: 'psid-555_9101', message_id: `m_${randomBytes(12).toString('base64url')}` },
        }),
      });
      const agent = await connectRecording(t.url, town.agentEC.token);
      clients.push(agent);
      const res = await t.http('POST', `/api/v1/conversations/${conv}/meta/private-reply`, {
        token: town.agentEC.token,
        body: { body: text, version: await version(conv), commentId: '555_9101' },
      });
      expect(res.status).toBe(201);
      const id = res.body.id as string;
      await expectEventually(() => expect(toComment()).toHaveLength(1), { timeoutMs: 15_000 });
      // Before Meta answered: the claim, committed and told (the web shows « Envoi en cours »).
      expect(await message(id)).toMatchObject({ status: 'sending', error: null });
      await expectEventually(() =>
        expect(agent.of<MessageDto>('message.updated').find((m) => m.id === id && m.status === 'sending')).toBeDefined(),
      );
      // The same job run by a second worker meanwhile (a job expired while its send ran).
      let secondDone = false;
      const second = t.app
        .get(MetaJobs)
        .commentSend({
          id: 'expired-job',
          data: { messageId: id, organizationId: town.org.id },
          retryCount: 0,
        } as unknown as Job<CommentSendJob>)
        .then(() => (secondDone = true));
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      expect(secondDone).toBe(false);
      await second;
      expect(await message(id)).toMatchObject({ status: 'sent', external_id: expect.stringMatching(/^m_/), error: null });
      expect(toComment()).toHaveLength(1);
      await expectEventually(() =>
        expect(
          agent
            .of<MessageDto>('message.updated')
            .filter((m) => m.id === id)
            .map((m) => m.status),
        ).toContain('sent'),
      );

      // Killed between Meta's answer and the write, no echo since: nothing can tell whether it left.
      await interruptedAttempt(id, false);
      await t.app.get(MetaJobs).commentSend({
        id: 'handed-out-again',
        data: { messageId: id, organizationId: town.org.id },
        retryCount: 0,
      } as unknown as Job<CommentSendJob>);
      expect(toComment()).toHaveLength(1);
      expect(await message(id)).toMatchObject({ status: 'sending', error: expect.stringMatching(/impossible de savoir/) });
      // The agent checked on the page: it did not arrive. « Renvoyer »: a private reply again, not a message to the commenter.
      const retried = await t.http('POST', `/api/v1/conversations/${conv}/messages/${id}/retry`, { token: town.agentEC.token });
      expect(retried.status).toBe(201);
      await expectEventually(async () => expect(await message(id)).toMatchObject({ status: 'sent', error: null }), {
        timeoutMs: 15_000,
      });
      expect(toComment()).toHaveLength(2);
      expect(toComment()[1]!.body).toMatchObject({ message: { text } });
    });

    it('refuses comment actions to other services, on conversations without a comment, and private replies after 7 days', async () => {
      const v = await version(conversationId);
      const other = await t.http('POST', `/api/v1/conversations/${conversationId}/meta/comment-reply`, {
        token: town.agentSco.token,
        body: { body: 'x', version: v },
      });
      expect(other.status).toBe(404);
      expect(
        (
          await t.http('POST', `/api/v1/conversations/${conversationId}/meta/hide-comment`, {
            token: town.agentSco.token,
            body: {},
          })
        ).status,
      ).toBe(404);
      const dm = await citizenWrites(psid());
      const noComment = await t.http('POST', `/api/v1/conversations/${dm}/meta/comment-reply`, {
        token: town.agentEC.token,
        body: { body: 'x', version: await version(dm) },
      });
      expect(noComment.status).toBe(400);
      expect(noComment.body.message).toMatch(/aucun commentaire/);
      const foreign = await t.http('POST', `/api/v1/conversations/${conversationId}/meta/comment-reply`, {
        token: town.agentEC.token,
        body: { body: 'x', version: v, commentId: '555_9003' },
      });
      expect(foreign.status).toBe(400);
      const invalid = await t.http('POST', `/api/v1/conversations/${conversationId}/meta/comment-reply`, {
        token: town.agentEC.token,
        body: { body: '', version: v },
      });
      expect(invalid.status).toBe(400);

      const old = await conversationOf('555_9003');
      await t.db.query(`UPDATE message SET created_at = now() - interval '8 days' WHERE external_id = '555_9003'`);
      const late = await t.http('POST', `/api/v1/conversations/${old}/meta/private-reply`, {
        token: town.agentEC.token,
        body: { body: 'x', version: await version(old) },
      });
      expect(late.status).toBe(400);
      expect(late.body.message).toMatch(/7 jours/);
    });
  });
});
