import { Global, Module } from '@nestjs/common';
import { ContactController } from './contact.controller';
import { ContactDirectory } from './contact-directory.service';
import { ContactRepository } from './contact.repository';
import { ContactService } from './contact.service';

/**
 * Contacts (citizens); publishes ContactService (agents' access, `resolve` in a writer's transaction)
 * and ContactDirectory (what the channel paths ask and record for the system).
 */
@Global()
@Module({
  controllers: [ContactController],
  providers: [ContactRepository, ContactService, ContactDirectory],
  exports: [ContactService, ContactDirectory],
})
export class ContactsModule {}
