import { ConfigError, loadConfig } from '../../src/config';
import { parseEmail } from '@guichet/channels';
import type { Job } from 'pg-boss' with { 'resolution-mode': 'import' };
import type { MessageDto, MunicipalEventDto, PublicRegistrationCreated } from '@guichet/contracts';
import { startSmtpCapture, startTwilioServer, type SmtpCapture, type TwilioServer } from '@guichet/testing';
import { RegistrantNotices, type RegistrationNotice } from '../../src/modules/municipal-events/registrant-notices.service';
import { OutboundWorker, type OutboundJob } from '../../src/modules/outbound/outbound.worker';
import { capturedEmailChannel, orgSmtpSettings, seedTown, startTestApp, type TestApp } from '../harness';

const ACCOUNT = 'AC' + 'f'.repeat(32);
const TOKEN = 'auth-token-registrant-cancel';

/**
 * Issue 17, « none is sent after a cancellation », on real PostgreSQL through the outbound worker
 * (the Twilio stand-in, the SMTP capture): a registrant's reminder or offer already queued when the
 * registration, or its event, is cancelled never reaches the provider; it is settled `failed` with
 * a French reason the agents see. The cancellation notice and the agent's message still go. No job
 * runs on its own here (runJobs off): each step is run by the test, in the order the race needs.
 */
