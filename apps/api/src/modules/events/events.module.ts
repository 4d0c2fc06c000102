import { Global, Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { DomainEvents } from './domain-event-bus';
import { DomainEventRepository } from './domain-event.repository';
import { DomainEventReceiptPurge } from './receipt-purge';

/** The domain event bus, for every feature to emit on and listen to (domain-events.ts). */
@Global()
@Module({
  imports: [DiscoveryModule],
  providers: [DomainEvents, DomainEventRepository, DomainEventReceiptPurge],
  exports: [DomainEvents],
})
export class EventsModule {}
