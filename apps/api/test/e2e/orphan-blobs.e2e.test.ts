import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { mkdirSync, readdirSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { OrphanBlobs } from '../../src/modules/blobs/orphan-blobs.service';
import { seedTown, startTestApp, type TestApp } from '../harness';

const DAY_MS = 24 * 3600 * 1000;

describe('attachment bytes on disk: nothing left behind by a failed request, orphans swept daily', () => {
  let t: TestApp;
  let town: Awaited<ReturnType<typeof seedTown>>;

  /** Every file under the blob directory, as paths relative to it. */
  const files = (): string[] => {
    try {
      return readdirSync(t.config.blobDir, { recursive: true, withFileTypes: true })
        .filter((d) => d.isFile())
        .map((d) => join(d.parentPath, d.name).slice(t.config.blobDir.length + 1))
        .sort();
    } catch {
      return [];
    }
  };
  const sha = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');
  const blobPath = (hex: string) => join(t.config.blobDir, hex.slice(0, 2), hex.slice(2, 4), hex);
  const age = (path: string, ms: number) => {
    const at = new Date(Date.now() - ms);
    utimesSync(path, at, at);
  };
  const message = (attachments: Buffer[], over: { teamId?: string } = {}) =>
    t.ingest.ingest(
      {
        channelId: town.webform.id,
        externalId: `webform:${randomUUID()}`,
        from: { kind: 'email', value: `pj.${randomBytes(3).toString('hex')}@example.fr` },
        subject: 'Pièces justificatives',
        text: 'Voici mes pièces.',
        attachments: attachments.map((content, i) => ({ fileName: `piece-${i}.pdf`, contentType: 'application/pdf', content })),
      },
      over,
    );

  beforeAll(async () => {
    t = await startTestApp();
    town = await seedTown(t);
  });
  afterAll(() => t.close());

  it('leaves no new file when a request fails after its attachments were written', async () => {
    const before = files();
    const pieces = Array.from({ length: 5 }, () => randomBytes(64 * 1024));
    // A service that no longer exists when the transaction runs: the insert fails after the writes.
    await expect(message(pieces, { teamId: randomUUID() })).rejects.toThrow();
    expect(files()).toEqual(before);
  });

  it('keeps the bytes another stored attachment shares when a request with the same file fails', async () => {
    const shared = randomBytes(32 * 1024);
    await message([shared]);
    const stored = files();
    expect(stored).toContain(join(sha(shared).slice(0, 2), sha(shared).slice(2, 4), sha(shared)));
    await expect(message([shared, randomBytes(1024)], { teamId: randomUUID() })).rejects.toThrow();
    expect(files()).toEqual(stored);
  });

  it('sweeps, on a daily schedule, the files no attachment references once older than the grace period, and keeps referenced and fresh ones', async () => {
    const referenced = randomBytes(2048);
    await message([referenced]);
    const write = (bytes: Buffer) => {
      const path = blobPath(sha(bytes));
      mkdirSync(join(path, '..'), { recursive: true });
      writeFileSync(path, bytes);
      return path;
    };
    const oldOrphan = write(randomBytes(2048));
    const freshOrphan = write(randomBytes(2048));
    const staleTemp = `${write(randomBytes(16))}.4242.1.tmp`;
    writeFileSync(staleTemp, 'partial');
    age(blobPath(sha(referenced)), 3 * DAY_MS);
    age(oldOrphan, 3 * DAY_MS);
    age(staleTemp, 3 * DAY_MS);

    const removed = await t.app.get(OrphanBlobs).sweep();

    expect(removed).toBeGreaterThanOrEqual(2);
    expect(() => statSync(oldOrphan)).toThrow();
    expect(() => statSync(staleTemp)).toThrow();
    expect(statSync(blobPath(sha(referenced))).isFile()).toBe(true);
    expect(statSync(freshOrphan).isFile()).toBe(true);
    const { rows } = await t.db.query(`SELECT cron FROM pgboss.schedule WHERE name = 'blob-sweep'`);
    expect(rows).toEqual([{ cron: expect.stringMatching(/^\d+ \d+ \* \* \*$/) }]);
  });

  it('gives a file reused by a new message a fresh date, so the sweep spares it while that message is in flight', async () => {
    const bytes = randomBytes(4096);
    await message([bytes]);
    await t.db.query(`DELETE FROM attachment WHERE sha256 = $1`, [sha(bytes)]);
    age(blobPath(sha(bytes)), 3 * DAY_MS);
    await message([bytes]);
    expect(Date.now() - statSync(blobPath(sha(bytes))).mtimeMs).toBeLessThan(DAY_MS);
  });
});
