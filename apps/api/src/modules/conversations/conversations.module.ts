import { Module } from '@nestjs/common';
import { ConversationController } from './conversation.controller';
import { ConversationService } from './conversation.service';
import { ConversationTimers } from './conversation-timers.service';

@Module({
  controllers: [ConversationController],
  providers: [ConversationService, ConversationTimers],
  exports: [ConversationService, ConversationTimers],
})
export class ConversationsModule {}
