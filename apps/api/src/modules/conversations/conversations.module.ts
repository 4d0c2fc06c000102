import { Module } from '@nestjs/common';
import { ConversationController } from './conversation.controller';
import { ConversationService } from './conversation.service';

@Module({ controllers: [ConversationController], providers: [ConversationService], exports: [ConversationService] })
export class ConversationsModule {}
