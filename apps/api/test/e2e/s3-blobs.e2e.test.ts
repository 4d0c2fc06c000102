import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { ListObjectsV2Command, HeadObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { startS3Server, type S3TestServer } from '@guichet/testing';
import type { S3BlobConfig } from '../../src/config';
import { LocalBlobBackend } from '../../src/modules/blobs/blob-store';
import { migrateBlobs } from '../../src/modules/blobs/migrate-blobs';
import { S3BlobBackend } from '../../src/modules/blobs/s3-blob-backend';
import { seedTown, startTestApp } from '../harness';

const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

/** `size` bytes produced chunk by chunk (never whole in memory), with their hash. */
function generated(size: number, seed: number): { stream: Readable; sha256: Promise<string> } {
  const hash = createHash('sha256');
  let sent = 0;
  let resolveSha!: (s: string) => void;
  const sha256 = new Promise<string>((r) => (resolveSha = r));
  const stream = new Readable({
    read() {
      if (sent >= size) {
        resolveSha(hash.digest('hex'));
        this.push(null);
        return;
      }
      const n = Math.min(1024 * 1024, size - sent);
      const chunk = Buffer.alloc(n, (sent / 1024 + seed) % 251);
      hash.update(chunk);
      sent += n;
      this.push(chunk);
    },
  });
  return { stream, sha256 };
}

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

describe('blobs in an S3-compatible bucket (BLOB_STORE=s3), against a real S3 server', () => {
  let s3: S3TestServer;
  let config: S3BlobConfig;
  let client: S3Client;
  const keys = async () =>
    ((await client.send(new ListObjectsV2Command({ Bucket: s3.bucket }))).Contents ?? []).map((o) => o.Key!).sort();

  beforeAll(async () => {
    s3 = await startS3Server();
    config = {
      kind: 's3',
      bucket: s3.bucket,
      region: s3.region,
      endpoint: s3.endpoint,
      forcePathStyle: true,
      accessKeyId: s3.accessKeyId,
      secretAccessKey: s3.secretAccessKey,
    };
    client = new S3Client({
      region: s3.region,
      endpoint: s3.endpoint,
      forcePathStyle: true,
      credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey },
    });
  });
  afterAll(async () => {
    client.destroy();
    await s3.close();
  });

  it('stores by content address, once; reads back; lists; removes', async () => {
    const store = new S3BlobBackend({ ...config, prefix: 'a/' });
    try {
      const bytes = randomBytes(5000);
      const first = await store.put(bytes);
      expect(first).toEqual({ sha256: sha(bytes), size: 5000, created: true });
      expect(await store.put(bytes)).toEqual({ ...first, created: false });
      expect((await keys()).filter((k) => k.startsWith('a/'))).toEqual([
        `a/${first.sha256.slice(0, 2)}/${first.sha256.slice(2, 4)}/${first.sha256}`,
      ]);
      expect((await store.get(first.sha256)).equals(bytes)).toBe(true);
      expect((await readAll(await store.stream(first.sha256))).equals(bytes)).toBe(true);
      expect(await store.has(first.sha256)).toBe(true);
      const listed = [];
      for await (const f of store.files()) listed.push(f);
      expect(listed).toEqual([expect.objectContaining({ sha256: first.sha256, modifiedAt: expect.any(Date) })]);
      await store.remove(first.sha256);
      expect(await store.has(first.sha256)).toBe(false);
      await expect(store.get('0'.repeat(64))).rejects.toThrow();
    } finally {
      store.close();
    }
  });

  it('uploads a 20 MB stream in parts without holding it, hashed on the way; no temporary object stays', async () => {
    const store = new S3BlobBackend({ ...config, prefix: 'b/' });
    try {
      const heapBefore = process.memoryUsage().heapUsed;
      const { stream, sha256 } = generated(20 * 1024 * 1024, 7);
      const stored = await store.putStream(stream);
      expect(stored.size).toBe(20 * 1024 * 1024);
      expect(stored.sha256).toBe(await sha256);
      expect(stored.created).toBe(true);
      expect(process.memoryUsage().heapUsed - heapBefore).toBeLessThan(60 * 1024 * 1024);
      expect((await keys()).filter((k) => k.startsWith('b/'))).toEqual([
        `b/${stored.sha256.slice(0, 2)}/${stored.sha256.slice(2, 4)}/${stored.sha256}`,
      ]);
      // Read back as a stream: the same bytes.
      const back = createHash('sha256');
      let size = 0;
      for await (const c of await store.stream(stored.sha256)) {
        back.update(c as Buffer);
        size += (c as Buffer).length;
      }
      expect({ size, sha256: back.digest('hex') }).toEqual({ size: stored.size, sha256: stored.sha256 });
      // The same bytes again: nothing new stored.
      expect((await store.putStream(generated(20 * 1024 * 1024, 7).stream)).created).toBe(false);
    } finally {
      store.close();
    }
  });

  it('writes with server-side encryption asked (S3_SSE=AES256) are accepted and read back', async () => {
    const store = new S3BlobBackend({ ...config, prefix: 'c/', sse: 'AES256' });
    try {
      const bytes = randomBytes(1000);
      const { sha256 } = await store.put(bytes);
      const head = await client.send(
        new HeadObjectCommand({ Bucket: s3.bucket, Key: `c/${sha256.slice(0, 2)}/${sha256.slice(2, 4)}/${sha256}` }),
      );
      expect(head.ContentLength).toBe(1000);
      expect((await store.get(sha256)).equals(bytes)).toBe(true);
    } finally {
      store.close();
    }
  });

  it('the app keeps attachments in the bucket: a citizen file is stored there, downloaded from there, nothing in the local directory', async () => {
    const t = await startTestApp({ blobStore: { ...config, prefix: 'app/' } });
    try {
      const town = await seedTown(t);
      const content = Buffer.from(`%PDF-1.4 justificatif ${randomUUID()}`);
      const { conversationId } = await t.ingest.ingest({
        channelId: town.webform.id,
        externalId: randomUUID(),
        from: { kind: 'email', value: 'citoyen@example.fr' },
        text: 'Voici mon justificatif',
        attachments: [{ fileName: 'justificatif.pdf', contentType: 'application/pdf', content }],
      });
      const key = `app/${sha(content).slice(0, 2)}/${sha(content).slice(2, 4)}/${sha(content)}`;
      expect(await keys()).toContain(key);
      expect(existsSync(t.config.blobDir) ? readdirSync(t.config.blobDir) : []).toEqual([]);
      const messages = (
        await t.http('GET', `/api/v1/conversations/${conversationId}/messages?limit=10`, { token: town.agentEC.token })
      ).body.items as { attachments: { id: string }[] }[];
      const id = messages.flatMap((m) => m.attachments)[0]!.id;
      const res = await fetch(`${t.url}/api/v1/attachments/${id}`, {
        headers: { authorization: `Bearer ${town.agentEC.token}` },
      });
      expect(res.status).toBe(200);
      expect(res.headers.get('content-length')).toBe(String(content.length));
      expect(Buffer.from(await res.arrayBuffer()).equals(content)).toBe(true);
    } finally {
      await t.close();
    }
  });

  it('migrate-blobs copies the local directory into the bucket, checked, and can be run again', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'guichet-blobs-'));
    const local = new LocalBlobBackend(dir);
    const store = new S3BlobBackend({ ...config, prefix: 'm/' });
    try {
      const files = [randomBytes(100), randomBytes(70_000), Buffer.from('déjà vu')];
      for (const f of files) await local.put(f);
      const first = await migrateBlobs(local, store);
      expect(first).toEqual({ copied: 3, alreadyThere: 0, bytes: files.reduce((a, f) => a + f.length, 0) });
      for (const f of files) expect((await store.get(sha(f))).equals(f)).toBe(true);
      expect(await migrateBlobs(local, store)).toEqual({ copied: 0, alreadyThere: 3, bytes: 0 });
      // The local files stay where they were.
      for (const f of files) expect(await local.has(sha(f))).toBe(true);
    } finally {
      store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
