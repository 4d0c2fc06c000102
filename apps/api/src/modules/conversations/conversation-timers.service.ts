import { Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { countedOf } from '@guichet/contracts';
import { Database } from '../../common/database';
import { RateLimiter } from '../../common/rate-limiter';
import { JobQueue } from '../../infra/jobs/job-queue';
import { DomainEvents } from '../events/domain-event-bus';
import { domainEvent } from '../events/domain-events';
import { toConversationDto } from './conversation.mapper';
import { ConversationRepository } from './conversation.repository';

const QUEUE = 'conversation-timers';

/**
 * Timers on the durable queue, run once a minute by exactly one instance (pg-boss schedule):
 * snoozed conversations whose date has come back open; spent rate-limit windows are purged; the
 * inbox counters' deltas are folded into one row per key.
 */
@Injectable()
export class ConversationTimers implements OnApplicationBootstrap {
  private readonly logger = new Logger('Timers');

  constructor(
    private readonly db: Database,
    private readonly queue: JobQueue,
    private readonly conversations: ConversationRepository,
    private readonly events: DomainEvents,
    private readonly limiter: RateLimiter,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.queue.define(QUEUE, { retryLimit: 0, expireInSeconds: 50, cron: '* * * * *' }, () => this.tick());
  }

  async tick(): Promise<void> {
    const woken = await this.wakeSnoozed();
    if (woken) this.logger.log(`${woken} conversation(s) sortie(s) de pause`);
    await this.limiter.purge();
    await this.conversations.compactCounts();
  }

  /** Reopens snoozed conversations whose date has passed; each change is told after commit. */
  wakeSnoozed(): Promise<number> {
    return this.db.tx(async (m, afterCommit) => {
      const rows = await this.conversations.wakeSnoozed(m);
      for (const { id, organization_id } of rows) {
        const row = await this.conversations.findById(organization_id, id, m);
        if (!row) continue;
        const conversation = toConversationDto(row);
        await this.events.record(
          m,
          afterCommit,
          // Found snoozed by the UPDATE that woke it (nothing else it reads changed): the counters' state before.
          domainEvent('conversation.updated', organization_id, {
            conversation,
            change: 'snooze_ended',
            before: { ...countedOf(conversation), status: 'snoozed', version: conversation.version - 1 },
          }),
          domainEvent('conversation.status_changed', organization_id, {
            conversation,
            previousStatus: 'snoozed',
            status: conversation.status,
            byAgentId: null,
          }),
        );
      }
      return rows.length;
    });
  }
}
