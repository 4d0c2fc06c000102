import { randomBytes } from 'node:crypto';
import { twilioSignature } from '@guichet/channels';
import type { CallRingingDto, ConversationDto, MessageDto } from '@guichet/contracts';
import { connectRecording, expectEventually, startTwilioServer, type RecordingClient, type TwilioServer } from '@guichet/testing';
import { seedTown, startTestApp, type TestApp } from '../harness';

const ACCOUNT = 'AC' + 'f'.repeat(32);
const TOKEN = 'auth-token-voix-0001';
const callSid = () => 'CA' + randomBytes(16).toString('hex');

describe('Twilio Voice: incoming, answered, missed and voicemail calls; calls logged by hand', () => {
  let t: TestApp;
  let town: Awaited<ReturnType<typeof seedTown>>;
  let twilio: TwilioServer;
  let voice: { id: string };
  let sms: { id: string };
  let ec: RecordingClient;
  let sco: RecordingClient;

  const webhook = async (path: string, params: Record<string, string>, signature?: string | null) => {
    const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded' };
    const sig = signature === undefined ? twilioSignature(TOKEN, t.config.publicUrl + path, params) : signature;
    if (sig !== null) headers['x-twilio-signature'] = sig;
    const res = await fetch(t.url + path, { method: 'POST', headers, body: new URLSearchParams(params).toString() });
    const answer = { status: res.status, text: await res.text(), type: res.headers.get('content-type') };
    // Answered once stored: the call is filed (and popped up) right after.
    if (res.ok) await t.webhooksProcessed();
    return answer;
  };
  const call = (sid: string, from: string) =>
    webhook(`/webhooks/twilio/${voice.id}/voice`, {
      CallSid: sid,
      AccountSid: ACCOUNT,
      From: from,
      To: '+33140000000',
      CallStatus: 'ringing',
      Direction: 'inbound',
    });
  const progress = (sid: string, params: Record<string, string>) =>
    webhook(`/webhooks/twilio/${voice.id}/voice-status`, { CallSid: sid, AccountSid: ACCOUNT, ...params });
  const callRow = async (sid: string) =>
    (
      await t.db.query(
        `SELECT m.id, m.body, m.kind, m.direction, m.meta->'call' AS call, m.conversation_id, c.callback_needed, c.priority, c.team_id
           FROM message m JOIN conversation c ON c.id = m.conversation_id WHERE m.external_id = $1`,
        [sid],
      )
    ).rows[0];

  beforeAll(async () => {
    delete process.env.HTTP_PROXY;
    twilio = await startTwilioServer();
    twilio.addAccount(ACCOUNT, TOKEN);
    t = await startTestApp();
    town = await seedTown(t);
    const create = async (kind: string, teamId: string, config: object) => {
      const res = await t.http('POST', '/api/v1/channels', {
        token: town.admin.token,
        body: {
          kind,
          name: `Ligne ${kind}`,
          teamId,
          config: { accountSid: ACCOUNT, authToken: TOKEN, apiBaseUrl: twilio.url, ...config },
        },
      });
      expect(res.status).toBe(201);
      return { id: res.body.id as string };
    };
    voice = await create('voice', town.scolarite.id, { phoneNumber: '+33140000000', forwardTo: '+33140000099' });
    sms = await create('sms', town.etatCivil.id, { phoneNumber: '+33700000001' });
    ec = await connectRecording(t.url, town.agentEC.token);
    sco = await connectRecording(t.url, town.agentSco.token);
  });
  afterAll(async () => {
    ec?.close();
    sco?.close();
    await t?.close();
    await twilio?.close();
  });

  it('files an incoming call in the known caller’s open conversation, pops it up with the citizen, and forwards it', async () => {
    const smsSid = 'SM' + randomBytes(16).toString('hex');
    const path = `/webhooks/twilio/${sms.id}/sms`;
    await webhook(path, { MessageSid: smsSid, From: '+33601010101', Body: 'Je vais vous appeler' });
    const [{ conversation_id: conversationId, contact_id: contactId }] = (
      await t.db.query(
        `SELECT m.conversation_id, c.contact_id FROM message m JOIN conversation c ON c.id = m.conversation_id WHERE m.external_id = $1`,
        [smsSid],
      )
    ).rows;
    await t.db.query(`UPDATE contact SET name = 'Gérard Petit' WHERE id = $1`, [contactId]);

    const sup = await connectRecording(t.url, town.supervisor.token);
    const sid = callSid();
    const res = await call(sid, '+33601010101');
    expect(res.status).toBe(200);
    expect(res.type).toMatch(/text\/xml/);
    expect(res.text).toContain(
      `<Dial action="${t.config.publicUrl}/webhooks/twilio/${voice.id}/voice-status" method="POST" timeout="20" answerOnBridge="true"><Number>+33140000099</Number></Dial>`,
    );
    const row = await callRow(sid);
    expect(row).toMatchObject({
      kind: 'call',
      direction: 'inbound',
      conversation_id: conversationId,
      body: 'Appel entrant de +33601010101 — en cours',
    });
    expect(row.call).toMatchObject({
      provider: 'twilio',
      direction: 'inbound',
      from: '+33601010101',
      to: '+33140000000',
      outcome: 'ringing',
    });
    // The pop-up reaches the voice line's service (Scolarité) and the conversation's (État civil),
    // each with the open conversations it may read; supervisors see them all.
    try {
      for (const client of [sco, ec]) {
        await expectEventually(() => {
          const ringing = client.of<CallRingingDto>('call.ringing').find((c) => c.callId === row.id);
          expect(ringing).toMatchObject({
            channelId: voice.id,
            channelKind: 'voice',
            from: '+33601010101',
            conversationId,
            contact: { id: contactId, name: 'Gérard Petit' },
          });
          expect(ringing!.openConversations.map((c) => c.id)).toEqual(client === ec ? [conversationId] : []);
        });
      }
      await expectEventually(() => {
        const copies = sup.of<CallRingingDto>('call.ringing').filter((c) => c.callId === row.id);
        expect(copies).toHaveLength(1);
        expect(copies[0]!.openConversations.map((c) => c.id)).toEqual([conversationId]);
      });
    } finally {
      sup.close();
    }
    // Twilio answering the caller's leg to run the TwiML is not an agent answering.
    await progress(sid, { CallStatus: 'in-progress' });
    expect((await callRow(sid)).call.outcome).toBe('ringing');
    // Twilio retries the webhook: still one call, no second pop-up.
    expect((await call(sid, '+33601010101')).status).toBe(200);
    expect((await t.db.query(`SELECT count(*)::int AS n FROM message WHERE external_id = $1`, [sid])).rows[0].n).toBe(1);

    // Answered: the dial outcome completes the call with its duration.
    const answered = await progress(sid, { DialCallStatus: 'completed', DialCallDuration: '95', CallStatus: 'in-progress' });
    expect(answered.text).toContain('<Hangup/>');
    expect(await callRow(sid)).toMatchObject({
      body: 'Appel entrant de +33601010101 — répondu (1 min 35 s)',
      callback_needed: false,
    });
    expect((await callRow(sid)).call).toMatchObject({ outcome: 'answered', durationSeconds: 95 });
    // The final status callback keeps it answered.
    await progress(sid, { CallStatus: 'completed', CallDuration: '120' });
    expect((await callRow(sid)).call).toMatchObject({ outcome: 'answered', durationSeconds: 95 });
  });

  it('opens a new conversation in the voice line’s service for an unknown caller, popped up without a contact', async () => {
    const sid = callSid();
    await call(sid, '+33602020202');
    const row = await callRow(sid);
    expect(row.team_id).toBe(town.scolarite.id);
    await expectEventually(() =>
      expect(sco.of<CallRingingDto>('call.ringing').find((c) => c.callId === row.id)).toMatchObject({
        contact: null,
        openConversations: [expect.objectContaining({ id: row.conversation_id })],
      }),
    );
    // Not État civil's business.
    expect(ec.of<CallRingingDto>('call.ringing').some((c) => c.callId === row.id)).toBe(false);
  });

  it('flags a missed call "à rappeler" with a high priority, answers the French voicemail, and files the recording', async () => {
    const sid = callSid();
    await call(sid, '+33603030303');
    const missed = await progress(sid, { DialCallStatus: 'no-answer', DialCallDuration: '0' });
    expect(missed.status).toBe(200);
    expect(missed.text).toContain('<Say language="fr-FR">');
    expect(missed.text).toContain(
      `<Record action="${t.config.publicUrl}/webhooks/twilio/${voice.id}/voice-status" method="POST" maxLength="120" playBeep="true" timeout="5"/>`,
    );
    const row = await callRow(sid);
    expect(row).toMatchObject({ body: 'Appel manqué de +33603030303 — à rappeler', callback_needed: true, priority: 'high' });
    await expectEventually(() =>
      expect(
        sco.of<ConversationDto>('conversation.updated').find((c) => c.id === row.conversation_id && c.callbackNeeded),
      ).toMatchObject({ priority: 'high' }),
    );

    // The citizen leaves a message: the recording is fetched with the account's credentials.
    const audio = randomBytes(4096);
    const recordingPath = `/2010-04-01/Accounts/${ACCOUNT}/Recordings/RE${'1'.repeat(32)}`;
    twilio.addMedia(ACCOUNT, `${recordingPath}.mp3`, audio, 'audio/mpeg');
    const recorded = await progress(sid, {
      RecordingUrl: twilio.url + recordingPath,
      RecordingDuration: '35',
      RecordingSid: 'RE' + '1'.repeat(32),
    });
    expect(recorded.text).toContain('Merci, votre message a bien été enregistré.');
    expect(await callRow(sid)).toMatchObject({
      body: 'Message vocal de +33603030303 (35 s) — à rappeler',
      callback_needed: true,
    });
    expect((await callRow(sid)).call).toMatchObject({
      outcome: 'voicemail',
      durationSeconds: 35,
      recordingUrl: twilio.url + recordingPath,
    });
    await expectEventually(
      async () => {
        const { rows } = await t.db.query(
          `SELECT file_name, content_type, size::int AS size FROM attachment WHERE message_id = $1`,
          [row.id],
        );
        expect(rows).toEqual([{ file_name: 'enregistrement.mp3', content_type: 'audio/mpeg', size: 4096 }]);
      },
      { timeoutMs: 15_000 },
    );
    expect(twilio.requests.find((r) => r.path === `${recordingPath}.mp3`)!.auth).toEqual({ username: ACCOUNT, password: TOKEN });
    // The end-of-call callback does not undo the voicemail.
    await progress(sid, { CallStatus: 'completed', CallDuration: '60' });
    expect((await callRow(sid)).call.outcome).toBe('voicemail');
  });

  it('goes straight to the voicemail when the line forwards nowhere', async () => {
    const res = await t.http('POST', '/api/v1/channels', {
      token: town.admin.token,
      body: {
        kind: 'voice',
        name: 'Ligne du soir',
        teamId: town.scolarite.id,
        config: {
          accountSid: ACCOUNT,
          authToken: TOKEN,
          apiBaseUrl: twilio.url,
          phoneNumber: '+33140000001',
          voicemailGreeting: 'La mairie est fermée.',
        },
      },
    });
    const night = res.body.id as string;
    const sid = callSid();
    const path = `/webhooks/twilio/${night}/voice`;
    const answer = await webhook(path, { CallSid: sid, From: '+33607070707', To: '+33140000001' });
    expect(answer.text).toContain('<Say language="fr-FR">La mairie est fermée.</Say><Record');
    expect(answer.text).not.toContain('<Dial');
    const statusPath = `/webhooks/twilio/${night}/voice-status`;
    await webhook(statusPath, { CallSid: sid, CallStatus: 'completed', CallDuration: '9' });
    expect(await callRow(sid)).toMatchObject({ callback_needed: true, body: 'Appel manqué de +33607070707 — à rappeler' });
  });

  it('flags a call that hung up before anyone answered', async () => {
    const sid = callSid();
    await call(sid, '+33604040404');
    await progress(sid, { CallStatus: 'no-answer', CallDuration: '0' });
    expect(await callRow(sid)).toMatchObject({
      callback_needed: true,
      priority: 'high',
      body: 'Appel manqué de +33604040404 — à rappeler',
    });
  });

  it('refuses forged voice webhooks with 403 and stores nothing', async () => {
    const before = await t.count('message');
    const sid = callSid();
    const params = { CallSid: sid, From: '+33605050505', To: '+33140000000' };
    expect((await webhook(`/webhooks/twilio/${voice.id}/voice`, params, null)).status).toBe(403);
    expect(
      (
        await webhook(
          `/webhooks/twilio/${voice.id}/voice`,
          params,
          twilioSignature('mauvais-jeton-00', `${t.config.publicUrl}/webhooks/twilio/${voice.id}/voice`, params),
        )
      ).status,
    ).toBe(403);
    expect(
      (await webhook(`/webhooks/twilio/${voice.id}/voice-status`, { CallSid: sid, DialCallStatus: 'no-answer' }, 'AAAA')).status,
    ).toBe(403);
    expect(await t.count('message')).toBe(before);
  });

  it('answers a hidden number’s call without filing it', async () => {
    const before = await t.count('message');
    const res = await call(callSid(), 'anonymous');
    expect(res.status).toBe(200);
    expect(res.text).toContain('<Dial');
    expect(await t.count('message')).toBe(before);
  });

  it('lets an agent log a callback or a counter visit by hand; the callback clears "à rappeler"', async () => {
    const sid = callSid();
    await call(sid, '+33606060606');
    await progress(sid, { DialCallStatus: 'busy' });
    const { conversation_id: conversationId } = await callRow(sid);
    const path = `/api/v1/conversations/${conversationId}/calls`;

    const counter = await t.http('POST', path, {
      token: town.agentSco.token,
      body: { direction: 'inbound', kind: 'counter', durationSeconds: 600, note: 'Venu déposer le dossier' },
    });
    expect(counter.status).toBe(201);
    expect(counter.body).toMatchObject({
      kind: 'call',
      direction: 'inbound',
      channelId: null,
      authorAgentId: town.agentSco.id,
      body: 'Accueil physique (10 min 00 s) — Venu déposer le dossier',
    });
    let conv = (await t.http('GET', `/api/v1/conversations/${conversationId}`, { token: town.agentSco.token })).body;
    expect(conv).toMatchObject({ callbackNeeded: true, priority: 'high' });

    const callback = await t.http('POST', path, {
      token: town.agentSco.token,
      body: { direction: 'outbound', durationSeconds: 42, note: 'Rappelé, RDV jeudi' },
    });
    expect(callback.status).toBe(201);
    expect(callback.body.body).toBe('Appel passé au citoyen (42 s) — Rappelé, RDV jeudi');
    conv = (await t.http('GET', `/api/v1/conversations/${conversationId}`, { token: town.agentSco.token })).body;
    expect(conv).toMatchObject({ callbackNeeded: false, priority: 'normal' });
    await expectEventually(() => expect(sco.of<MessageDto>('message.created').some((m) => m.id === callback.body.id)).toBe(true));
    await expectEventually(() =>
      expect(sco.of<ConversationDto>('conversation.updated').some((c) => c.id === conversationId && !c.callbackNeeded)).toBe(
        true,
      ),
    );

    const before = await t.count('message');
    expect((await t.http('POST', path, { token: town.agentSco.token, body: { direction: 'sideways' } })).status).toBe(400);
    expect(
      (await t.http('POST', path, { token: town.agentSco.token, body: { direction: 'inbound', durationSeconds: -1 } })).status,
    ).toBe(400);
    // Another service's agent does not see this conversation.
    expect((await t.http('POST', path, { token: town.agentEC.token, body: { direction: 'inbound' } })).status).toBe(404);
    expect((await t.http('POST', path, { body: { direction: 'inbound' } })).status).toBe(401);
    expect(await t.count('message')).toBe(before);
  });
});
