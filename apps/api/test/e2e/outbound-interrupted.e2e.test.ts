import { randomBytes, randomUUID } from 'node:crypto';
import type { MessageDto } from '@guichet/contracts';
import {
  expectEventually,
  startSmtpCapture,
  startTwilioServer,
  type CapturedMail,
  type SmtpCapture,
  type TwilioServer,
} from '@guichet/testing';
import type { Job } from 'pg-boss' with { 'resolution-mode': 'import' };
import { JobQueue, QUEUES } from '../../src/infra/jobs/job-queue';
import { OutboundWorker, type OutboundJob } from '../../src/modules/outbound/outbound.worker';
import { FORM_NOTICE_MAIL_QUEUE } from '../../src/modules/outbound/form-reply-notice.service';
import {
  citizenSms,
  capturedEmailChannel,
  orgSmtpSettings,
  seedTown,
  startCompiledInstance,
  startTestApp,
  type CompiledInstance,
  type TestApp,
} from '../harness';

const ACCOUNT = 'AC' + 'e'.repeat(32);
const TOKEN = 'auth-token-ville-0003';
const OWN_NUMBER = '+33700000018';
/** A test may start the compiled API twice (a loaded 2-core machine takes up to a minute for one). */
const TEST_MS = 240_000;

/**
 * Issue 18, the last windows of a reply sent twice: an attempt whose outcome was never written.
 * The worker commits `sending` before it calls Twilio; a later run that finds it `sending` asks
 * Twilio (its Messages list, from the stand-in, through the real twilio client) before it sends.
 * Instance A is the compiled API (it runs the jobs and is SIGKILLed); B writes the replies and
 * never runs jobs, except where a test runs B's worker by hand as a second worker.
 *
 * After a SIGKILL the job stays active until it expires (120 s, then up to a minute before the
 * queue's supervision hands it out again): the tests send the same job data again instead, at
 * once, which is what the handed-out job runs.
 */
