import { Global, Module } from '@nestjs/common';
import { ProcessingRestrictionRepository } from './processing-restriction.repository';
import { ProcessingRestrictions } from './processing-restrictions.service';

/**
 * The citizen's limitation (art. 18) and objection (art. 21), asked by every feature that sends,
 * transfers, merges or keeps data; global, as the conversation aggregate is, since those features
 * sit below the privacy module (which imports them).
 */
@Global()
@Module({
  providers: [ProcessingRestrictionRepository, ProcessingRestrictions],
  exports: [ProcessingRestrictionRepository, ProcessingRestrictions],
})
export class ProcessingRestrictionsModule {}
