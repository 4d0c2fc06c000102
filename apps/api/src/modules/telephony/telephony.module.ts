import { Module } from '@nestjs/common';
import { ChannelsModule } from '../channels/channels.module';
import { IngestModule } from '../ingest/ingest.module';
import { CallLogController } from './call-log.controller';
import { CallRepository } from './call.repository';
import { CallRingingGateway } from './call-ringing.gateway';
import { CallService } from './call.service';
import { PbxWebhookController } from './pbx/pbx-webhook.controller';
import { TelephonyQueue } from './telephony-queue';
import { TwilioWebhookController } from './twilio/twilio-webhook.controller';
import { TwilioWebhookService } from './twilio/twilio-webhook.service';

/**
 * Telephony as conversations see it: the call log (every call step, whichever provider), calls
 * logged by hand, the ringing pop-up and the slow follow-up queue (media, recordings, late
 * statuses). Providers are adapters beside it: `twilio/` (SMS/WhatsApp/Voice webhooks, signed
 * with the account's token) and `pbx/` (any switchboard's signed call events).
 */
@Module({
  imports: [ChannelsModule, IngestModule],
  controllers: [TwilioWebhookController, PbxWebhookController, CallLogController],
  providers: [CallRepository, CallRingingGateway, CallService, TelephonyQueue, TwilioWebhookService],
})
export class TelephonyModule {}
