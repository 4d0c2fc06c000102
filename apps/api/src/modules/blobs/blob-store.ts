import { Inject, Injectable } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, rename, stat, unlink, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { APP_CONFIG, type AppConfig } from '../../config';

const SHA256 = /^[0-9a-f]{64}$/;

const unlinkQuietly = (path: string) =>
  unlink(path).catch((e: NodeJS.ErrnoException) => {
    if (e.code !== 'ENOENT') throw e;
  });

/** A file of the store as the sweep sees it: a blob (`sha256`) or a temporary file left by a crash. */
export interface BlobFile {
  path: string;
  sha256: string | null;
  modifiedAt: Date;
}

/**
 * Content-addressed blob store in a local directory: `<dir>/ab/cd/<sha256>`. Writing the same
 * bytes twice is free, and a write that happens before a rolled-back transaction only leaves
 * an unreferenced file, never a row without bytes; OrphanBlobs removes such files.
 */
@Injectable()
export class BlobStore {
  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  private path(sha256: string): string {
    return join(this.config.blobDir, sha256.slice(0, 2), sha256.slice(2, 4), sha256);
  }

  /**
   * Stores `content`; `created` says whether this call wrote the file. A file already there
   * gets a fresh modification date: the sweep never removes a blob a request is about to use.
   */
  async put(content: Uint8Array): Promise<{ sha256: string; size: number; created: boolean }> {
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
    if (!file.path.startsWith(join(this.config.blobDir, '/'))) throw new Error('not a file of the blob store');
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
    for (const a of await dirs(this.config.blobDir)) {
      for (const b of await dirs(join(this.config.blobDir, a))) {
        const dir = join(this.config.blobDir, a, b);
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
