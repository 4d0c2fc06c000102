import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';

/** The writer's own SQL: its lock. */
@Injectable()
export class ConversationWriterRepository {
  /**
   * The one lock of a provider event (channel, external id) until the transaction ends: two
   * deliveries of the same event wait for each other, and the second finds the first's row. The
   * PL/pgSQL ingest serializes on the sender's identity and the unique (channel, external id).
   */
  async lockEvent(m: EntityManager, channelId: string, externalId: string): Promise<void> {
    await m.query(`SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`, [`ingest:${channelId}:${externalId}`]);
  }
}
