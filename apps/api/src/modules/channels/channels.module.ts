import { Global, Module } from '@nestjs/common';
import { ChannelController } from './channel.controller';
import { ChannelRepository } from './channel.repository';
import { ChannelService } from './channel.service';

/** Channels and their secrets; publishes the channel service to every feature. */
@Global()
@Module({
  controllers: [ChannelController],
  providers: [ChannelRepository, ChannelService],
  exports: [ChannelService],
})
export class ChannelsModule {}
