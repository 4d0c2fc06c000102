import { Module } from '@nestjs/common';
import { ChannelsModule } from '../channels/channels.module';
import { IngestModule } from '../ingest/ingest.module';
import { CallLogController } from './call-log.controller';
import { CallRepository } from './call.repository';
import { CallRingingGateway } from './call-ringing.gateway';
import { CallService } from './call.service';
import { PbxWebhookController } from './pbx-webhook.controller';
import { TelephonyQueue } from './telephony-queue';
import { TwilioWebhookController } from './twilio-webhook.controller';
import { TwilioWebhookService } from './twilio-webhook.service';

/** Telephony: Twilio SMS/WhatsApp/Voice webhooks, switchboard call events, hand-logged calls. */
@Module({
  imports: [ChannelsModule, IngestModule],
  controllers: [TwilioWebhookController, PbxWebhookController, CallLogController],
  providers: [CallRepository, CallRingingGateway, CallService, TelephonyQueue, TwilioWebhookService],
})
export class TwilioModule {}
