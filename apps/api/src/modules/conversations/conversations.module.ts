import { Global, Module } from '@nestjs/common';
import { RequestTypesModule } from '../request-types/request-types.module';
import { ConversationController } from './conversation.controller';
import { ConversationRepository } from './conversation.repository';
import { ConversationService } from './conversation.service';
import { ConversationTimers } from './conversation-timers.service';

/** Conversations: published to every feature that reads or writes one. */
@Global()
@Module({
  imports: [RequestTypesModule],
  controllers: [ConversationController],
  providers: [ConversationRepository, ConversationService, ConversationTimers],
  exports: [ConversationRepository, ConversationService, ConversationTimers],
})
export class ConversationsModule {}
