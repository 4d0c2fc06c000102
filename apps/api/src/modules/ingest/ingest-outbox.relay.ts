import { Inject, Injectable, Logger, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import type { ConversationCountedDto, ConversationDto, MessageDto } from '@guichet/contracts';
import { APP_CONFIG, type AppConfig } from '../../config';
import { Database } from '../../common/database';
import { toConversationDto } from '../conversations/conversation.mapper';
import { DomainEvents } from '../events/domain-event-bus';
import { domainEvent, type DomainEvent, type DomainEventType } from '../events/domain-events';
import { ConversationReader } from '../conversations/conversation-reader.service';
import { JobQueue } from '../../infra/jobs/job-queue';
import { IngestRepository } from './ingest.repository';

/** The ids of a stored message's two events, named before the batch is sent (they go into its outbox row). */
export type IngestEventIds = [messageEventId: string, conversationEventId: string];

/**
 * The events an ingested message tells: the message first, then the conversation's row, with
 * what the counters read of it before the message when that is known (`before`).
 */
export function ingestEvents(
  organizationId: string,
  conversation: ConversationDto,
  message: MessageDto,
  newConversation: boolean,
  [messageEventId, conversationEventId]: IngestEventIds,
  occurredAt?: Date,
  before?: ConversationCountedDto,
): DomainEvent[] {
  return [
    domainEvent(
      'message.received',
      organizationId,
      { conversation, message, newConversation },
      { id: messageEventId, occurredAt },
    ),
    newConversation
      ? domainEvent(
          'conversation.created',
          organizationId,
          { conversation, origin: 'inbound' },
          { id: conversationEventId, occurredAt },
        )
      : domainEvent(
          'conversation.updated',
          organizationId,
          { conversation, change: 'message', ...(before ? { before } : {}) },
          { id: conversationEventId, occurredAt },
        ),
  ];
}

/** The event types an ingested message tells: an outbox row is written when a durable listener waits for one. */
const INGEST_EVENT_TYPES: DomainEventType[] = ['message.received', 'conversation.created', 'conversation.updated'];

const BATCH = 200;
const SWEEP_QUEUE = 'ingest-outbox-sweep';

/**
 * Moves the ingest's outbox (migration IngestOutbox1764710000001) to the durable listeners: in
 * one transaction it deletes rows and enqueues the durable jobs of their events (one per listener
 * and batch); a crash before the commit leaves them for the next run. With the receipts of
 * DomainEvents, each event reaches each durable listener once.
 *
 * Right after the ingest committed a message, it `offer`s the message's events as it built them
 * for the in-process listeners: the relay deletes their rows by id and enqueues those events,
 * without reading anything back. Every minute, from the job queue, `drain` takes what is left
 * behind (a crash or a shutdown between the commit and the offer, an instance that stopped):
 * rows taken with SKIP LOCKED, so several instances share the work, their events carrying the
 * conversation as it is then.
 */
@Injectable()
export class IngestOutboxRelay implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('IngestOutbox');
  private running: Promise<void> | null = null;
  private again = false;
  private stopped = false;
  /** Events of committed messages waiting to be relayed, by their outbox row's id (the message event's). */
  private readonly offered = new Map<string, DomainEvent[]>();

  constructor(
    private readonly db: Database,
    private readonly repo: IngestRepository,
    private readonly reader: ConversationReader,
    private readonly events: DomainEvents,
    private readonly queue: JobQueue,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** Whether the ingest must write outbox rows: some durable listener waits for its events. */
  get needed(): boolean {
    return INGEST_EVENT_TYPES.some((t) => this.events.hasDurable(t));
  }

  async onApplicationBootstrap(): Promise<void> {
    if (!this.config.runJobs) return;
    await this.queue.periodic(SWEEP_QUEUE, '* * * * *', { retryLimit: 0, expireInSeconds: 300 }, () => this.drain());
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopped = true;
    await this.running;
  }

  /**
   * The events of a message the ingest committed with its outbox row (`ingestEvents`): relayed
   * soon, several messages per transaction; runs that overlap are merged.
   */
  offer(events: DomainEvent[]): void {
    if (this.stopped) return;
    this.offered.set(events[0]!.id, events);
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = (async () => {
      // The other messages of the same group commit are offered in the meantime: one transaction for them all.
      await new Promise((resolve) => setImmediate(resolve));
      do {
        this.again = false;
        try {
          while (this.offered.size && !this.stopped) await this.relayOffered();
        } catch (e) {
          // Left in the outbox: the sweep relays them.
          this.logger.warn(`relais de l'outbox reporté (${e instanceof Error ? e.name : typeof e})`);
          return;
        }
      } while (this.again && !this.stopped);
    })().finally(() => (this.running = null));
  }

  /** Up to a batch of offered messages: their rows deleted (those still there) and their events enqueued. */
  private relayOffered(): Promise<void> {
    const batch = [...this.offered].slice(0, BATCH);
    for (const [id] of batch) this.offered.delete(id);
    return this.db.tx(async (m) => {
      const taken = new Set(
        await this.repo.takeByIds(
          m,
          batch.map(([id]) => id),
        ),
      );
      await this.events.enqueueDurable(m, ...batch.filter(([id]) => taken.has(id)).flatMap(([, events]) => events));
    });
  }

  /** Relays everything waiting, a batch per transaction. */
  async drain(): Promise<void> {
    while ((await this.relayBatch()) > 0 && !this.stopped);
  }

  private relayBatch(): Promise<number> {
    return this.db.tx(async (m) => {
      const rows = await this.repo.take(m, BATCH);
      if (!rows.length) return 0;
      const messages = new Map(
        (
          await this.reader.messagesByIds(
            rows.map((r) => r.message_id),
            m,
          )
        ).map((d) => [d.id, d]),
      );
      const events: DomainEvent[] = [];
      for (const row of rows) {
        const message = messages.get(row.message_id);
        if (!message) continue; // deleted since (retention): nothing to tell
        events.push(
          ...ingestEvents(
            row.organization_id,
            toConversationDto(row),
            message,
            row.new_conversation,
            [row.event_id, row.conversation_event_id],
            row.occurred_at,
          ),
        );
      }
      await this.events.enqueueDurable(m, ...events);
      return rows.length;
    });
  }
}
