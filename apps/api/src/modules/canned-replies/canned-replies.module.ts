import { Module } from '@nestjs/common';
import { ConversationsModule } from '../conversations/conversations.module';
import { CannedReplyController } from './canned-reply.controller';
import { CannedReplyRepository } from './canned-reply.repository';
import { CannedReplyService } from './canned-reply.service';

/** Canned replies (réponses types) per organization and service (issue 13). */
@Module({
  imports: [ConversationsModule],
  controllers: [CannedReplyController],
  providers: [CannedReplyRepository, CannedReplyService],
})
export class CannedRepliesModule {}
