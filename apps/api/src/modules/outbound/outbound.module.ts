import { Global, Module } from '@nestjs/common';
import { AgentMessages } from './agent-messages.service';
import { DeliveryStatusService } from './delivery-status.service';
import { OutboundRepository } from './outbound.repository';
import { OutboundWorker } from './outbound.worker';

/** Agent replies and their sending; publishes the reply writer and delivery statuses. */
@Global()
@Module({
  providers: [OutboundRepository, AgentMessages, DeliveryStatusService, OutboundWorker],
  exports: [AgentMessages, DeliveryStatusService, OutboundWorker],
})
export class OutboundModule {}
