import { Module } from '@nestjs/common';
import { OpenDataController } from './open-data.controller';
import { ReportAggregates } from './report-aggregates';
import { ReportBackfill } from './report-backfill';
import { ReportsController } from './reports.controller';
import { ReportsRepository } from './reports.repository';
import { ReportsService } from './reports.service';

/** Reports from daily and monthly aggregates folded in every few seconds, and the open-data indicators (issue 15). */
@Module({
  controllers: [ReportsController, OpenDataController],
  providers: [ReportsRepository, ReportsService, ReportAggregates, ReportBackfill],
  exports: [ReportAggregates],
})
export class ReportsModule {}
