import { Inject, Injectable, Logger, SetMetadata, type OnApplicationBootstrap, type OnModuleInit } from '@nestjs/common';
import { DiscoveryService, MetadataScanner, Reflector } from '@nestjs/core';
import type { EntityManager } from 'typeorm';
import { APP_CONFIG, JOBS_AT_ONCE, type AppConfig } from '../../config';
import { Database, type AfterCommit } from '../../common/database';
import { JobQueue, QUEUES } from '../../infra/jobs/job-queue';
import { DomainEventRepository } from './domain-event.repository';
import { CHAINS_PER_LISTENER, durableJobKeys, type DurableJob } from './durable-job';
import type { DomainEvent, DomainEventType } from './domain-events';

const LISTENS = Symbol('domain-event-listener');

interface ListenerOptions {
  /**
   * Run from the durable job queue: enqueued in the same transaction as the write (the outbox),
   * retried until it succeeds, and run exactly once per event in its own transaction (the
   * method receives that transaction's manager as second argument; what it writes there
   * commits with the mark that it ran).
   */
  durable?: boolean;
  /**
   * Only the events this answers true for reach the listener: for a durable one, no job is
   * enqueued for the others (an event most writes tell, that the listener cares about rarely).
   */
  when?: (event: DomainEvent) => boolean;
  /**
   * A durable listener's jobs running at once, about different conversations (default 2; never
   * more than DURABLE_JOBS_AT_ONCE): 1 for a listener whose jobs all write the same rows (counters)
   * whatever their conversation, where two at once would only wait for each other.
   */
  chains?: number;
}

type Handler<T extends DomainEventType> = (event: DomainEvent<T>) => unknown;
/** `afterCommit`: what the durable listener tells once its transaction committed (its own events). */
type DurableHandler<T extends DomainEventType> = (
  event: DomainEvent<T>,
  manager: EntityManager,
  afterCommit: AfterCommit,
) => Promise<unknown>;

/**
 * Makes a method of any provider a listener of one or more domain events, found at start-up:
 * a feature reacts to an event in one line, in its own folder.
 *
 *   @OnDomainEvent('message.received') onReceived(e: DomainEvent<'message.received'>) { … }
 *   @OnDomainEvent('conversation.status_changed', { durable: true }) async onStatus(e, manager) { … }
 */
export function OnDomainEvent<T extends DomainEventType>(
  types: T | T[],
  options: ListenerOptions & { durable: true },
): MethodDecorator & ((target: object, key: string | symbol, d: TypedPropertyDescriptor<DurableHandler<T>>) => void);
export function OnDomainEvent<T extends DomainEventType>(
  types: T | T[],
  options?: ListenerOptions,
): MethodDecorator & ((target: object, key: string | symbol, d: TypedPropertyDescriptor<Handler<T>>) => void);
export function OnDomainEvent(types: DomainEventType | DomainEventType[], options: ListenerOptions = {}) {
  return SetMetadata(LISTENS, {
    types: Array.isArray(types) ? types : [types],
    durable: !!options.durable,
    when: options.when,
    chains: options.chains,
  });
}

interface Listener {
  /** `Class.method`: names the listener in logs and in the exactly-once mark of durable ones. */
  name: string;
  durable: boolean;
  when?: (event: DomainEvent) => boolean;
  chains?: number;
  run: (event: DomainEvent, manager?: EntityManager, afterCommit?: AfterCommit) => unknown;
}

/** Events per durable job: a batch runs in one transaction, holding its rows' locks until it commits. */
const MAX_BATCH = 50;

/**
 * The in-process bus of domain events (domain-events.ts). Writers call `record` inside their
 * transaction (durable listeners' jobs are enqueued with it, the others hear the events once it
 * committed); the ingest's group commit writes an outbox row instead and calls `emitOutboxed`
 * (its relay enqueues the durable jobs). There is no third way: nothing is announced outside a
 * transaction.
 * A listener that throws neither undoes the write nor stops the others: it is logged with the
 * event's id and type, nothing personal.
 */
