import { Global, Module } from '@nestjs/common';
import { AttachmentController } from './attachment.controller';
import { MessageRepository } from './message.repository';

/** Messages of conversations and their attachments; the repository is published to every feature. */
@Global()
@Module({ controllers: [AttachmentController], providers: [MessageRepository], exports: [MessageRepository] })
export class MessagesModule {}
