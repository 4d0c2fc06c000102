import { Injectable } from '@nestjs/common';
import { Database } from '../../common/database';

@Injectable()
export class HealthRepository {
  constructor(private readonly db: Database) {}

  /** One round trip to the database; throws when it cannot be reached. */
  async ping(): Promise<void> {
    await this.db.query('SELECT 1');
  }

  /** Whether this version has migrations the database lacks (one query of the migrations table). */
  async pendingMigrations(): Promise<boolean> {
    return this.db.dataSource.showMigrations();
  }
}