@Injectable()
export class DomainEvents implements OnModuleInit, OnApplicationBootstrap {
  private readonly logger = new Logger('DomainEvents');
  private readonly listeners = new Map<DomainEventType, Listener[]>();
  private readonly durable = new Map<string, Listener>();
  /**
   * Transactions of durable batches: the events their listeners record are collected and
   * enqueued together before the batch commits (one job per listener, not one per event).
   */
  private readonly collecting = new WeakMap<EntityManager, DomainEvent[]>();
  /** The events a durable batch's transaction runs its listener on (durableBatch). */
  private readonly batches = new WeakMap<EntityManager, readonly DomainEvent[]>();

  constructor(
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
    private readonly reflector: Reflector,
    private readonly db: Database,
    private readonly queue: JobQueue,
    private readonly repo: DomainEventRepository,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** Every provider's @OnDomainEvent methods, before any feature starts writing. */
  onModuleInit(): void {
    for (const wrapper of this.discovery.getProviders()) {
      const instance = wrapper.instance as Record<string, unknown> | undefined;
      if (!instance || typeof instance !== 'object' || !wrapper.isDependencyTreeStatic()) continue;
      const proto = Object.getPrototypeOf(instance) as object;
      for (const method of this.scanner.getAllMethodNames(proto)) {
        const fn = instance[method];
        if (typeof fn !== 'function') continue;
        const meta = this.reflector.get<
          { types: DomainEventType[]; durable: boolean; when?: (e: DomainEvent) => boolean; chains?: number } | undefined
        >(LISTENS, fn);
        if (!meta) continue;
        const listener: Listener = {
          name: `${instance.constructor.name}.${method}`,
          durable: meta.durable,
          when: meta.when,
          chains: meta.chains,
          run: (fn as (...a: unknown[]) => unknown).bind(instance),
        };
        for (const type of meta.types) this.on(type, listener);
      }
    }
  }

  /**
   * Durable listeners' jobs are worked on by instances that run jobs: up to DURABLE_JOBS_AT_ONCE
   * at once (default 4, under the pool's 10 connections), a listener's jobs about one conversation
   * in queue order, one at a time, and at most `chains` (2) jobs of one listener at once.
   */
  async onApplicationBootstrap(): Promise<void> {
    if (!this.durable.size || !this.config.runJobs) return;
    await this.queue.work<DurableJob>(QUEUES.domainEvents, (job) => this.runDurable(job.data), {
      atOnce: this.config.durableJobsAtOnce ?? JOBS_AT_ONCE,
      keys: (jobs) => jobs.map((j) => durableJobKeys(j.data)),
      classOf: (job) => job.data.listener,
      perClass: (listener) => this.durable.get(listener)?.chains ?? CHAINS_PER_LISTENER,
    });
  }

  private on(type: DomainEventType, listener: Listener): void {
    const list = this.listeners.get(type) ?? [];
    list.push(listener);
    this.listeners.set(type, list);
    if (listener.durable) this.durable.set(listener.name, listener);
  }

  /** Whether some durable listener waits for this type (nothing is enqueued otherwise). */
  hasDurable(type: DomainEventType): boolean {
    return (this.listeners.get(type) ?? []).some((l) => l.durable);
  }

  /**
   * Inside the writer's transaction: durable listeners' jobs are inserted with it (they commit or
   * roll back with the write), and the in-process listeners hear the events after commit.
   */
  async record(manager: EntityManager, afterCommit: AfterCommit, ...events: DomainEvent[]): Promise<void> {
    await this.enqueueDurable(manager, ...events);
    afterCommit(() => this.deliver(events));
  }

  /**
   * The durable listeners' jobs for these events, inserted in `manager`'s transaction: by
   * `record`, and by an outbox relay that moves events a statement committed on its own (the
   * ingest) to the queue, deleting them from its outbox in the same transaction.
   */
  async enqueueDurable(manager: EntityManager, ...events: DomainEvent[]): Promise<void> {
    const collected = this.collecting.get(manager);
    if (collected) return void collected.push(...events);
    const byListener = new Map<string, DomainEvent[]>();
    for (const event of events) {
      for (const l of this.listeners.get(event.type) ?? []) {
        if (!l.durable || (l.when && !l.when(event))) continue;
        const list = byListener.get(l.name) ?? [];
        list.push(event);
        byListener.set(l.name, list);
      }
    }
    const jobs: DurableJob[] = [];
    for (const [listener, list] of byListener) {
      for (let i = 0; i < list.length; i += MAX_BATCH) jobs.push({ listener, events: list.slice(i, i + MAX_BATCH) });
    }
    await this.queue.sendManyInTx(manager, QUEUES.domainEvents, jobs);
  }

  /**
   * Tells the in-process listeners of events whose write committed with an outbox row (the
   * ingest's group commit): their durable listeners hear them from the outbox's relay.
   */
  emitOutboxed(...events: DomainEvent[]): Promise<void> {
    return this.deliver(events);
  }

  /**
   * Tells the in-process listeners of events whose write committed as one statement of its own
   * (a database function's, which is its own transaction): for types no durable listener hears
   * (`hasDurable`: their jobs would have had to be written by that statement), which the writer
   * checks at bootstrap.
   */
  emitCommitted(...events: DomainEvent[]): Promise<void> {
    return this.deliver(events);
  }

  /**
   * Committed events to the in-process listeners, in order. Each listener is started at once (a
   * synchronous one has finished when this returns); the promise settles when all have, and
   * never rejects.
   */
  private deliver(events: DomainEvent[]): Promise<void> {
    const running: Promise<void>[] = [];
    for (const event of events) {
      for (const l of this.listeners.get(event.type) ?? []) {
        if (l.durable || (l.when && !l.when(event))) continue;
        try {
          const r = l.run(event);
          if (r instanceof Promise)
            running.push(
              r.then(
                () => undefined,
                (e: unknown) => this.failed(l, event, e),
              ),
            );
        } catch (e) {
          this.failed(l, event, e);
        }
      }
    }
    return Promise.all(running).then(() => undefined);
  }

  /**
   * One durable listener for a batch of events, each at most once: in one transaction, the marks,
   * the listener's writes and the jobs of the events it recorded commit together. A batch that
   * fails is split into jobs of one event, so that one failing event is retried alone.
   */
  private async runDurable(job: DurableJob): Promise<void> {
    const { listener } = job;
    const events = job.events ?? (job.event ? [job.event] : []);
    const l = this.durable.get(listener);
    if (!l) return void this.logger.warn(`écouteur durable ${listener} inconnu : ${events.length} événement(s) ignoré(s)`);
    let current: DomainEvent | undefined;
    try {
      await this.db.tx(async (m, afterCommit) => {
        const fresh = await this.repo.markHandled(
          m,
          events.map((e) => e.id),
          listener,
        );
        const recorded: DomainEvent[] = [];
        this.collecting.set(m, recorded);
        this.batches.set(
          m,
          events.filter((e) => fresh.has(e.id)),
        );
        try {
          for (const event of events) {
            if (!fresh.has(event.id)) continue; // a job delivered twice
            current = event;
            await l.run(event, m, afterCommit);
          }
        } finally {
          this.collecting.delete(m);
          this.batches.delete(m);
        }
        await this.enqueueDurable(m, ...recorded);
      });
    } catch (e) {
      if (events.length > 1) {
        this.logger.warn(`lot de ${events.length} événements pour ${listener} en échec : chacun est repris seul`);
        await this.db.tx((m) =>
          this.queue.sendManyInTx(
            m,
            QUEUES.domainEvents,
            events.map((event) => ({ listener, events: [event] }) satisfies DurableJob),
          ),
        );
        return;
      }
      if (current) this.failed(l, current, e);
      throw e; // retried by the queue
    }
  }

  /**
   * The events of the durable batch whose transaction `m` is (undefined outside one): a listener
   * that takes locks for several of them takes them all first, in one order (RoutingService).
   */
  durableBatch(m: EntityManager): readonly DomainEvent[] | undefined {
    return this.batches.get(m);
  }

  private failed(l: Listener, event: DomainEvent, e: unknown): void {
    // The error's kind only: its message may quote what a citizen wrote.
    const kind =
      e instanceof Error ? `${e.name}${(e as { code?: string }).code ? ` ${(e as { code?: string }).code}` : ''}` : typeof e;
    this.logger.error(`l'écouteur ${l.name} a échoué sur ${event.type} ${event.id} (${kind})`);
  }
}
