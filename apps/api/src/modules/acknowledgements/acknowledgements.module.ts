import { Module } from '@nestjs/common';
import { RoutingModule } from '../routing/routing.module';
import { RequestTypesModule } from '../request-types/request-types.module';
import { AcknowledgementController } from './acknowledgement.controller';
import { AcknowledgementListener } from './acknowledgement.listener';
import { AcknowledgementRepository } from './acknowledgement.repository';
import { AcknowledgementService } from './acknowledgement.service';

/** Legal acknowledgements sent by Guichet (CRPA L112-3, R112-5, L112-11), issue 13. */
@Module({
  imports: [RequestTypesModule, RoutingModule],
  controllers: [AcknowledgementController],
  providers: [AcknowledgementRepository, AcknowledgementService, AcknowledgementListener],
})
export class AcknowledgementsModule {}
