import { Module } from '@nestjs/common';
import { PublicSurveyController, SatisfactionSettingsController } from './satisfaction.controller';
import { SatisfactionListener } from './satisfaction.listener';
import { SatisfactionRepository } from './satisfaction.repository';
import { SatisfactionService } from './satisfaction.service';

/** Citizen satisfaction surveys after resolution (issue 15). */
@Module({
  controllers: [SatisfactionSettingsController, PublicSurveyController],
  providers: [SatisfactionRepository, SatisfactionService, SatisfactionListener],
  exports: [SatisfactionService],
})
export class SatisfactionModule {}
