import { Global, Module } from '@nestjs/common';
import { ContactController } from './contact.controller';
import { ContactRepository } from './contact.repository';
import { ContactService } from './contact.service';

/** Contacts (citizens); publishes their repository to the features that find or create them. */
@Global()
@Module({
  controllers: [ContactController],
  providers: [ContactRepository, ContactService],
  exports: [ContactService, ContactRepository],
})
export class ContactsModule {}
