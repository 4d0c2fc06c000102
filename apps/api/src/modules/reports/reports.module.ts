import { Module } from '@nestjs/common';
import { OpenDataController } from './open-data.controller';
import { ReportAggregatesListener } from './report-aggregates.listener';
import { ReportBackfill } from './report-backfill';
import { ReportsController } from './reports.controller';
import { ReportsRepository } from './reports.repository';
import { ReportsService } from './reports.service';

/** Reports from daily aggregates kept by a durable listener, and the open-data indicators (issue 15). */
@Module({
  controllers: [ReportsController, OpenDataController],
  providers: [ReportsRepository, ReportsService, ReportAggregatesListener, ReportBackfill],
  exports: [ReportAggregatesListener],
})
export class ReportsModule {}
