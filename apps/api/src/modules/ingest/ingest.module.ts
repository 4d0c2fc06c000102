import { Module } from '@nestjs/common';
import { ChannelsModule } from '../channels/channels.module';
import { IngestService } from './ingest.service';

@Module({ imports: [ChannelsModule], providers: [IngestService], exports: [IngestService] })
export class IngestModule {}
