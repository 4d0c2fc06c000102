import { randomBytes } from 'node:crypto';
import { Database } from '../../src/common/database';
import { ChannelService } from '../../src/modules/channels/channel.service';
import { decryptSecrets, encryptSecrets } from '../../src/modules/channels/channel-secrets';
import { rotateEncryptionKey } from '../../src/modules/channels/key-rotation';
import { KeyRotationRepository } from '../../src/modules/channels/key-rotation.repository';
import { seedTown, startTestApp, type TestApp } from '../harness';

describe('ENCRYPTION_KEY rotation (pnpm guichet rotate-encryption-key)', () => {
  let t: TestApp;
  let town: Awaited<ReturnType<typeof seedTown>>;
  const sealed = async (sql: string, id: string) => (await t.db.query(sql, [id])).rows[0].v as string;

  beforeAll(async () => {
    t = await startTestApp();
    town = await seedTown(t);
    const k1 = t.config.encryptionKey;
    await t.db.query(`UPDATE channel SET secrets = $2 WHERE id = $1`, [
      town.sms.id,
      encryptSecrets(k1, town.sms.id, { authToken: 'jeton-twilio-secret' }),
    ]);
    await t.db.query(`UPDATE organization SET mail_secret = $2 WHERE id = $1`, [
      town.org.id,
      encryptSecrets(k1, `organization-mail:${town.org.id}`, { password: 'mot-de-passe-smtp' }),
    ]);
  });
  afterAll(() => t.close());

  it('re-encrypts every stored secret under the new key, in one go; the app then reads them with it', async () => {
    const k1 = t.config.encryptionKey;
    const k2 = randomBytes(32);
    const repo = new KeyRotationRepository(t.app.get(Database));
    const { counts } = await rotateEncryptionKey(repo, k1, k2);
    expect(counts.channel).toBeGreaterThanOrEqual(1);
    expect(counts.organization).toBe(1);
    const channel = await sealed(`SELECT secrets AS v FROM channel WHERE id = $1`, town.sms.id);
    expect(decryptSecrets(k2, town.sms.id, channel)).toEqual({ authToken: 'jeton-twilio-secret' });
    expect(() => decryptSecrets(k1, town.sms.id, channel)).toThrow();
    const mail = await sealed(`SELECT mail_secret AS v FROM organization WHERE id = $1`, town.org.id);
    expect(decryptSecrets(k2, `organization-mail:${town.org.id}`, mail)).toEqual({ password: 'mot-de-passe-smtp' });

    // An instance started with the new key opens the channel's secrets.
    const next = await startTestApp({ databaseUrl: t.config.databaseUrl, encryptionKey: k2, runJobs: false });
    try {
      const resolved = await next.app.get(ChannelService).resolve(null, town.sms.id);
      expect(resolved!.config).toMatchObject({ authToken: 'jeton-twilio-secret' });
    } finally {
      await next.close();
    }

    // Given the wrong current key (the old one again): refused with the reason, nothing changed.
    const before = (await t.db.query(`SELECT id, secrets FROM channel WHERE secrets IS NOT NULL ORDER BY id`)).rows;
    await expect(rotateEncryptionKey(repo, k1, randomBytes(32))).rejects.toThrow(
      /ne s'ouvre pas avec la clé actuelle.*rien n'a été modifié/,
    );
    expect((await t.db.query(`SELECT id, secrets FROM channel WHERE secrets IS NOT NULL ORDER BY id`)).rows).toEqual(before);
    await expect(rotateEncryptionKey(repo, k2, k2)).rejects.toThrow(/identique/);
  });
});
