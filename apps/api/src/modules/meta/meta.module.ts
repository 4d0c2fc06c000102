import { Module } from '@nestjs/common';
import { ChannelsModule } from '../channels/channels.module';
import { IngestModule } from '../ingest/ingest.module';
import { MetaCommentController } from './meta-comment.controller';
import { MetaCommentService } from './meta-comment.service';
import { MetaJobs } from './meta-jobs';
import { MetaQueue } from './meta-queue';
import { MetaWebhookController } from './meta-webhook.controller';
import { MetaWebhookService } from './meta-webhook.service';
import { MetaRepository } from './meta.repository';

/** Facebook Messenger, Instagram Direct and page comments through Meta's webhooks (issue 6). */
@Module({
  imports: [ChannelsModule, IngestModule],
  controllers: [MetaWebhookController, MetaCommentController],
  providers: [MetaRepository, MetaQueue, MetaWebhookService, MetaCommentService, MetaJobs],
})
export class MetaModule {}
