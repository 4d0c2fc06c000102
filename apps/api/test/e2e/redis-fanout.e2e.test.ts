import { randomUUID } from 'node:crypto';
import type { MessageDto } from '@guichet/contracts';
import { connectRecording, expectEventually } from '@guichet/testing';
import { createClient } from 'redis';
import { seedTown, startTestApp, type TestApp } from '../harness';

/** Two API processes' worth of app instances on one database, joined by the machine's Redis. */
describe('fan-out across API instances through Redis', () => {
  const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  let a: TestApp;
  let b: TestApp;

  beforeAll(async () => {
    // A missing Redis is a failure here, never a silent skip.
    const probe = createClient({ url: redisUrl });
    await probe.connect();
    await probe.quit();
    a = await startTestApp({ redisUrl });
    b = await startTestApp({ redisUrl, databaseUrl: a.config.databaseUrl, encryptionKey: a.config.encryptionKey });
  });
  afterAll(async () => {
    await b?.close();
    await a?.close();
  });

  it('an event produced on instance A reaches an agent connected to instance B', async () => {
    const town = await seedTown(a);
    const other = await seedTown(a);
    const onB = await connectRecording(b.url, town.agentEC.token);
    const foreignOnB = await connectRecording(b.url, other.agentEC.token);
    try {
      const r = await a.ingest.ingest(
        { channelId: town.webform.id, externalId: randomUUID(), from: { kind: 'email', value: 'redis@example.fr' }, text: 'Bonjour de A' },
        { teamId: town.etatCivil.id },
      );
      await expectEventually(() => {
        expect(onB.of<MessageDto>('message.created').map((m) => m.conversationId)).toEqual([r.conversationId]);
      }, { timeoutMs: 2000 });
      expect(foreignOnB.events).toEqual([]);
    } finally {
      onB.close();
      foreignOnB.close();
    }
  });
});
