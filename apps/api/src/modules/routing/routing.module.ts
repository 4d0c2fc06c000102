import { Module } from '@nestjs/common';
import { LabelsModule } from '../labels/labels.module';
import { RequestTypesModule } from '../request-types/request-types.module';
import { RoutingController } from './routing.controller';
import { RoutingListener } from './routing.listener';
import { RoutingRepository } from './routing.repository';
import { RoutingService } from './routing.service';

/** Routing rules and automatic assignment (issue 13). */
@Module({
  imports: [LabelsModule, RequestTypesModule],
  controllers: [RoutingController],
  providers: [RoutingRepository, RoutingService, RoutingListener],
  exports: [RoutingService],
})
export class RoutingModule {}
