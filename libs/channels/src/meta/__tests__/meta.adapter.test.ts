import { createHmac } from 'node:crypto';
import { startGraphServer, type GraphServer } from '@guichet/testing';
import type { OutboundRequest } from '../../adapter';
import { GraphClient } from '../graph-client';
import { instagramAdapter, messengerAdapter } from '../meta.adapter';

const H = 3_600_000;

describe('Messenger / Instagram adapters against a Graph API stand-in', () => {
  let graph: GraphServer;
  beforeAll(async () => {
    graph = await startGraphServer();
    graph.acceptTokens('page-token');
  });
  afterAll(() => graph.close());
  beforeEach(() => graph.reset());

  const request = (hoursAgo: number | null, o: Partial<OutboundRequest> = {}): OutboundRequest => ({
    channel: {
      id: 'c1',
      kind: 'messenger',
      config: {
        pageId: '1001',
        pageAccessToken: 'page-token',
        appSecret: 'app-secret',
        graphApiBaseUrl: graph.url,
        graphApiVersion: 'v21.0',
      },
    },
    to: { kind: 'messenger', value: 'PSID-42' },
    message: { id: '6f1c5c9e-0000-4000-8000-000000000001', body: 'Votre acte est prêt.', attachments: [] },
    conversation: {
      id: 'conv',
      reference: 'GU-222222',
      subject: null,
      lastInboundAt: hoursAgo === null ? null : new Date(Date.now() - hoursAgo * H),
    },
    threadExternalIds: [],
    replyToken: 't',
    publicUrl: 'http://guichet.test',
    ...o,
  });

  it('sends a RESPONSE within 24 h, with the page token, appsecret_proof and our metadata', async () => {
    const result = await messengerAdapter.send(request(23));
    expect(result).toMatchObject({ ok: true, status: 'sent', externalId: expect.stringMatching(/^m_/) });
    const [call] = graph.find('POST', '1001/messages');
    expect(call).toMatchObject({
      version: 'v21.0',
      accessToken: 'page-token',
      body: {
        recipient: { id: 'PSID-42' },
        messaging_type: 'RESPONSE',
        message: { text: 'Votre acte est prêt.', metadata: 'guichet:6f1c5c9e-0000-4000-8000-000000000001' },
      },
    });
    expect(call!.body.tag).toBeUndefined();
    expect(call!.query.appsecret_proof).toBe(createHmac('sha256', 'app-secret').update('page-token').digest('hex'));
  });

  it('uses the HUMAN_AGENT tag between 24 h and 7 days, and refuses beyond without calling', async () => {
    await expect(
      instagramAdapter.send({
        ...request(72),
        channel: {
          id: 'c2',
          kind: 'instagram',
          config: { instagramAccountId: '1784', pageAccessToken: 'page-token', graphApiBaseUrl: graph.url },
        },
      }),
    ).resolves.toMatchObject({ ok: true });
    expect(graph.find('POST', '1784/messages')[0]!.body).toMatchObject({ messaging_type: 'MESSAGE_TAG', tag: 'HUMAN_AGENT' });
    const refused = await messengerAdapter.send(request(24 * 8));
    expect(refused).toMatchObject({ ok: false, temporary: false, reason: expect.stringMatching(/7 jours/) });
    expect(graph.find('POST', '1001/messages')).toHaveLength(0);
  });

  it('maps Graph errors: rate limits retry, an unreachable user or an expired token do not', async () => {
    graph.script({
      method: 'POST',
      path: '1001/messages',
      reply: graph.error({ code: 613, message: 'Calls to this api have exceeded the rate limit.' }),
    });
    await expect(messengerAdapter.send(request(1))).resolves.toMatchObject({
      ok: false,
      temporary: true,
      reason: expect.stringMatching(/limite de débit/),
    });
    graph.script({
      method: 'POST',
      path: '1001/messages',
      reply: graph.error({ code: 551, error_subcode: 1545041, message: "This person isn't available right now." }),
    });
    await expect(messengerAdapter.send(request(1))).resolves.toMatchObject({
      ok: false,
      temporary: false,
      reason: expect.stringMatching(/injoignable/),
    });
    const expired = await messengerAdapter.send({
      ...request(1),
      channel: { ...request(1).channel, config: { ...request(1).channel.config, pageAccessToken: 'old-token' } },
    });
    expect(expired).toMatchObject({ ok: false, temporary: false, reason: expect.stringMatching(/jeton/) });
  });

  it('uploads attachments as multipart Send API calls', async () => {
    const result = await messengerAdapter.send(
      request(2, {
        message: {
          id: 'm1',
          body: 'Voici le formulaire',
          attachments: [
            { fileName: 'formulaire.pdf', contentType: 'application/pdf', content: new Uint8Array([37, 80, 68, 70]) },
          ],
        },
      }),
    );
    expect(result).toMatchObject({ ok: true });
    const calls = graph.find('POST', '1001/messages');
    expect(calls).toHaveLength(2);
    expect(calls[1]!.contentType).toMatch(/multipart\/form-data/);
    expect(JSON.parse(calls[1]!.body.message as string)).toMatchObject({ attachment: { type: 'file' } });
    expect(calls[1]!.body.filedata).toMatchObject({ fileName: 'formulaire.pdf', size: 4 });
  });

  it('honours graphApiBaseUrl for every call, and reports an unreachable Graph as temporary', async () => {
    const client = new GraphClient({ graphApiBaseUrl: 'http://127.0.0.1:1', pageAccessToken: 't' }, 2000);
    await expect(client.get('me')).resolves.toMatchObject({ ok: false, temporary: true });
  });
});