describe('a reply whose attempt was interrupted', () => {
  let b: TestApp;
  let twilio: TwilioServer;
  let smtp: SmtpCapture;
  let emailChannelId: string;
  let town: Awaited<ReturnType<typeof seedTown>>;
  let channelId: string;
  const instances: CompiledInstance[] = [];

  beforeAll(async () => {
    delete process.env.HTTP_PROXY;
    delete process.env.HTTPS_PROXY;
    twilio = await startTwilioServer();
    twilio.addAccount(ACCOUNT, TOKEN);
    smtp = await startSmtpCapture();
    b = await startTestApp({ runJobs: false });
    town = await seedTown(b);
    channelId = (
      await b.newChannel({
        organizationId: town.org.id,
        teamId: town.etatCivil.id,
        kind: 'sms',
        config: { accountSid: ACCOUNT, authToken: TOKEN, apiBaseUrl: twilio.url, phoneNumber: OWN_NUMBER },
      })
    ).id;
    // The town's e-mail channel sends through the SMTP capture (its mailbox is not read here).
    emailChannelId = (
      await b.newChannel({
        organizationId: town.org.id,
        teamId: town.etatCivil.id,
        kind: 'email',
        config: capturedEmailChannel(smtp, 'etat-civil@ville-0018.fr'),
      })
    ).id;
    // The town's own mail (a form's notices) through the same capture.
    const put = await b.http('PUT', '/api/v1/organization/mail-settings', {
      token: town.admin.token,
      body: orgSmtpSettings(smtp, 'ne-pas-repondre@ville-0018.fr'),
    });
    expect(put.status).toBe(200);
  });
  afterAll(async () => {
    for (const a of instances) await a.kill();
    await b?.close();
    await twilio?.close();
    await smtp?.close();
  });

  const startA = async () => {
    const a = await startCompiledInstance(b, { RUN_JOBS: '1' });
    instances.push(a);
    return a;
  };
  /**
   * The one instance running the jobs as a case begins: the running A an earlier case's next run
   * left (starting the compiled API is most of this file's time), else a new one. Any other still
   * running is killed first, so that the job under test can be run by no instance but this one.
   */
  const onlyA = async () => {
    const live = instances.filter((a) => a.proc.exitCode === null && a.proc.signalCode === null);
    if (live.length === 1) return live[0]!;
    for (const a of instances.splice(0)) await a.kill();
    return startA();
  };
  /** A citizen's SMS and the agent's reply to it (queued: A, when running, sends it). */
  const reply = async (text: string) => {
    const conversationId = await citizenSms(b, channelId, 'Bonjour, où en est ma demande ?');
    const { version } = (await b.http('GET', `/api/v1/conversations/${conversationId}`, { token: town.agentEC.token })).body;
    const res = await b.http('POST', `/api/v1/conversations/${conversationId}/messages`, {
      token: town.agentEC.token,
      body: { kind: 'reply', body: text, channelId, version },
    });
    expect(res.status).toBe(201);
    return res.body.id as string;
  };
  const message = async (id: string) =>
    (await b.db.query(`SELECT status, external_id, error, send_instance FROM message WHERE id = $1`, [id])).rows[0];
  /** What Twilio holds with this text (created, whether or not Guichet heard its answer). */
  const atTwilio = (text: string) => [...twilio.messages.values()].filter((m) => m.body === text);
  const sendJobAgain = (messageId: string, queue: string = QUEUES.outboundSend) =>
    b.app.get(JobQueue).send(queue, { messageId, organizationId: town.org.id });
  /** The mails the SMTP server accepted for this address, and their Message-ID header. */
  const mailsTo = (address: string) => smtp.messages.filter((m) => m.to.includes(address));
  const messageIdOf = (mail: CapturedMail) => /^Message-ID:\s*(<[^>]+>)/im.exec(mail.text)?.[1];
  /** SIGKILLs `a` when the SMTP server has the first mail to `address`, before `a` hears the 250. */
  const killOnMailTo = (a: CompiledInstance, address: string) => {
    const killed = { at: 0 };
    smtp.beforeAnswer((mail) => {
      if (!mail.to.includes(address)) return;
      smtp.beforeAnswer(null);
      a.proc.kill('SIGKILL');
      killed.at = Date.now();
    });
    return killed;
  };
  /** The instance is gone; the worker lets a young attempt's request settle (20 s): moved back, as a job handed out at its expiry finds it. */
  const ageAttempt = (id: string) =>
    b.db.query(`UPDATE message SET send_started_at = send_started_at - interval '30 seconds' WHERE id = $1`, [id]);
  const messagesOf = async (conversationId: string): Promise<MessageDto[]> =>
    (await b.http('GET', `/api/v1/conversations/${conversationId}/messages?limit=100`, { token: town.agentEC.token })).body.items;

  it(
    'killed when Twilio had accepted the SMS: the next run finds it at Twilio, records its SID and sends nothing',
    async () => {
      const a = await onlyA();
      const text = 'Votre acte de naissance est prêt (1).';
      let killedAt = 0;
      twilio.beforeAnswer((form) => {
        if (form.Body !== text) return;
        twilio.beforeAnswer(null);
        a.proc.kill('SIGKILL');
        killedAt = Date.now();
      });
      const id = await reply(text);
      await expectEventually(() => expect(killedAt).toBeGreaterThan(0), { timeoutMs: 30_000 });
      await a.kill();
      // Twilio has it; Guichet never heard: the attempt is committed, its outcome is not.
      expect(atTwilio(text)).toHaveLength(1);
      expect(await message(id)).toMatchObject({ status: 'sending', external_id: null, error: null });
      await ageAttempt(id);

      const listsBefore = twilio.lists().length;
      await startA();
      await sendJobAgain(id);
      const [sms] = atTwilio(text);
      await expectEventually(
        async () => expect(await message(id)).toMatchObject({ status: 'sent', external_id: sms!.sid, error: null }),
        {
          timeoutMs: 60_000,
        },
      );
      expect(atTwilio(text)).toHaveLength(1);
      // It asked Twilio, for the citizen's number from the town's.
      const asked = twilio.lists().slice(listsBefore);
      expect(asked.length).toBeGreaterThan(0);
      expect(asked[0]!.query).toMatchObject({ From: OWN_NUMBER, To: sms!.to });
    },
    TEST_MS,
  );

  it(
    'killed before Twilio had the SMS: the next run finds nothing there and sends it, once',
    async () => {
      const a = await onlyA();
      const text = 'Votre acte de naissance est prêt (2).';
      let killedAt = 0;
      twilio.beforeAccept((form) => {
        if (form.Body !== text) return;
        twilio.beforeAccept(null);
        a.proc.kill('SIGKILL');
        killedAt = Date.now();
        return 'drop';
      });
      const id = await reply(text);
      await expectEventually(() => expect(killedAt).toBeGreaterThan(0), { timeoutMs: 30_000 });
      await a.kill();
      expect(atTwilio(text)).toHaveLength(0);
      expect(await message(id)).toMatchObject({ status: 'sending', external_id: null });
      await ageAttempt(id);

      const listsBefore = twilio.lists().length;
      await startA();
      await sendJobAgain(id);
      await expectEventually(async () => expect((await message(id)).status).toBe('sent'), { timeoutMs: 60_000 });
      expect(atTwilio(text)).toHaveLength(1);
      expect(await message(id)).toMatchObject({ external_id: atTwilio(text)[0]!.sid, error: null });
      expect(twilio.lists().length).toBeGreaterThan(listsBefore);
    },
    TEST_MS,
  );

  it(
    'two workers with one job (it expired while its first run still sent): the second waits, sends nothing',
    async () => {
      await onlyA();
      const text = 'Votre acte de naissance est prêt (3).';
      // A's send reaches Twilio and waits there for its answer.
      let answer!: () => void;
      const answered = new Promise<void>((resolve) => (answer = resolve));
      let accepted = false;
      twilio.beforeAnswer(async (form) => {
        if (form.Body !== text) return;
        twilio.beforeAnswer(null);
        accepted = true;
        await answered;
      });
      const id = await reply(text);
      await expectEventually(() => expect(accepted).toBe(true), { timeoutMs: 30_000 });
      expect(await message(id)).toMatchObject({ status: 'sending' });

      // The same job run by a second worker (B's) meanwhile: it sees `sending` by a live instance.
      const listsBefore = twilio.lists().length;
      let secondDone = false;
      const second = b.app
        .get(OutboundWorker)
        .handle({
          id: 'expired-job',
          name: QUEUES.outboundSend,
          data: { messageId: id, organizationId: town.org.id },
          retryCount: 0,
        } as unknown as Job<OutboundJob>)
        .then(() => (secondDone = true));
      await new Promise((resolve) => setTimeout(resolve, 2_000));
      expect(secondDone).toBe(false);
      expect(atTwilio(text)).toHaveLength(1);
      // A's attempt is alive and young: nothing to ask Twilio yet.
      expect(twilio.lists().length).toBe(listsBefore);

      answer();
      await second;
      const [sms] = atTwilio(text);
      expect(atTwilio(text)).toHaveLength(1);
      await expectEventually(async () => expect(await message(id)).toMatchObject({ status: 'sent', external_id: sms!.sid }), {
        timeoutMs: 15_000,
      });
      expect(twilio.lists().length).toBe(listsBefore);
    },
    TEST_MS,
  );

  it(
    'killed when the SMTP server had accepted an e-mail reply: sent again with the same Message-ID, recorded sent once, shown once',
    async () => {
      // Alone: no instance of an earlier case sends it meanwhile.
      const a = await onlyA();
      const citizen = `louise.${randomBytes(3).toString('hex')}@exemple.fr`;
      const killed = killOnMailTo(a, citizen);
      const { conversationId } = await b.ingest.ingest({
        channelId: emailChannelId,
        externalId: `<${randomUUID()}@exemple.fr>`,
        from: { kind: 'email', value: citizen, name: 'Louise Garnier' },
        subject: 'Livret de famille',
        text: 'Bonjour, mon livret de famille est-il prêt ?',
      });
      const { version } = (await b.http('GET', `/api/v1/conversations/${conversationId}`, { token: town.agentEC.token })).body;
      const text = 'Votre livret de famille est prêt (4).';
      const res = await b.http('POST', `/api/v1/conversations/${conversationId}/messages`, {
        token: town.agentEC.token,
        body: { kind: 'reply', body: text, channelId: emailChannelId, version },
      });
      expect(res.status).toBe(201);
      const id = res.body.id as string;
      await expectEventually(() => expect(killed.at).toBeGreaterThan(0), { timeoutMs: 30_000 });
      await a.kill();
      // The SMTP server has it; Guichet never heard its 250.
      expect(mailsTo(citizen)).toHaveLength(1);
      expect(await message(id)).toMatchObject({ status: 'sending', external_id: null, error: null });
      await ageAttempt(id);

      await startA();
      await sendJobAgain(id);
      await expectEventually(async () => expect((await message(id)).status).toBe('sent'), { timeoutMs: 60_000 });
      // Sent again (SMTP cannot be asked), as the same mail: the copies carry one Message-ID, the reply's.
      const copies = mailsTo(citizen);
      expect(copies).toHaveLength(2);
      const [first, second] = copies.map(messageIdOf);
      expect(first).toMatch(new RegExp(`^<${id}@ville-0018\\.fr>$`));
      expect(second).toBe(first);
      expect(await message(id)).toMatchObject({ status: 'sent', external_id: first, error: null });
      // The agent sees the reply once, sent.
      const shown = (await messagesOf(conversationId)).filter((m) => m.body === text);
      expect(shown).toHaveLength(1);
      expect(shown[0]).toMatchObject({ id, status: 'sent' });
    },
    TEST_MS,
  );

  it(
    'a form’s e-mail notice, killed when the SMTP server had accepted it: sent again with the same Message-ID, sent once in the file',
    async () => {
      // Alone: no instance of an earlier case sends it meanwhile.
      const a = await onlyA();
      const citizen = `paul.${randomBytes(3).toString('hex')}@exemple.fr`;
      const killed = killOnMailTo(a, citizen);
      const created = await b.http('POST', `/api/v1/public/organizations/${town.org.slug}/requests`, {
        body: { teamId: town.etatCivil.id, name: 'Paul Girard', subject: 'Carte d’identité', body: 'Bonjour.', email: citizen },
        headers: { 'x-forwarded-for': `10.18.0.${Math.floor(Math.random() * 250)}` },
      });
      expect(created.status).toBe(201);
      expect(created.body.notify).toMatchObject({ email: citizen });
      const conversationId = (await b.db.query(`SELECT id FROM conversation WHERE reference = $1`, [created.body.reference]))
        .rows[0].id as string;
      const { version } = (await b.http('GET', `/api/v1/conversations/${conversationId}`, { token: town.agentEC.token })).body;
      // The agent's reply on the form: its notice is queued (by A's durable listener) and sent by A.
      const res = await b.http('POST', `/api/v1/conversations/${conversationId}/messages`, {
        token: town.agentEC.token,
        body: { kind: 'reply', body: 'Votre carte est prête.', version },
      });
      expect(res.status).toBe(201);
      await expectEventually(() => expect(killed.at).toBeGreaterThan(0), { timeoutMs: 60_000 });
      await a.kill();
      expect(mailsTo(citizen)).toHaveLength(1);
      const notices = async () => (await messagesOf(conversationId)).filter((m) => m.notice?.via === 'email');
      const [notice] = await notices();
      expect(notice).toBeDefined();
      expect(await message(notice!.id)).toMatchObject({ status: 'sending', error: null });
      await ageAttempt(notice!.id);

      await startA();
      await sendJobAgain(notice!.id, FORM_NOTICE_MAIL_QUEUE);
      await expectEventually(async () => expect((await message(notice!.id)).status).toBe('sent'), { timeoutMs: 60_000 });
      const copies = mailsTo(citizen);
      expect(copies).toHaveLength(2);
      const [first, second] = copies.map(messageIdOf);
      expect(first).toMatch(new RegExp(`^<${notice!.id}@ville-0018\\.fr>$`));
      expect(second).toBe(first);
      expect(await notices()).toEqual([expect.objectContaining({ id: notice!.id, status: 'sent' })]);
    },
    TEST_MS,
  );
});
