import { Global, Module } from '@nestjs/common';
import { AdministrationsModule } from '../administrations/administrations.module';
import { LabelsModule } from '../labels/labels.module';
import { RequestTypesModule } from '../request-types/request-types.module';
import { AdministrationTransfers } from './administration-transfer.service';
import { AdministrationWithdrawals } from './administration-withdrawal.service';
import { AttachmentController } from './attachment.controller';
import { ConversationController } from './conversation.controller';
import { ConversationReader } from './conversation-reader.service';
import { ConversationRepository } from './conversation.repository';
import { ConversationService } from './conversation.service';
import { ConversationTimers } from './conversation-timers.service';
import { ConversationWriterRepository } from './conversation-writer.repository';
import { ConversationErasureRepository } from './conversation-erasure.repository';
import { ConversationWriter } from './conversation-writer.service';
import { MessageRepository } from './message.repository';

/**
 * The conversation aggregate: conversation and message rows (and attachments), their SQL, the one
 * writer that changes them and the reader other features see them through. Agents reach it by
 * ConversationService (access checks); other features write by ConversationWriter and read by
 * ConversationReader.
 */
@Global()
@Module({
  imports: [RequestTypesModule, LabelsModule, AdministrationsModule],
  controllers: [ConversationController, AttachmentController],
  providers: [
    ConversationRepository,
    MessageRepository,
    ConversationService,
    AdministrationTransfers,
    AdministrationWithdrawals,
    ConversationTimers,
    ConversationWriter,
    ConversationWriterRepository,
    ConversationErasureRepository,
    ConversationReader,
  ],
  // The repositories are the aggregate's own: other features write by the writer, read by the reader.
  exports: [ConversationService, ConversationTimers, ConversationWriter, ConversationReader],
})
export class ConversationsModule {}
