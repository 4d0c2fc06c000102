import { describeMetaMessage, MetaPayloadError, parseMetaWebhook } from '../meta-webhook.parser';

/** Payloads follow Meta's documented webhook formats (Messenger Platform, Instagram, Page feed). */
describe('Meta webhook parser', () => {
  it('reads a batch: several entries, text, attachments, quick reply, echo, reaction, receipts, postback', () => {
    const parsed = parseMetaWebhook({
      object: 'page',
      entry: [
        {
          id: '1001',
          time: 1732800000000,
          messaging: [
            {
              sender: { id: 'PSID1' },
              recipient: { id: '1001' },
              timestamp: 1732800000000,
              message: { mid: 'm_1', text: 'Bonjour' },
            },
            {
              sender: { id: 'PSID1' },
              recipient: { id: '1001' },
              timestamp: 1732800001000,
              message: {
                mid: 'm_2',
                attachments: [
                  { type: 'image', payload: { url: 'https://cdn.example/a.jpg' } },
                  { type: 'image', payload: { url: 'https://cdn.example/sticker.png', sticker_id: 369239263222822 } },
                  { type: 'fallback', payload: { url: 'https://ville.fr/x', title: 'Lien' } },
                ],
              },
            },
            {
              sender: { id: 'PSID1' },
              recipient: { id: '1001' },
              timestamp: 1,
              message: { mid: 'm_3', text: 'Oui', quick_reply: { payload: 'YES' } },
            },
          ],
        },
        {
          id: '1001',
          time: 1732800002000,
          messaging: [
            {
              sender: { id: '1001' },
              recipient: { id: 'PSID1' },
              timestamp: 2,
              message: { mid: 'm_4', text: 'Réponse', is_echo: true, app_id: 42, metadata: 'guichet:x' },
            },
            {
              sender: { id: 'PSID1' },
              recipient: { id: '1001' },
              timestamp: 3,
              reaction: { mid: 'm_4', action: 'react', emoji: '❤️', reaction: 'love' },
            },
            {
              sender: { id: 'PSID1' },
              recipient: { id: '1001' },
              timestamp: 4,
              delivery: { mids: ['m_4'], watermark: 1732800003000 },
            },
            { sender: { id: 'PSID1' }, recipient: { id: '1001' }, timestamp: 5, read: { watermark: 1732800004000 } },
            {
              sender: { id: 'PSID1' },
              recipient: { id: '1001' },
              timestamp: 6,
              postback: { mid: 'm_5', title: 'Horaires', payload: 'HOURS' },
            },
            { sender: { id: 'PSID1' }, recipient: { id: '1001' }, timestamp: 7, optin: { ref: 'x' } },
          ],
        },
      ],
    });
    expect(parsed.object).toBe('page');
    expect(parsed.events.map((e) => e.type)).toEqual([
      'message',
      'message',
      'message',
      'echo',
      'reaction',
      'delivery',
      'read',
      'postback',
    ]);
    expect(parsed.events[0]).toMatchObject({
      accountId: '1001',
      senderId: 'PSID1',
      mid: 'm_1',
      text: 'Bonjour',
      timestamp: new Date(1732800000000),
    });
    expect(parsed.events[1]).toMatchObject({
      attachments: [
        { type: 'image', url: 'https://cdn.example/a.jpg' },
        { type: 'sticker', stickerId: 369239263222822 },
        { type: 'fallback', url: 'https://ville.fr/x', title: 'Lien' },
      ],
    });
    expect(parsed.events[2]).toMatchObject({ quickReplyPayload: 'YES' });
    expect(parsed.events[3]).toMatchObject({ type: 'echo', recipientId: 'PSID1', appId: '42', metadata: 'guichet:x' });
    expect(parsed.events[4]).toMatchObject({ type: 'reaction', mid: 'm_4', action: 'react', emoji: '❤️' });
    expect(parsed.events[5]).toMatchObject({ type: 'delivery', mids: ['m_4'], watermark: new Date(1732800003000) });
    expect(parsed.events[6]).toMatchObject({ type: 'read', watermark: new Date(1732800004000) });
    expect(parsed.events[7]).toMatchObject({ type: 'postback', title: 'Horaires', payload: 'HOURS' });
    expect(parsed.skipped).toHaveLength(1);
  });

  it('reads page feed comments and Instagram comments; other feed items are skipped', () => {
    const page = parseMetaWebhook({
      object: 'page',
      entry: [
        {
          id: '1001',
          time: 1732800000,
          changes: [
            {
              field: 'feed',
              value: {
                from: { id: '7001', name: 'Jeanne Martin' },
                post: {
                  status_type: 'added_photos',
                  is_published: true,
                  id: '1001_555',
                  permalink_url: 'https://www.facebook.com/ville/posts/555',
                },
                message: 'La rue est inondée',
                post_id: '1001_555',
                comment_id: '555_9001',
                created_time: 1732800000,
                item: 'comment',
                parent_id: '1001_555',
                verb: 'add',
              },
            },
            { field: 'feed', value: { item: 'reaction', verb: 'add', post_id: '1001_555', reaction_type: 'like' } },
          ],
        },
      ],
    });
    expect(page.events).toEqual([
      expect.objectContaining({
        type: 'comment',
        commentId: '555_9001',
        postId: '1001_555',
        fromId: '7001',
        fromName: 'Jeanne Martin',
        text: 'La rue est inondée',
        permalink: 'https://www.facebook.com/ville/posts/555',
        timestamp: new Date(1732800000 * 1000),
        parentId: undefined,
      }),
    ]);
    expect(page.skipped).toEqual(['feed: reaction add']);
    const ig = parseMetaWebhook({
      object: 'instagram',
      entry: [
        {
          id: '1784',
          time: 1,
          changes: [
            {
              field: 'comments',
              value: { from: { id: '232', username: 'jeanne' }, media: { id: '123' }, id: '456', text: 'Super' },
            },
          ],
        },
      ],
    });
    expect(ig.events[0]).toMatchObject({ type: 'comment', commentId: '456', postId: '123', fromName: 'jeanne', text: 'Super' });
  });

  it('refuses what is not a Meta notification', () => {
    expect(() => parseMetaWebhook(null)).toThrow(MetaPayloadError);
    expect(() => parseMetaWebhook({ object: 'user', entry: [] })).toThrow(/objet/);
    expect(() => parseMetaWebhook({ object: 'page' })).toThrow(/entry/);
  });

  it('skips a malformed event and keeps the rest of the batch', () => {
    const parsed = parseMetaWebhook({
      object: 'page',
      entry: [
        {
          id: '1',
          messaging: [
            { sender: { id: 'a' }, recipient: { id: '1' }, message: {} },
            'pas un objet',
            { sender: { id: 'a' }, recipient: { id: '1' }, timestamp: 1, message: { mid: 'm_ok', text: 'ok' } },
          ],
          changes: [{ field: 'feed', value: { item: 'comment', verb: 'add', post_id: '1_2' } }],
        },
      ],
    });
    expect(parsed.events).toEqual([expect.objectContaining({ mid: 'm_ok' })]);
    expect(parsed.skipped).toEqual([
      'événement invalide : message sans mid, expéditeur ou destinataire',
      'événement invalide : événement messaging invalide',
      'événement invalide : commentaire sans comment_id, post_id ou auteur',
    ]);
  });

  it('describes attachments for the agent', () => {
    expect(
      describeMetaMessage('', [
        { type: 'image', url: 'x' },
        { type: 'share', url: 'https://a', title: 'Article' },
      ]),
    ).toBe('[Image]\n[Partage : Article] https://a');
    expect(describeMetaMessage(' Bonjour ', [{ type: 'audio', url: 'x' }])).toBe('Bonjour\n[Message vocal]');
  });
});
