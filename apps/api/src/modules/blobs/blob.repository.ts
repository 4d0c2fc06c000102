import { Injectable } from '@nestjs/common';
import { Database } from '../../common/database';

/** Which blobs rows still use: attachments, and the organizations' logos. */
@Injectable()
export class BlobRepository {
  constructor(private readonly db: Database) {}

  /** Of `sha256s`, those no attachment (attachment_sha256_idx) nor logo references. */
  async unreferenced(sha256s: string[]): Promise<Set<string>> {
    if (!sha256s.length) return new Set();
    const rows = await this.db.query<{ sha256: string }>(
      `SELECT s.sha256 FROM unnest($1::text[]) AS s(sha256)
        WHERE NOT EXISTS (SELECT 1 FROM attachment a WHERE a.sha256 = s.sha256)
          AND NOT EXISTS (SELECT 1 FROM organization o WHERE o.logo_sha256 = s.sha256)`,
      [sha256s],
    );
    return new Set(rows.map((r) => r.sha256));
  }
}
