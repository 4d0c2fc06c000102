import { createReadStream } from 'node:fs';
import type { BlobBackend } from './blob-backend';
import { LocalBlobBackend } from './blob-store';

export interface MigrationReport {
  copied: number;
  alreadyThere: number;
  bytes: number;
}

/**
 * One-off copy of the local directory's blobs into another store (the bucket of BLOB_STORE=s3),
 * each streamed and checked against its content address. Blobs already there are skipped, so
 * the command can be run again after an interruption. The local files are left in place.
 */
export async function migrateBlobs(
  from: LocalBlobBackend,
  to: BlobBackend,
  progress: (done: number) => void = () => undefined,
): Promise<MigrationReport> {
  const report: MigrationReport = { copied: 0, alreadyThere: 0, bytes: 0 };
  for await (const file of from.files()) {
    if (!file.sha256) continue;
    if (await to.has(file.sha256)) {
      report.alreadyThere++;
    } else {
      const stored = await to.putStream(createReadStream(file.path));
      if (stored.sha256 !== file.sha256) {
        throw new Error(`le fichier ${file.path} ne correspond plus à son empreinte (${stored.sha256}) : copie interrompue`);
      }
      report.copied++;
      report.bytes += stored.size;
    }
    progress(report.copied + report.alreadyThere);
  }
  return report;
}
