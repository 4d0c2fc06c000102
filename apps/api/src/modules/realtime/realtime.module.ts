import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module';
import { ConversationsModule } from '../conversations/conversations.module';
import { RealtimeEvents } from './realtime-events.listener';
import { RealtimeGateway } from './realtime.gateway';

@Module({ imports: [AuthModule, ConversationsModule], providers: [RealtimeGateway, RealtimeEvents] })
export class RealtimeModule {}