describe('a registrant’s queued notice after a cancellation', () => {
  let t: TestApp;
  let smtp: SmtpCapture;
  let twilio: TwilioServer;
  let town: Awaited<ReturnType<typeof seedTown>>;
  let notices: RegistrantNotices;
  let worker: OutboundWorker;

  beforeAll(async () => {
    delete process.env.HTTP_PROXY;
    delete process.env.HTTPS_PROXY;
    [smtp, twilio, t] = await Promise.all([startSmtpCapture(), startTwilioServer(), startTestApp({ runJobs: false })]);
    twilio.addAccount(ACCOUNT, TOKEN);
    town = await seedTown(t);
    // The seeded channels have no provider: the town's SMS and e-mail go through the stand-ins.
    await t.db.query(`UPDATE channel SET enabled = false WHERE id = ANY($1::uuid[])`, [[town.sms.id, town.email.id]]);
    await t.newChannel({
      organizationId: town.org.id,
      teamId: town.scolarite.id,
      kind: 'sms',
      config: { accountSid: ACCOUNT, authToken: TOKEN, apiBaseUrl: twilio.url, phoneNumber: '+33700000041' },
    });
    await t.newChannel({
      organizationId: town.org.id,
      teamId: town.scolarite.id,
      kind: 'email',
      config: capturedEmailChannel(smtp, 'scolarite@ville-rappels.fr'),
    });
    const mail = await t.http('PUT', '/api/v1/organization/mail-settings', {
      token: town.admin.token,
      body: orgSmtpSettings(smtp, 'mairie@ville-rappels.fr'),
    });
    expect(mail.status).toBe(200);
    notices = t.app.get(RegistrantNotices);
    worker = t.app.get(OutboundWorker);
  });
  afterAll(async () => {
    await t?.close();
    await Promise.all([smtp?.close(), twilio?.close()]);
  });

  let counter = 0;
  /** A published event of Scolarité, reminded 48 h before, one place per registration. */
  const createEvent = async (title: string, place: string, startsAt: Date, capacity: number, waitlistCapacity: number) => {
    const created = await t.http<MunicipalEventDto>('POST', '/api/v1/events', {
      token: town.agentSco.token,
      body: {
        teamId: town.scolarite.id,
        title,
        description: 'Un événement',
        place,
        startsAt: startsAt.toISOString(),
        capacity,
        waitlistCapacity,
        maxPlacesPerRegistration: 1,
        published: true,
        reminderMinutes: [2880],
      },
    });
    expect(created.status).toBe(201);
    return created.body;
  };
  const register = async (eventId: string, body: Record<string, unknown>) => {
    const res = await t.http<PublicRegistrationCreated>('POST', `/api/v1/public/events/${eventId}/registrations`, {
      body: { places: 1, consentReminders: true, answers: {}, ...body },
      headers: { 'x-forwarded-for': `10.42.0.${++counter}` },
    });
    expect(res.status).toBe(201);
    return res.body;
  };
  /** A notice job, run now (its queue does not run here). */
  const notice = (registrationId: string, n: RegistrationNotice) =>
    notices.handle({ organizationId: town.org.id, registrationId, notice: n });
  /** The outbound job of a message, run now. */
  const send = (messageId: string) =>
    worker.handle({ data: { messageId, organizationId: town.org.id }, retryCount: 0 } as Job<OutboundJob>);
  /** Every message of the town still queued, sent in the order written. */
  const sendQueued = async () => {
    const { rows } = await t.db.query<{ id: string }>(
      `SELECT id FROM message WHERE organization_id = $1 AND kind = 'message' AND status = 'queued' ORDER BY created_at, id`,
      [town.org.id],
    );
    for (const r of rows) await send(r.id);
  };
  /** The registration's messages to the citizen, as agents read them in its file. */
  const messagesOf = async (registrationId: string): Promise<MessageDto[]> => {
    const { rows } = await t.db.query(`SELECT conversation_id FROM municipal_event_registration WHERE id = $1`, [registrationId]);
    const res = await t.http('GET', `/api/v1/conversations/${rows[0].conversation_id}/messages?limit=100`, {
      token: town.supervisor.token,
    });
    return (res.body.items as MessageDto[]).filter((m) => m.kind === 'message');
  };
  const smsTo = (number: string) =>
    twilio
      .creates()
      .filter((r) => r.form.To === number)
      .map((r) => String(r.form.Body));
  /** The text of the mails the SMTP capture accepted for this address. */
  const mailsTo = (address: string) =>
    Promise.all(
      smtp.messages
        .filter((m) => m.to.includes(address))
        .map(async (m) => (await parseEmail(m.raw, { channelId: 'x' })).inbound.text ?? ''),
    );

  it('a reminder or an offer queued before the registration or the event is cancelled is not sent, settled « non envoyé » with the reason', async () => {
    const startsAt = new Date(Date.now() + 5 * 24 * 3600_000);
    const ev = await createEvent('Atelier cerfs-volants', 'Médiathèque', startsAt, 2, 5);
    // Ana by SMS and Chloé by e-mail hold the two places; Bruno waits.
    const ana = await register(ev.id, { name: 'Ana Roux', phone: '06 12 34 00 41', channel: 'sms' });
    const chloe = await register(ev.id, { name: 'Chloé Vidal', email: 'chloe@example.fr' });
    const bruno = await register(ev.id, { name: 'Bruno Lenoir', email: 'bruno@example.fr' });
    expect([ana.status, chloe.status, bruno.status]).toEqual(['confirmed', 'confirmed', 'waitlisted']);
    await notice(ana.id, 'registered');
    await notice(chloe.id, 'registered');
    await notice(bruno.id, 'waitlisted');
    await sendQueued();
    expect(smsTo('+33612340041')).toEqual([expect.stringContaining('est confirmée')]);

    // Two days before: the reminders of Ana and Chloé are queued.
    expect(await notices.sendDueReminders(new Date(startsAt.getTime() - 47 * 3600_000))).toBe(2);
    const reminderOf = async (registrationId: string) =>
      (await messagesOf(registrationId)).find((m) => m.body.startsWith('Rappel'))!;
    // Ana cancels before the worker runs: Bruno is offered her place (the offer queued too).
    const cancelled = await t.http('POST', `/api/v1/public/registrations/${ana.id}/cancel?token=${ana.token}`);
    expect(cancelled.status).toBe(200);
    await notice(ana.id, 'cancelled');
    await notice(bruno.id, 'offered');
    await send((await reminderOf(ana.id)).id);
    const withheld = await reminderOf(ana.id);
    expect(withheld).toMatchObject({
      status: 'failed',
      error: 'non envoyé : l’inscription a été annulée avant l’envoi',
      skipped: true,
    });
    // Agents are not offered to send it again, and the API refuses to.
    const retried = await t.http<{ message: string }>(
      'POST',
      `/api/v1/conversations/${withheld.conversationId}/messages/${withheld.id}/retry`,
      { token: town.supervisor.token },
    );
    expect(retried.status).toBe(409);
    expect(retried.body.message).toContain('ne peut pas être renvoyé');
    expect((await reminderOf(ana.id)).status).toBe('failed');

    // Chloé's cancellation is not committed yet when the worker claims her reminder: the claim waits for it, and sees it.
    await t.db.query('BEGIN');
    try {
      await t.db.query(`UPDATE municipal_event_registration SET status = 'cancelled', cancelled_at = now() WHERE id = $1`, [
        chloe.id,
      ]);
      const sending = send((await reminderOf(chloe.id)).id);
      await new Promise((resolve) => setTimeout(resolve, 500));
      await t.db.query('COMMIT');
      await sending;
    } catch (e) {
      await t.db.query('ROLLBACK');
      throw e;
    }
    expect((await reminderOf(chloe.id)).status).toBe('failed');

    // The town cancels the event with a message before Bruno's offer goes: the offer is not sent, the message is.
    const cancel = await t.http('POST', `/api/v1/events/${ev.id}/cancel`, {
      token: town.agentSco.token,
      body: { message: 'L’atelier est annulé : la médiathèque est fermée.' },
    });
    expect(cancel.status).toBe(200);
    await sendQueued();
    const offer = (await messagesOf(bruno.id)).find((m) => m.body.includes('une place s’est libérée'))!;
    expect(offer).toMatchObject({ status: 'failed', error: 'non envoyé : l’événement a été annulé avant l’envoi' });

    // Nothing of it reached the stand-ins; the cancellation notice and the agent's message did.
    expect(smsTo('+33612340041')).toEqual([expect.stringContaining('est confirmée'), expect.stringContaining('est annulée')]);
    expect(await mailsTo('chloe@example.fr')).toEqual([expect.stringContaining('est confirmée')]);
    expect(await mailsTo('bruno@example.fr')).toEqual([
      expect.stringContaining('liste d’attente'),
      expect.stringContaining('L’atelier est annulé : la médiathèque est fermée.'),
    ]);
  });

  it('an interrupted reminder taken over after its registration was cancelled is not sent again (e-mail resent, SMS asked)', async () => {
    const startsAt = new Date(Date.now() + 6 * 24 * 3600_000);
    const ev = await createEvent('Balade contée', 'Parc municipal', startsAt, 5, 0);
    const dora = await register(ev.id, { name: 'Dora Petit', email: 'dora@example.fr' });
    const eli = await register(ev.id, { name: 'Eli Martin', phone: '06 12 34 00 42', channel: 'sms' });
    await notice(dora.id, 'registered');
    await notice(eli.id, 'registered');
    await sendQueued();
    expect(await notices.sendDueReminders(new Date(startsAt.getTime() - 47 * 3600_000))).toBe(2);
    const reminderOf = async (registrationId: string) =>
      (await messagesOf(registrationId)).find((m) => m.body.startsWith('Rappel'))!;
    const reminders = [await reminderOf(dora.id), await reminderOf(eli.id)];
    // Both were claimed by an instance that died during its provider call (before the cancellations)…
    await t.db.query(
      `UPDATE message SET status = 'sending', send_started_at = now() - interval '10 minutes', send_instance = 'disparue-1'
        WHERE id = ANY($1::uuid[])`,
      [reminders.map((m) => m.id)],
    );
    // …then both citizens cancel; another worker takes the attempts over.
    for (const r of [dora, eli])
      expect((await t.http('POST', `/api/v1/public/registrations/${r.id}/cancel?token=${r.token}`)).status).toBe(200);
    for (const m of reminders) await send(m.id);
    for (const r of [dora, eli])
      expect(await reminderOf(r.id)).toMatchObject({
        status: 'failed',
        error: 'non envoyé : envoi interrompu non repris, l’inscription a été annulée entre-temps',
        skipped: true,
      });
    // Neither provider got a reminder (the e-mail would have been sent again, the SMS sent after asking Twilio).
    expect((await mailsTo('dora@example.fr')).filter((m) => m.includes('Rappel'))).toEqual([]);
    expect(smsTo('+33612340042').filter((m) => m.includes('Rappel'))).toEqual([]);
  });

  it('reminders sent as a group: each outcome its own (sent, refused, unreachable, cancelled), none sent twice on a re-run', async () => {
    const startsAt = new Date(Date.now() + 7 * 24 * 3600_000);
    const ev = await createEvent('Tournoi de pétanque', 'Boulodrome', startsAt, 10, 0);
    const names = ['Fanny Roux', 'Gaston Leroy', 'Hugo Blanc', 'Irène Faure', 'Jules Perrin'];
    const phones = names.map((_, i) => `+3361234005${i}`);
    const people = [];
    for (const [i, name] of names.entries()) people.push(await register(ev.id, { name, phone: phones[i], channel: 'sms' }));
    for (const p of people) await notice(p.id, 'registered');
    await sendQueued();
    expect(await notices.sendDueReminders(new Date(startsAt.getTime() - 47 * 3600_000))).toBe(5);
    const reminderOf = async (registrationId: string) =>
      (await messagesOf(registrationId)).find((m) => m.body.startsWith('Rappel'))!;
    const reminders = await Promise.all(people.map((p) => reminderOf(p.id)));
    // Jules cancels once his reminder is queued.
    expect((await t.http('POST', `/api/v1/public/registrations/${people[4]!.id}/cancel?token=${people[4]!.token}`)).status).toBe(
      200,
    );
    // Twilio refuses Gaston's number; Hugo's request never reaches Twilio (a network error).
    twilio.beforeAccept((form) => {
      if (form.To === phones[1]) return { status: 400, code: 21211, message: "The 'To' number is not a valid phone number." };
      if (form.To === phones[2]) return 'drop';
    });
    const jobs = (retryCount: number) =>
      reminders.map(
        (m, i) =>
          ({
            id: `groupe-${retryCount}-${i}`,
            data: { messageId: m.id, organizationId: town.org.id },
            retryCount,
          }) as Job<OutboundJob>,
      );
    const atTwilio = (to: string) => [...twilio.messages.values()].filter((m) => m.to === to && m.body.startsWith('Rappel'));
    const statuses = async () =>
      (
        await t.db.query(`SELECT id, status, error, external_id FROM message WHERE id = ANY($1::uuid[])`, [
          reminders.map((m) => m.id),
        ])
      ).rows;
    try {
      const first = await worker.sendGroup(jobs(0));
      expect(jobs(0).map((j) => first.get(j.id))).toEqual([
        { ok: true },
        { ok: true },
        { ok: false, reason: expect.stringContaining('Twilio injoignable') },
        { ok: true },
        { ok: true },
      ]);
      const byId = new Map((await statuses()).map((r) => [r.id, r]));
      const [fanny, gaston, hugo, irene, jules] = reminders.map((m) => byId.get(m.id)!);
      expect(fanny).toMatchObject({ status: 'sent', error: null, external_id: atTwilio(phones[0]!)[0]!.sid });
      expect(irene).toMatchObject({ status: 'sent', error: null, external_id: atTwilio(phones[3]!)[0]!.sid });
      expect(fanny!.external_id).not.toBe(irene!.external_id);
      expect(gaston).toMatchObject({ status: 'failed', error: expect.stringContaining('numéro'), external_id: null });
      // Not known whether Twilio has it: left `sending` for the job's retry to ask.
      expect(hugo).toMatchObject({ status: 'sending', error: null, external_id: null });
      expect(jules).toMatchObject({ status: 'failed', error: 'non envoyé : l’inscription a été annulée avant l’envoi' });
      expect(
        phones.map((to) => twilio.creates().filter((r) => r.form.To === to && r.form.Body?.startsWith('Rappel')).length),
      ).toEqual([1, 1, 1, 1, 0]);
      // Agents see each outcome in the files.
      expect((await reminderOf(people[0]!.id)).status).toBe('sent');
      expect((await reminderOf(people[1]!.id)).status).toBe('failed');

      // The group's jobs run again (retried, or handed out twice): the settled ones do nothing, Hugo's
      // interrupted attempt is left out of the group and settled on its own (Twilio asked: not there, sent once).
      twilio.beforeAccept(null);
      const again = await worker.sendGroup(jobs(1));
      expect(jobs(1).map((j) => again.get(j.id))).toEqual([{ ok: true }, { ok: true }, undefined, { ok: true }, { ok: true }]);
      await worker.handle(jobs(1)[2]!);
      const [hugoAfter] = (await statuses()).filter((r) => r.id === reminders[2]!.id);
      expect(hugoAfter).toMatchObject({ status: 'sent', external_id: atTwilio(phones[2]!)[0]!.sid });
      expect(phones.map((to) => atTwilio(to).length)).toEqual([1, 0, 1, 1, 0]);
      expect(
        phones.map((to) => twilio.creates().filter((r) => r.form.To === to && r.form.Body?.startsWith('Rappel')).length),
      ).toEqual([1, 1, 2, 1, 0]);
    } finally {
      twilio.beforeAccept(null);
    }
  });

  it('reminders leave at the bulk pace, batch after batch; a confirmation queued meanwhile is not behind them', async () => {
    const startsAt = new Date(Date.now() + 8 * 24 * 3600_000);
    const ev = await createEvent('Fête du sport', 'Stade', startsAt, 10, 0);
    const people = [];
    for (const [i, name] of ['Kim Roy', 'Léon Gay', 'Mia Colin', 'Noé Brun', 'Olga Lucas'].entries())
      people.push(await register(ev.id, { name, phone: `+3361234006${i}`, channel: 'sms' }));
    for (const p of people) await notice(p.id, 'registered');
    await sendQueued();
    // Three sweeps' transactions (2, 2 and 1 reminders): their jobs at 10 a second (the default), one after another.
    const queuedAt = Date.now();
    expect(await notices.sendDueReminders(new Date(startsAt.getTime() - 47 * 3600_000), 2)).toBe(5);
    // Each job's start, and how long after it was queued (ms).
    const jobsOf = async (messageIds: string[]) =>
      (
        await t.db.query<{ at: Date; wait: number }>(
          `SELECT start_after AS at, (extract(epoch FROM start_after - created_on) * 1000)::float8 AS wait
             FROM pgboss.job WHERE name = 'outbound-send' AND data->>'messageId' = ANY($1::text[]) ORDER BY start_after`,
          [messageIds],
        )
      ).rows;
    const reminderIds = await Promise.all(
      people.map(async (p) => (await messagesOf(p.id)).find((m) => m.body.startsWith('Rappel'))!.id),
    );
    const jobs = await jobsOf(reminderIds);
    const starts = jobs.map((j) => j.at.getTime());
    expect(starts.slice(1).map((at, i) => at - starts[i]!)).toEqual([100, 100, 100, 100]);
    expect(starts[0]).toBeGreaterThanOrEqual(queuedAt - 1_000);
    expect(starts[0]).toBeLessThan(Date.now() + 1_000);
    // The third transaction's job waits for the slots of the two before it.
    expect(jobs[4]!.wait).toBeGreaterThan(0);
    // A registrant's confirmation, queued after them, starts when queued.
    const late = await register(ev.id, { name: 'Paul Roux', phone: '+33612340070', channel: 'sms' });
    await notice(late.id, 'registered');
    expect(await jobsOf([(await messagesOf(late.id))[0]!.id])).toEqual([{ at: expect.any(Date), wait: 0 }]);
  });
});

describe('the bulk pace setting', () => {
  it('reads BULK_SENDS_PER_SECOND as a number from 0 (unpaced) to 1,000 and refuses anything else with a French reason', () => {
    const env = { DATABASE_URL: 'postgres://x/y', APP_SECRET: 'secret-0123456789abcdef', ENCRYPTION_KEY: 'a'.repeat(64) };
    expect(loadConfig(env).bulkSendsPerSecond).toBeUndefined();
    expect(loadConfig({ ...env, BULK_SENDS_PER_SECOND: '0' }).bulkSendsPerSecond).toBe(0);
    expect(loadConfig({ ...env, BULK_SENDS_PER_SECOND: '2.5' }).bulkSendsPerSecond).toBe(2.5);
    for (const bad of ['-1', '1001', 'vite'])
      expect(() => loadConfig({ ...env, BULK_SENDS_PER_SECOND: bad })).toThrow(ConfigError);
    expect(() => loadConfig({ ...env, BULK_SENDS_PER_SECOND: 'vite' })).toThrow(
      'BULK_SENDS_PER_SECOND invalide : vite (attendu : un nombre de 0 à 1000, 0 pour ne pas échelonner)',
    );
  });
});
