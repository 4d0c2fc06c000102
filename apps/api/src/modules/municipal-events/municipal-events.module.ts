import { Inject, Module, type OnApplicationBootstrap } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../../config';
import { JobQueue } from '../../infra/jobs/job-queue';
import { ContactRegistrationsController, MunicipalEventController } from './municipal-event.controller';
import { MunicipalEventRepository } from './municipal-event.repository';
import { MunicipalEventService } from './municipal-event.service';
import { PublicEventController } from './public-event.controller';
import { PublicEventService } from './public-event.service';
import { RegistrantNotices } from './registrant-notices.service';
import { RegistrationService } from './registration.service';

export const EVENTS_SWEEP_QUEUE = 'municipal-events-sweep';

/**
 * Municipal events with registrations, waiting lists and reminders (issue 17). Not `modules/events`:
 * that folder is the domain event bus.
 */
@Module({
  controllers: [MunicipalEventController, ContactRegistrationsController, PublicEventController],
  providers: [MunicipalEventRepository, MunicipalEventService, PublicEventService, RegistrationService, RegistrantNotices],
  exports: [MunicipalEventService, RegistrationService, RegistrantNotices, PublicEventService],
})
export class MunicipalEventsModule implements OnApplicationBootstrap {
  constructor(
    private readonly queue: JobQueue,
    private readonly registrations: RegistrationService,
    private readonly notices: RegistrantNotices,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** Every minute, on one instance: offers not confirmed in time lapse, then the reminders due go out. */
  async onApplicationBootstrap(): Promise<void> {
    void this.config;
    await this.queue.define(EVENTS_SWEEP_QUEUE, { cron: '* * * * *', retryLimit: 1, expireInSeconds: 600 }, async () => {
      await this.registrations.expireOffers();
      await this.notices.sendDueReminders();
    });
  }
}
