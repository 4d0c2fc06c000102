import { Module } from '@nestjs/common';
import { ChannelsModule } from '../channels/channels.module';
import { OutboundWorker } from './outbound.worker';

@Module({ imports: [ChannelsModule], providers: [OutboundWorker], exports: [OutboundWorker] })
export class OutboundModule {}
