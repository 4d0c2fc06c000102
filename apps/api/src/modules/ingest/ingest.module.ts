import { Module } from '@nestjs/common';
import { BlobsModule } from '../blobs/blobs.module';
import { ChannelsModule } from '../channels/channels.module';
import { IngestOutboxRelay } from './ingest-outbox.relay';
import { IngestRepository } from './ingest.repository';
import { IngestService } from './ingest.service';

@Module({
  imports: [BlobsModule, ChannelsModule],
  providers: [IngestService, IngestRepository, IngestOutboxRelay],
  exports: [IngestService],
})
export class IngestModule {}
