import { Module } from '@nestjs/common';
import { BlobsModule } from '../blobs/blobs.module';
import { ChannelsModule } from '../channels/channels.module';
import { IngestOutboxRelay } from './ingest-outbox.relay';
import { IngestRepository } from './ingest.repository';
import { IngestService } from './ingest.service';
import { WebhookInbox } from './webhook-inbox';
import { WebhookInboxRepository } from './webhook-inbox.repository';

@Module({
  imports: [BlobsModule, ChannelsModule],
  providers: [IngestService, IngestRepository, IngestOutboxRelay, WebhookInbox, WebhookInboxRepository],
  exports: [IngestService, WebhookInbox],
})
export class IngestModule {}
