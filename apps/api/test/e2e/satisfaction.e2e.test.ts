import { randomBytes } from 'node:crypto';
import { parseEmail } from '@guichet/channels';
import { SATISFACTION_QUESTION, type ConversationDto, type MessageDto, type SatisfactionReportDto } from '@guichet/contracts';
import {
  expectEventually,
  startDovecot,
  startSmtpCapture,
  startTwilioServer,
  type Dovecot,
  type DovecotUser,
  type SmtpCapture,
  type TwilioServer,
} from '@guichet/testing';
import { MailboxWatcherService } from '../../src/modules/email/mailbox-watcher.service';
import { SatisfactionService } from '../../src/modules/satisfaction/satisfaction.service';
import { surveyToken } from '../../src/modules/satisfaction/survey-token';
import { citizenMail, citizenSms } from '../citizen-peers';
import { seedTown, startTestApp, type TestApp } from '../harness';

const ADDRESS = 'etat-civil@ville-avis.fr';
const ACCOUNT = 'AC' + 'b'.repeat(32);
const TOKEN = 'auth-token-avis-0001';
const TOWN_NUMBER = '+33700000021';
const mobile = () => `+3362${String(Math.floor(Math.random() * 1e7)).padStart(7, '0')}`;
const LINK = /http:\/\/guichet\.test\/avis\/([A-Za-z0-9_-]{43})/;
const WAIT = { timeoutMs: 15_000, intervalMs: 100 };

/**
 * Issue 15, the satisfaction survey end to end: a citizen's mail through Dovecot, an SMS through a
 * signed Twilio webhook, the web form; the agent answers and resolves; the survey goes out once
 * through the SMTP capture, the Twilio stand-in and the tracking page; the citizen answers through
 * the signed link without an account; the score reaches the conversation, its timeline and the
 * reports.
 */
