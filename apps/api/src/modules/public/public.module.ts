import { Module } from '@nestjs/common';
import { IngestModule } from '../ingest/ingest.module';
import { PublicController } from './public.controller';
import { PublicRepository } from './public.repository';
import { PublicService } from './public.service';

@Module({ imports: [IngestModule], controllers: [PublicController], providers: [PublicRepository, PublicService] })
export class PublicModule {}
