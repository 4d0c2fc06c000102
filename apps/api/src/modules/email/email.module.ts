import { Module } from '@nestjs/common';
import { ChannelsModule } from '../channels/channels.module';
import { IngestModule } from '../ingest/ingest.module';
import { EmailChannelController } from './email-channel.controller';
import { EmailIngestService } from './email-ingest.service';
import { EmailRepository } from './email.repository';
import { MailReturnsController } from './mail-returns.controller';
import { MailboxCopies } from './mailbox-copies.service';
import { MailboxWatcherService } from './mailbox-watcher.service';
import { QuarantineService } from './quarantine.service';

/**
 * The email channel's wiring: IMAP watchers (one per mailbox across instances), quarantine, connection
 * test, mail returns, and the removal of anonymized conversations' copies from the mailbox.
 */
@Module({
  imports: [ChannelsModule, IngestModule],
  controllers: [EmailChannelController, MailReturnsController],
  providers: [EmailRepository, EmailIngestService, MailboxWatcherService, QuarantineService, MailboxCopies],
  exports: [EmailIngestService, MailboxWatcherService, MailboxCopies],
})
export class EmailModule {}
