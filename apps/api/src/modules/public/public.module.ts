import { Module } from '@nestjs/common';
import { IngestModule } from '../ingest/ingest.module';
import { PrivacyModule } from '../privacy/privacy.module';
import { RequestTypesModule } from '../request-types/request-types.module';
import { SatisfactionModule } from '../satisfaction/satisfaction.module';
import { PublicController } from './public.controller';
import { PublicRepository } from './public.repository';
import { PublicService } from './public.service';

@Module({
  imports: [IngestModule, RequestTypesModule, PrivacyModule, SatisfactionModule],
  controllers: [PublicController],
  providers: [PublicRepository, PublicService],
})
export class PublicModule {}
