import { Global, Module } from '@nestjs/common';
import { AgentMessages } from './agent-messages.service';
import { DeliveryStatusService } from './delivery-status.service';
import { FormReplyNoticeListener } from './form-reply-notice.listener';
import { FormReplyNotices } from './form-reply-notice.service';
import { FormReplyNoticeWorker } from './form-reply-notice.worker';
import { InstancePresence } from './instance-presence.repository';
import { OutboundRepository } from './outbound.repository';
import { OutboundWorker } from './outbound.worker';

/** Agent replies and their sending (and the notices of form replies); publishes the reply writer and delivery statuses. */
@Global()
@Module({
  providers: [
    OutboundRepository,
    InstancePresence,
    AgentMessages,
    DeliveryStatusService,
    OutboundWorker,
    FormReplyNotices,
    FormReplyNoticeListener,
    FormReplyNoticeWorker,
  ],
  exports: [AgentMessages, DeliveryStatusService, OutboundWorker, FormReplyNotices],
})
export class OutboundModule {}
