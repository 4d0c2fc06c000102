import { Module } from '@nestjs/common';
import { RequestTypesModule } from '../request-types/request-types.module';
import { LetterController } from './letter.controller';
import { LetterRepository } from './letter.repository';
import { LetterService } from './letter.service';

/** Letters (courrier papier), issue 13: registered by agents, acknowledged and answered by printed letters. */
@Module({
  imports: [RequestTypesModule],
  controllers: [LetterController],
  providers: [LetterRepository, LetterService],
})
export class LettersModule {}
