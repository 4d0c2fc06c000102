import { Global, Module } from '@nestjs/common';
import { DirectoryRepository } from '../modules/agents/directory.repository';
import { AuditRepository } from '../modules/audit/audit.repository';
import { BlobStore } from '../modules/blobs/blob-store';
import { ChannelRepository } from '../modules/channels/channel.repository';
import { ContactRepository } from '../modules/contacts/contact.repository';
import { ConversationRepository } from '../modules/conversations/conversation.repository';
import { MessageRepository } from '../modules/messages/message.repository';
import { AgentMessages } from '../modules/outbound/agent-messages.service';
import { DeliveryStatusService } from '../modules/outbound/delivery-status.service';
import { JobQueue } from '../modules/outbound/job-queue';
import { RealtimePublisher } from '../modules/realtime/realtime.publisher';
import { Database } from './database.service';
import { RateLimiter } from './rate-limiter';

const PROVIDERS = [
  Database,
  RateLimiter,
  BlobStore,
  JobQueue,
  DeliveryStatusService,
  AgentMessages,
  RealtimePublisher,
  AuditRepository,
  DirectoryRepository,
  ChannelRepository,
  ContactRepository,
  ConversationRepository,
  MessageRepository,
];

/** Infrastructure and repositories (all SQL lives in repositories) used across features. */
@Global()
@Module({ providers: PROVIDERS, exports: PROVIDERS })
export class SharedModule {}
