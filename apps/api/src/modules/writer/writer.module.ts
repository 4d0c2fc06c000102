import { Global, Module } from '@nestjs/common';
import { ConversationWriterRepository } from './conversation-writer.repository';
import { ConversationWriter } from './conversation-writer.service';

/** The one writer of conversations, for every feature that changes one (conversation-writer.ts). */
@Global()
@Module({ providers: [ConversationWriter, ConversationWriterRepository], exports: [ConversationWriter] })
export class WriterModule {}
