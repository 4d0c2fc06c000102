import type { PublicRegistrationInput } from '@guichet/contracts';
import { RegistrantNotices, type RegistrationNotice } from '../src/modules/municipal-events/registrant-notices.service';
import { RegistrationService } from '../src/modules/municipal-events/registration.service';
import { seedTown, startTestApp, type TestApp } from './harness';

/**
 * A town whose registrant notice jobs the test runs itself, at the moment it chooses (no job
 * worker), for the lock tests of the registrations (issue 17) and of what moves them (issue 16).
 */
export async function startRegistrantJobs(ipPrefix: string) {
  const t: TestApp = await startTestApp({ runJobs: false, publicRequestsPerHour: 100_000 });
  const town = await seedTown(t);
  const registrations = t.app.get(RegistrationService);
  const notices = t.app.get(RegistrantNotices);
  let n = 0;
  return {
    t,
    town,
    registrations,
    /** A distinct client address per call, so the public rate limit never answers. */
    ip: () => `${ipPrefix}.${Math.floor(++n / 250)}.${n % 250}`,
    input: (email: string): PublicRegistrationInput => ({
      name: 'Inès Morel',
      email,
      places: 1,
      answers: {},
      consentReminders: true,
    }),
    job: (registrationId: string, notice: RegistrationNotice) =>
      notices.handle({ organizationId: town.org.id, registrationId, notice }),
  };
}
