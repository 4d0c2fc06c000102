import { Module } from '@nestjs/common';
import { LabelController } from './label.controller';
import { LabelRepository } from './label.repository';
import { LabelService } from './label.service';

/** Labels (étiquettes) of an organization's conversations (issues 13 and 21). */
@Module({
  controllers: [LabelController],
  providers: [LabelRepository, LabelService],
  exports: [LabelService],
})
export class LabelsModule {}
