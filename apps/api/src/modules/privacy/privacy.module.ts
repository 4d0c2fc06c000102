import { Module } from '@nestjs/common';
import { RetentionController } from './retention.controller';
import { RetentionRepository } from './retention.repository';
import { RetentionService } from './retention.service';

/** RGPD (issue 16): retention and anonymization, legal holds, citizens' rights. */
@Module({
  controllers: [RetentionController],
  providers: [RetentionRepository, RetentionService],
  exports: [RetentionService],
})
export class PrivacyModule {}
