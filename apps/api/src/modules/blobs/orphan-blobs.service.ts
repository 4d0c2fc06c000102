import { Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { JobQueue } from '../../infra/jobs/job-queue';
import { BlobRepository } from './blob.repository';
import { BlobStore, type BlobFile } from './blob-store';

const QUEUE = 'blob-sweep';
/** Every night at 03:30 (Europe/Paris), by one instance. */
const CRON = '30 3 * * *';
/**
 * An unreferenced file younger than this is never swept: a request writes its blobs before its
 * transaction commits (and BlobStore.put refreshes the date of a file it reuses).
 */
export const BLOB_SWEEP_GRACE_MS = 6 * 3600 * 1000;
const BATCH = 500;

/** A blob a request put in the store, with its bytes (to put them back if needed). */
export interface PutBlob {
  sha256: string;
  created: boolean;
  content: Uint8Array;
}

/**
 * Blob files no attachment references: those a failed request wrote are removed on its failure
 * path; anything else (a crash between write and commit, a job given up, rows deleted) goes
 * with the daily sweep, on the durable job queue.
 *
 * Content-addressed files are shared: a file is removed only when no row references it (in
 * SQL), and two requests writing the same bytes at the same time cannot lose them: the failing
 * one checks again after removing and puts the bytes back if a row appeared meanwhile, and the
 * succeeding one, when it found the file already there, checks after its commit that it still is.
 */
@Injectable()
export class OrphanBlobs implements OnApplicationBootstrap {
  private readonly logger = new Logger('Blobs');

  constructor(
    private readonly store: BlobStore,
    private readonly repo: BlobRepository,
    private readonly queue: JobQueue,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.queue.define(QUEUE, { retryLimit: 2, expireInSeconds: 3600, cron: CRON }, async () => {
      const removed = await this.sweep();
      if (removed) this.logger.log(`${removed} fichier(s) sans pièce jointe supprimé(s)`);
    });
  }

  /** The failure path of a request: removes the blobs it wrote that no row references. */
  async discard(blobs: PutBlob[]): Promise<void> {
    const mine = blobs.filter((b) => b.created);
    const orphans = await this.repo.unreferenced([...new Set(mine.map((b) => b.sha256))]);
    if (!orphans.size) return;
    for (const sha256 of orphans) await this.store.remove(sha256);
    const still = await this.repo.unreferenced([...orphans]);
    for (const b of mine) {
      if (orphans.has(b.sha256) && !still.has(b.sha256) && !(await this.store.has(b.sha256))) await this.store.put(b.content);
    }
  }

  /**
   * After rows naming these blobs were removed (retention, erasure): the files no row references
   * any more are deleted now, not at the nightly sweep. A request reusing one of them at the same
   * moment puts it back after its commit (ensure). Returns how many files went.
   */
  async release(sha256s: string[]): Promise<number> {
    const orphans = await this.repo.unreferenced([...new Set(sha256s)]);
    for (const sha256 of orphans) await this.store.remove(sha256);
    return orphans.size;
  }

  /** After a commit: a file the request reused may have been discarded by a failing twin meanwhile. */
  async ensure(blobs: PutBlob[]): Promise<void> {
    for (const b of blobs) {
      if (!b.created && !(await this.store.has(b.sha256))) await this.store.put(b.content);
    }
  }

  /**
   * Removes the files older than the grace period that no attachment references, and temporary
   * files a crash left behind. Returns how many files went.
   */
  async sweep(now = new Date()): Promise<number> {
    const cutoff = now.getTime() - BLOB_SWEEP_GRACE_MS;
    let removed = 0;
    let batch: BlobFile[] = [];
    const flush = async () => {
      const orphans = await this.repo.unreferenced(batch.map((f) => f.sha256!));
      for (const file of batch) {
        if (!orphans.has(file.sha256!)) continue;
        // Reused since it was listed (BlobStore.put refreshes the date): kept.
        const modified = await this.store.modifiedAt(file);
        if (!modified || modified.getTime() >= cutoff) continue;
        await this.store.removeFile(file);
        removed++;
      }
      batch = [];
    };
    for await (const file of this.store.files()) {
      if (file.modifiedAt.getTime() >= cutoff) continue;
      if (!file.sha256) {
        await this.store.removeFile(file);
        removed++;
        continue;
      }
      batch.push(file);
      if (batch.length >= BATCH) await flush();
    }
    if (batch.length) await flush();
    return removed;
  }
}
