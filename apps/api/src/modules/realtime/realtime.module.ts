import { Global, Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module';
import { RealtimeEvents } from './realtime-events.listener';
import { RealtimeGateway } from './realtime.gateway';
import { RealtimePublisher } from './realtime.publisher';

/** Live updates over socket.io; publishes the publisher (agent and session changes are pushed by their features). */
@Global()
@Module({
  imports: [AuthModule],
  providers: [RealtimePublisher, RealtimeGateway, RealtimeEvents],
  exports: [RealtimePublisher],
})
export class RealtimeModule {}
