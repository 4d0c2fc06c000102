import { randomUUID } from 'node:crypto';
import type { MunicipalEventDto } from '@guichet/contracts';
import type { RegistrationService } from '../../src/modules/municipal-events/registration.service';
import type { TestApp } from '../harness';
import { startRegistrantJobs } from '../registrant-jobs';

/**
 * Issues 16 and 17: a contact merge (and its undo) moves the citizen's conversations and the event
 * registrations filed in them, while a registration's notice job locks the registration, then
 * writes in its conversation. The merge must take the registrations first too: run against each
 * other many times on real PostgreSQL, none may abort for a lock cycle (40P01), nothing retries them.
 */
describe('contact merge locks', () => {
  let t: TestApp;
  let h: Awaited<ReturnType<typeof startRegistrantJobs>>;
  let town: typeof h.town;
  let registrations: RegistrationService;
  const contactsOf = async (ids: string[]) =>
    (await t.db.query(`SELECT DISTINCT contact_id FROM municipal_event_registration WHERE id = ANY($1::uuid[])`, [ids])).rows;
  const newEvent = async (title: string) =>
    (
      await t.http<MunicipalEventDto>('POST', '/api/v1/events', {
        token: town.agentSco.token,
        body: {
          teamId: town.scolarite.id,
          title,
          place: 'Médiathèque',
          startsAt: new Date(Date.now() + 10 * 24 * 3600_000).toISOString(),
          capacity: 500,
          published: true,
        },
      })
    ).body;
  const failuresOf = (round: number, settled: PromiseSettledResult<unknown>[]) =>
    settled.flatMap((s, i) => {
      if (s.status === 'fulfilled') {
        const status = (s.value as { status?: number } | undefined)?.status;
        return status === undefined || status === 200 ? [] : [`round ${round}, call ${i}: HTTP ${status}`];
      }
      const e = s.reason as { message?: string; driverError?: { code?: string } };
      return [`round ${round}, call ${i}: ${e.driverError?.code ?? ''} ${e.message}`];
    });

  beforeAll(async () => {
    h = await startRegistrantJobs('10.4');
    ({ t, town, registrations } = h);
  });
  afterAll(() => t.close());

  it('a merge, then its undo, each against the notice jobs of the registrations they move, 30 times: no lock cycle', async () => {
    const events = [await newEvent('Atelier vélo'), await newEvent('Conte du soir')];
    const job = h.job;
    for (let round = 0; round < 30; round++) {
      // The citizen registered to two events by e-mail (each filed in its conversation), and wrote by SMS.
      const mail = `${randomUUID().slice(0, 8)}@exemple.fr`;
      const regs = [
        await registrations.register(events[0]!.id, h.input(mail), h.ip()),
        await registrations.register(events[1]!.id, h.input(mail), h.ip()),
      ];
      for (const r of regs) await job(r.id, 'registered');
      const sms = await t.ingest.ingest(
        {
          channelId: town.sms.id,
          externalId: randomUUID(),
          from: { kind: 'phone', value: `+33612${String(100_000 + round).padStart(6, '0')}` },
          text: 'Bonjour, je suis inscrite à vos ateliers',
        },
        { teamId: town.etatCivil.id },
      );
      const { rows: filed } = await t.db.query(`SELECT contact_id FROM municipal_event_registration WHERE id = $1`, [
        regs[0]!.id,
      ]);
      const mailContact = filed[0].contact_id as string;
      const proposed = await t.http('POST', `/api/v1/contacts/${sms.contactId}/merges`, {
        token: town.supervisor.token,
        body: { otherContactId: mailContact, reason: 'Même personne' },
      });
      expect(proposed.status).toBe(201);
      const mergeId = proposed.body.id as string;

      // Both registrations cancelled: their notice jobs run while the merge moves them.
      for (const r of regs) await registrations.cancel(r.id, r.token);
      const merged = await Promise.allSettled([
        job(regs[0]!.id, 'cancelled'),
        t.http('POST', `/api/v1/contact-merges/${mergeId}/confirm`, { token: town.admin.token }),
        job(regs[1]!.id, 'cancelled'),
      ]);
      expect(failuresOf(round, merged)).toEqual([]);
      expect(await contactsOf(regs.map((r) => r.id))).toEqual([{ contact_id: sms.contactId }]);

      // The undo against a notice job of the same registrations (an agent's message to them is a job too).
      await t.db.query(`UPDATE municipal_event_registration SET notified = array_remove(notified, 'cancelled') WHERE id = $1`, [
        regs[1]!.id,
      ]);
      const undone = await Promise.allSettled([
        t.http('POST', `/api/v1/contact-merges/${mergeId}/undo`, { token: town.admin.token }),
        job(regs[1]!.id, 'cancelled'),
      ]);
      expect(failuresOf(round, undone)).toEqual([]);
      expect(await contactsOf(regs.map((r) => r.id))).toEqual([{ contact_id: mailContact }]);
    }
  }, 600_000);
});
