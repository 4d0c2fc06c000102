import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import { createHash, randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, readdir, readFile, rename, stat, unlink, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { APP_CONFIG, type AppConfig } from '../../config';
import { blobKey, SHA256, type BlobBackend, type BlobFile, type StoredBlob } from './blob-backend';

export type { BlobBackend, BlobFile, StoredBlob } from './blob-backend';

const unlinkQuietly = (path: string) =>
  unlink(path).catch((e: NodeJS.ErrnoException) => {
    if (e.code !== 'ENOENT') throw e;
  });

/**
 * Content-addressed blob store: `ab/cd/<sha256>` in the local directory (BLOB_DIR, the embedded
 * default) or in an S3-compatible bucket (BLOB_STORE=s3). Writing the same bytes twice is free,
 * and a write that happens before a rolled-back transaction only leaves an unreferenced blob,
 * never a row without bytes; OrphanBlobs removes such blobs.
 */
@Injectable()
export class BlobStore implements BlobBackend, OnModuleDestroy {
  private readonly backend: BlobBackend;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    this.backend = blobBackend(config);
  }

  put(content: Uint8Array): Promise<StoredBlob> {
    return this.backend.put(content);
  }
  putStream(source: Readable): Promise<StoredBlob> {
    return this.backend.putStream(source);
  }
  get(sha256: string): Promise<Buffer> {
    return this.backend.get(sha256);
  }
  stream(sha256: string): Promise<Readable> {
    return this.backend.stream(sha256);
  }
  has(sha256: string): Promise<boolean> {
    return this.backend.has(sha256);
  }
  remove(sha256: string): Promise<void> {
    return this.backend.remove(sha256);
  }
  removeFile(file: BlobFile): Promise<void> {
    return this.backend.removeFile(file);
  }
  modifiedAt(file: BlobFile): Promise<Date | null> {
    return this.backend.modifiedAt(file);
  }
  files(): AsyncGenerator<BlobFile> {
    return this.backend.files();
  }
  onModuleDestroy(): void {
    this.backend.close?.();
  }
}

/** The backend the configuration names. */
export function blobBackend(config: Pick<AppConfig, 'blobDir' | 'blobStore'>): BlobBackend {
  if (config.blobStore?.kind !== 's3') return new LocalBlobBackend(config.blobDir);
  // The AWS client is loaded only when a bucket is configured.
  const { S3BlobBackend } = require('./s3-blob-backend') as typeof import('./s3-blob-backend');
  return new S3BlobBackend(config.blobStore);
}

/** The local directory: `<dir>/ab/cd/<sha256>`, written through a temporary file and a rename. */
export class LocalBlobBackend implements BlobBackend {
  constructor(private readonly dir: string) {}

  private path(sha256: string): string {
    return join(this.dir, blobKey(sha256));
  }

  async putStream(source: Readable): Promise<StoredBlob> {
    await mkdir(this.dir, { recursive: true });
    const tmp = join(this.dir, `upload.${randomUUID()}.tmp`);
    const hash = createHash('sha256');
    let size = 0;
    source.on('data', (chunk: Buffer) => {
      hash.update(chunk);
      size += chunk.length;
    });
    try {
      await pipeline(source, createWriteStream(tmp));
      const sha256 = hash.digest('hex');
      const target = this.path(sha256);
      const now = new Date();
      const exists = await utimes(target, now, now).then(
        () => true,
        () => false,
      );
      if (!exists) {
        await mkdir(join(target, '..'), { recursive: true });
        await rename(tmp, target);
      }
      return { sha256, size, created: !exists };
    } finally {
      await unlinkQuietly(tmp);
    }
  }

  async stream(sha256: string): Promise<Readable> {
    if (!SHA256.test(sha256)) throw new Error('invalid blob id');
    const path = this.path(sha256);
    await stat(path);
    return createReadStream(path);
  }

  /**
   * Stores `content`; `created` says whether this call wrote the file. A file already there
   * gets a fresh modification date: the sweep never removes a blob a request is about to use.
   */
  async put(content: Uint8Array): Promise<StoredBlob> {
    const sha256 = createHash('sha256').update(content).digest('hex');
    const target = this.path(sha256);
    const now = new Date();
    const exists = await utimes(target, now, now).then(
      () => true,
      () => false,
    );
    if (!exists) {
      await mkdir(join(target, '..'), { recursive: true });
      const tmp = `${target}.${process.pid}.${Date.now()}.tmp`;
      await writeFile(tmp, content);
      await rename(tmp, target);
    }
    return { sha256, size: content.byteLength, created: !exists };
  }

  get(sha256: string): Promise<Buffer> {
    if (!SHA256.test(sha256)) throw new Error('invalid blob id');
    return readFile(this.path(sha256));
  }

  async has(sha256: string): Promise<boolean> {
    return stat(this.path(sha256)).then(
      () => true,
      () => false,
    );
  }

  /** Removes a blob; one already gone is no error. */
  async remove(sha256: string): Promise<void> {
    if (!SHA256.test(sha256)) throw new Error('invalid blob id');
    await unlinkQuietly(this.path(sha256));
  }

  /** Removes a file files() listed (a blob or a leftover temporary file). */
  async removeFile(file: BlobFile): Promise<void> {
    if (!file.path.startsWith(join(this.dir, '/'))) throw new Error('not a file of the blob store');
    await unlinkQuietly(file.path);
  }

  /** The file's modification date now, null once it is gone. */
  async modifiedAt(file: BlobFile): Promise<Date | null> {
    return stat(file.path).then(
      (s) => s.mtime,
      () => null,
    );
  }

  /** Every file of the store (blobs and leftover temporary files), directory by directory. */
  async *files(): AsyncGenerator<BlobFile> {
    const dirs = async (path: string) =>
      (await readdir(path, { withFileTypes: true }).catch(() => []))
        .filter((d) => d.isDirectory() && /^[0-9a-f]{2}$/.test(d.name))
        .map((d) => d.name);
    for (const a of await dirs(this.dir)) {
      for (const b of await dirs(join(this.dir, a))) {
        const dir = join(this.dir, a, b);
        for (const name of await readdir(dir).catch(() => [])) {
          const path = join(dir, name);
          const info = await stat(path).catch(() => null);
          if (!info?.isFile()) continue;
          yield { path, sha256: SHA256.test(name) ? name : null, modifiedAt: info.mtime };
        }
      }
    }
  }
}
