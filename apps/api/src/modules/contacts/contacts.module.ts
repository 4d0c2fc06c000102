import { Global, Module } from '@nestjs/common';
import { ContactController } from './contact.controller';
import { ContactMergeController } from './contact-merge.controller';
import { ContactMergeRepository } from './contact-merge.repository';
import { ContactMergeService } from './contact-merge.service';
import { ContactDirectory } from './contact-directory.service';
import { ContactRepository } from './contact.repository';
import { ContactService } from './contact.service';

/**
 * Contacts (citizens); publishes ContactService (agents' access, `resolve` in a writer's transaction)
 * and ContactDirectory (what the channel paths ask and record for the system).
 */
@Global()
@Module({
  controllers: [ContactController, ContactMergeController],
  providers: [ContactRepository, ContactService, ContactDirectory, ContactMergeRepository, ContactMergeService],
  exports: [ContactService, ContactDirectory],
})
export class ContactsModule {}
