import { Module } from '@nestjs/common';
import { BlobsModule } from '../blobs/blobs.module';
import { ChannelsModule } from '../channels/channels.module';
import { IngestService } from './ingest.service';

@Module({ imports: [BlobsModule, ChannelsModule], providers: [IngestService], exports: [IngestService] })
export class IngestModule {}
