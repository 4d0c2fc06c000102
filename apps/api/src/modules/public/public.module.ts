import { Module } from '@nestjs/common';
import { IngestModule } from '../ingest/ingest.module';
import { PublicController } from './public.controller';
import { PublicService } from './public.service';

@Module({ imports: [IngestModule], controllers: [PublicController], providers: [PublicService] })
export class PublicModule {}