describe('satisfaction survey', () => {
  let t: TestApp;
  let dovecot: Dovecot;
  let smtp: SmtpCapture;
  let twilio: TwilioServer;
  let town: Awaited<ReturnType<typeof seedTown>>;
  let box: DovecotUser;
  let emailChannel: string;
  let smsChannel: string;

  const admin = () => town.admin.token;
  const conversation = async (id: string): Promise<ConversationDto> =>
    (await t.http('GET', `/api/v1/conversations/${id}`, { token: admin() })).body;
  const messagesOf = async (id: string): Promise<MessageDto[]> =>
    (await t.http('GET', `/api/v1/conversations/${id}/messages?limit=100`, { token: admin() })).body.items;
  const survey = async (id: string) =>
    (
      await t.db.query(
        `SELECT status, skipped_reason, channel_kind, score, comment FROM satisfaction_survey WHERE conversation_id = $1`,
        [id],
      )
    ).rows[0] as { status: string; skipped_reason: string | null; channel_kind: string | null; score: number | null } | undefined;
  const reply = async (id: string, channelId: string) => {
    const c = await conversation(id);
    const res = await t.http('POST', `/api/v1/conversations/${id}/messages`, {
      token: admin(),
      body: { kind: 'reply', body: 'Bonjour, c’est fait. Bonne journée.', channelId, version: c.version },
    });
    expect(res.status).toBe(201);
  };
  const setStatus = async (id: string, status: 'resolved' | 'open' | 'closed') => {
    const c = await conversation(id);
    const res = await t.http('PATCH', `/api/v1/conversations/${id}`, { token: admin(), body: { status, version: c.version } });
    expect(res.status).toBe(200);
  };
  const setMode = async (mode: 'off' | 'on' | 'delay', delayHours = 24) => {
    const res = await t.http('PUT', `/api/v1/teams/${town.etatCivil.id}/satisfaction`, {
      token: admin(),
      body: { mode, delayHours },
    });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ teamId: town.etatCivil.id, mode, delayHours });
  };
  const sendMail = (from: string, subject: string) =>
    citizenMail(t, dovecot, box, {
      from,
      to: ADDRESS,
      subject,
      body: 'Bonjour, je voudrais une copie de mon acte de naissance.',
    });
  const sms = (from: string, body: string) =>
    citizenSms(t, { channelId: smsChannel, accountSid: ACCOUNT, authToken: TOKEN, from, to: TOWN_NUMBER, body });
  const smsTo = (number: string) => twilio.creates().filter((r) => r.form.To === number);
  const mailsTo = (address: string) => smtp.messages.filter((m) => m.to.includes(address));
  const page = (token: string, init?: RequestInit) => fetch(`${t.url}/avis/${token}`, { redirect: 'manual', ...init });
  const postForm = (token: string, fields: Record<string, string>) =>
    page(token, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(fields).toString(),
    });

  beforeAll(async () => {
    delete process.env.HTTP_PROXY;
    delete process.env.HTTPS_PROXY;
    [dovecot, smtp, twilio, t] = await Promise.all([startDovecot(), startSmtpCapture(), startTwilioServer(), startTestApp()]);
    twilio.addAccount(ACCOUNT, TOKEN);
    town = await seedTown(t);
    box = await dovecot.addUser('etat-civil-avis');
    const email = await t.http('POST', '/api/v1/channels', {
      token: admin(),
      body: {
        kind: 'email',
        name: 'État civil (e-mail)',
        teamId: town.etatCivil.id,
        config: {
          address: ADDRESS,
          imap: { host: '127.0.0.1', port: dovecot.port, secure: false, user: box.user, password: box.password },
          smtp: { host: '127.0.0.1', port: smtp.port, secure: false, user: smtp.user, password: smtp.password },
          processed: 'seen',
        },
      },
    });
    expect(email.status).toBe(201);
    emailChannel = email.body.id;
    const smsRes = await t.http('POST', '/api/v1/channels', {
      token: admin(),
      body: {
        kind: 'sms',
        name: 'SMS mairie',
        teamId: town.etatCivil.id,
        config: { accountSid: ACCOUNT, authToken: TOKEN, apiBaseUrl: twilio.url, phoneNumber: TOWN_NUMBER },
      },
    });
    expect(smsRes.status).toBe(201);
    smsChannel = smsRes.body.id;
    const watchers = t.app.get(MailboxWatcherService);
    await expectEventually(() => expect(watchers.status(emailChannel)?.state).toBe('idle'), WAIT);
  });
  afterAll(async () => {
    await t?.close();
    await Promise.all([dovecot?.close(), smtp?.close(), twilio?.close()]);
  });

  it('is off by default, and the setting takes French reasons for bad values', async () => {
    const get = await t.http('GET', `/api/v1/teams/${town.etatCivil.id}/satisfaction`, { token: admin() });
    expect(get.body).toEqual({ teamId: town.etatCivil.id, mode: 'off', delayHours: 24 });
    const bad = await t.http('PUT', `/api/v1/teams/${town.etatCivil.id}/satisfaction`, {
      token: admin(),
      body: { mode: 'souvent', delayHours: 0 },
    });
    expect(bad.status).toBe(400);
    const agent = await t.http('PUT', `/api/v1/teams/${town.etatCivil.id}/satisfaction`, {
      token: town.agentEC.token,
      body: { mode: 'on' },
    });
    expect(agent.status).toBe(403);

    // Off: a resolved file gets nothing.
    const citizen = `off.${randomBytes(3).toString('hex')}@exemple.fr`;
    const id = await sendMail(citizen, 'Service éteint');
    await reply(id, emailChannel);
    await expectEventually(async () => expect(mailsTo(citizen)).toHaveLength(1), WAIT);
    await setStatus(id, 'resolved');
    await new Promise((r) => setTimeout(r, 1500));
    expect(await survey(id)).toBeUndefined();
    expect(mailsTo(citizen)).toHaveLength(1);
  });

  it('by e-mail: one survey with a signed link, answered once without an account; the score reaches the file, its timeline and the report', async () => {
    await setMode('on');
    const citizen = `avis.${randomBytes(3).toString('hex')}@exemple.fr`;
    const id = await sendMail(citizen, 'Copie d’acte');
    await reply(id, emailChannel);
    await expectEventually(async () => expect(mailsTo(citizen)).toHaveLength(1), WAIT);
    await setStatus(id, 'resolved');

    const mail = await expectEventually(async () => {
      expect(mailsTo(citizen)).toHaveLength(2);
      return (await parseEmail(mailsTo(citizen)[1]!.raw, { channelId: 'x' })).inbound;
    }, WAIT);
    const c = await conversation(id);
    expect(mail.text).toContain(c.reference);
    expect(mail.text).toContain(SATISFACTION_QUESTION);
    expect(mail.text).toContain('Vous ne recevrez pas de relance');
    const token = LINK.exec(mail.text ?? '')?.[1];
    expect(token).toBeDefined();
    expect(await survey(id)).toMatchObject({ status: 'sent', channel_kind: 'email' });
    const invitation = (await messagesOf(id)).find((m) => m.survey === 'invitation');
    expect(invitation).toMatchObject({ direction: 'outbound', authorAgentId: null, status: 'sent' });

    // The citizen's page: French, the question, eleven choices, no account.
    const html = await (await page(token!)).text();
    expect(html).toContain('<html lang="fr"');
    expect(html).toContain(SATISFACTION_QUESTION.replace('’', '’'));
    expect(html.match(/type="radio" name="score"/g)).toHaveLength(11);
    expect(html).not.toContain(citizen);

    // A tampered link, no score, a score of 11: refused with a French reason, nothing written.
    const forged = token!.slice(0, 30) + (token![30] === 'A' ? 'B' : 'A') + token!.slice(31);
    expect((await t.http('POST', `/api/v1/public/surveys/${forged}`, { body: { score: 9 } })).status).toBe(404);
    const eleven = await t.http('POST', `/api/v1/public/surveys/${token}`, { body: { score: 11 } });
    expect(eleven.status).toBe(400);
    expect(JSON.stringify(eleven.body)).toContain('la note va de 0 à 10');
    const empty = await postForm(token!, { comment: 'rien' });
    expect(empty.status).toBe(400);
    expect(await empty.text()).toContain('Choisissez une note de 0 à 10.');
    expect((await survey(id))!.status).toBe('sent');

    // The answer through the page's form: redirected to the thanks.
    const posted = await postForm(token!, { score: '9', comment: 'Accueil rapide et aimable.' });
    expect(posted.status).toBe(303);
    const thanks = await (await page(`${token}?merci=1`)).text();
    expect(thanks).toContain('Merci, votre avis est enregistré.');
    expect(thanks).toContain('Votre note : 9 sur 10.');

    // Once: a second answer is refused, the first stays.
    const again = await t.http('POST', `/api/v1/public/surveys/${token}`, { body: { score: 2 } });
    expect(again.status).toBe(409);
    expect(JSON.stringify(again.body)).toContain('déjà donné votre avis');
    expect(await survey(id)).toMatchObject({ status: 'answered', score: 9, comment: 'Accueil rapide et aimable.' });

    const after = await conversation(id);
    expect(after.satisfaction).toBe(9);
    // The system's write leaves the version agents hold valid.
    expect(after.version).toBe(c.version);
    const line = (await messagesOf(id)).find((m) => m.survey === 'answer');
    expect(line).toMatchObject({
      kind: 'event',
      direction: 'inbound',
      body: 'Avis du citoyen : 9/10 — « Accueil rapide et aimable. »',
    });

    const today = new Date().toISOString().slice(0, 10);
    const report = await expectEventually(async () => {
      const res = await t.http('GET', `/api/v1/reports/satisfaction?from=${today}&to=${today}`, { token: admin() });
      expect(res.status).toBe(200);
      const body = res.body as SatisfactionReportDto;
      expect(body.totals.answers).toBe(1);
      return body;
    }, WAIT);
    expect(report.totals.average).toBe(9);
    expect(report.totals.distribution[9]).toBe(1);
    expect(report.totals.netSatisfaction).toBe(100);
    expect(report.comments).toEqual([
      expect.objectContaining({ score: 9, comment: 'Accueil rapide et aimable.', teamName: 'État civil', conversationId: id }),
    ]);
    // No identity of the citizen in the comments.
    expect(JSON.stringify(report.comments)).not.toContain(citizen);
    expect(JSON.stringify(report.comments)).not.toContain(c.reference);

    // Reopened and resolved again: never a second survey.
    await sendMail(citizen, `Re: Copie d’acte [${c.reference}]`);
    await setStatus(id, 'open');
    await setStatus(id, 'resolved');
    await new Promise((r) => setTimeout(r, 1500));
    expect(mailsTo(citizen).filter((m) => m.text.includes('/avis/'))).toHaveLength(1);
  });

  it('by SMS: a short text with a short link; never to a citizen who said STOP; never for a file closed without an answer', async () => {
    await setMode('on');
    const number = mobile();
    const id = await sms(number, 'Bonjour, le lampadaire de ma rue est en panne.');
    await reply(id, smsChannel);
    await expectEventually(async () => expect(smsTo(number)).toHaveLength(1), WAIT);
    await setStatus(id, 'resolved');
    const text = await expectEventually(async () => {
      expect(smsTo(number)).toHaveLength(2);
      return smsTo(number)[1]!.form.Body!;
    }, WAIT);
    expect(text).toMatch(LINK);
    expect(text.length).toBeLessThanOrEqual(160);
    const token = LINK.exec(text)![1]!;
    const res = await t.http('POST', `/api/v1/public/surveys/${token}`, { body: { score: '4' } });
    expect(res.status).toBe(200);
    expect((await conversation(id)).satisfaction).toBe(4);

    // STOP after the answer: the resolution sends nothing.
    const stopper = mobile();
    const stopId = await sms(stopper, 'Bonjour, une question sur les encombrants.');
    await reply(stopId, smsChannel);
    await expectEventually(async () => expect(smsTo(stopper)).toHaveLength(1), WAIT);
    expect(await sms(stopper, 'STOP')).toBe(stopId);
    await setStatus(stopId, 'resolved');
    await expectEventually(
      async () => expect(await survey(stopId)).toMatchObject({ status: 'skipped', skipped_reason: 'opted-out' }),
      WAIT,
    );
    expect(smsTo(stopper)).toHaveLength(1);

    // Resolved without any answer (spam, a duplicate): no survey.
    const silent = mobile();
    const silentId = await sms(silent, 'Gagnez un iPhone !!!');
    await setStatus(silentId, 'resolved');
    await expectEventually(
      async () => expect(await survey(silentId)).toMatchObject({ status: 'skipped', skipped_reason: 'no-answer' }),
      WAIT,
    );
    expect(smsTo(silent)).toHaveLength(0);
  });

  it('on the tracking page for a web-form request, after the service’s delay; an expired link answers nothing', async () => {
    await setMode('delay', 2);
    const created = await t.http('POST', `/api/v1/public/organizations/${town.org.slug}/requests`, {
      body: {
        teamId: town.etatCivil.id,
        name: 'Élodie Martin',
        email: `elodie.${randomBytes(3).toString('hex')}@exemple.fr`,
        subject: 'Livret de famille',
        body: 'Bonjour, j’ai perdu mon livret de famille.',
      },
      headers: { 'x-forwarded-for': '10.9.0.7' },
    });
    expect(created.status).toBe(201);
    const { reference, trackingToken } = created.body as { reference: string; trackingToken: string };
    const { rows } = await t.db.query(`SELECT id FROM conversation WHERE reference = $1`, [reference]);
    const id = rows[0].id as string;
    await reply(id, town.webform.id);
    await setStatus(id, 'resolved');
    const scheduled = await expectEventually(async () => {
      const { rows: s } = await t.db.query(`SELECT status, send_at FROM satisfaction_survey WHERE conversation_id = $1`, [id]);
      expect(s[0]?.status).toBe('scheduled');
      return s[0] as { send_at: Date };
    }, WAIT);
    expect(scheduled.send_at.getTime() - Date.now()).toBeGreaterThan(1.9 * 3600_000);
    const surveys = t.app.get(SatisfactionService);
    // Not due yet: nothing goes out.
    await surveys.sendDue();
    expect((await survey(id))!.status).toBe('scheduled');

    // Two hours later (the row's time moved back): the per-minute job sends it, once.
    await t.db.query(`UPDATE satisfaction_survey SET send_at = now() - interval '1 minute' WHERE conversation_id = $1`, [id]);
    expect(await surveys.sendDue()).toBeGreaterThanOrEqual(1);
    expect(await surveys.sendDue()).toBe(0);
    expect((await survey(id))!.status).toBe('sent');

    const tracking = await t.http('GET', `/api/v1/public/requests/${reference}?token=${trackingToken}`);
    const url = (tracking.body as { survey: { url: string } | null }).survey?.url;
    expect(url).toMatch(LINK);
    const trackingHtml = await (await fetch(`${t.url}/suivi/${reference}?token=${trackingToken}`)).text();
    expect(trackingHtml).toContain('Donner mon avis');
    expect(trackingHtml).toContain(url!);

    // A link whose time is past (signed for yesterday): refused, the survey stays open.
    const { rows: ids } = await t.db.query(`SELECT id FROM satisfaction_survey WHERE conversation_id = $1`, [id]);
    const old = surveyToken(t.config.appSecret, ids[0].id, new Date(Date.now() - 86400_000));
    expect((await page(old)).status).toBe(410);
    expect((await t.http('POST', `/api/v1/public/surveys/${old}`, { body: { score: 8 } })).status).toBe(409);
    expect((await survey(id))!.status).toBe('sent');

    const token = LINK.exec(url!)![1]!;
    expect((await t.http('POST', `/api/v1/public/surveys/${token}`, { body: { score: 10 } })).status).toBe(200);
    // Answered: the tracking page no longer offers it.
    const later = await t.http('GET', `/api/v1/public/requests/${reference}?token=${trackingToken}`);
    expect((later.body as { survey: unknown }).survey).toBeNull();
  });
});
