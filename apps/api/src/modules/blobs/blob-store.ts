import { Inject, Injectable } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { APP_CONFIG, type AppConfig } from '../../config';

/**
 * Content-addressed blob store in a local directory: `<dir>/ab/cd/<sha256>`. Writing the same
 * bytes twice is free, and a write that happens before a rolled-back transaction only leaves
 * an unreferenced file, never a row without bytes.
 */
@Injectable()
export class BlobStore {
  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  private path(sha256: string): string {
    return join(this.config.blobDir, sha256.slice(0, 2), sha256.slice(2, 4), sha256);
  }

  async put(content: Uint8Array): Promise<{ sha256: string; size: number }> {
    const sha256 = createHash('sha256').update(content).digest('hex');
    const target = this.path(sha256);
    const exists = await stat(target).then(
      () => true,
      () => false,
    );
    if (!exists) {
      await mkdir(join(target, '..'), { recursive: true });
      const tmp = `${target}.${process.pid}.${Date.now()}.tmp`;
      await writeFile(tmp, content);
      await rename(tmp, target);
    }
    return { sha256, size: content.byteLength };
  }

  get(sha256: string): Promise<Buffer> {
    if (!/^[0-9a-f]{64}$/.test(sha256)) throw new Error('invalid blob id');
    return readFile(this.path(sha256));
  }
}
