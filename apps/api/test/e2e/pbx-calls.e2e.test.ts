import { randomBytes, randomUUID } from 'node:crypto';
import { pbxSignature } from '@guichet/channels';
import {
  countedOf,
  type CallRingingDto,
  type ConversationCountedDto,
  type ConversationCountsDto,
  type ConversationDto,
} from '@guichet/contracts';
import { connectRecording, expectEventually, type RecordingClient } from '@guichet/testing';
import { seedTown, startTestApp, type TestApp } from '../harness';

const SECRET = 'secret-partage-standard-0001';

describe('switchboard (PBX) call events', () => {
  let t: TestApp;
  let town: Awaited<ReturnType<typeof seedTown>>;
  let pbx: { id: string };
  let ec: RecordingClient;
  let sco: RecordingClient;

  const post = async (payload: unknown, o: { secret?: string; signature?: string | null; channelId?: string } = {}) => {
    const raw = typeof payload === 'string' ? payload : JSON.stringify(payload);
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    const signature = o.signature === undefined ? pbxSignature(o.secret ?? SECRET, raw) : o.signature;
    if (signature !== null) headers['x-guichet-signature'] = signature;
    const res = await fetch(`${t.url}/webhooks/calls/${o.channelId ?? pbx.id}`, { method: 'POST', headers, body: raw });
    return { status: res.status, body: await res.json().catch(() => null) };
  };
  const event = (e: Record<string, unknown>) => ({
    to: '+33140000000',
    direction: 'inbound',
    at: new Date().toISOString(),
    ...e,
  });
  const callRow = async (callId: string) =>
    (
      await t.db.query(
        `SELECT m.id, m.body, m.direction, m.meta->'call' AS call, m.conversation_id, c.callback_needed, c.priority
           FROM message m JOIN conversation c ON c.id = m.conversation_id WHERE m.channel_id = $1 AND m.external_id = $2`,
        [pbx.id, callId],
      )
    ).rows[0];

  beforeAll(async () => {
    t = await startTestApp();
    town = await seedTown(t);
    const res = await t.http('POST', '/api/v1/channels', {
      token: town.admin.token,
      body: {
        kind: 'pbx',
        name: 'Standard 3CX',
        teamId: town.etatCivil.id,
        config: { vendor: '3CX', sharedSecret: SECRET, extensions: { '201': town.agentEC.email } },
      },
    });
    expect(res.status).toBe(201);
    expect(res.body.secretsSet).toEqual(['sharedSecret']);
    pbx = { id: res.body.id };
    ec = await connectRecording(t.url, town.agentEC.token);
    sco = await connectRecording(t.url, town.agentSco.token);
  });
  afterAll(async () => {
    ec?.close();
    sco?.close();
    await t?.close();
  });

  it('refuses a bad or missing signature with 403 and stores nothing; bad payloads are 400', async () => {
    const before = { m: await t.count('message'), c: await t.count('contact') };
    const payload = event({ event: 'ringing', callId: 'c-forged', from: '0601020304' });
    expect((await post(payload, { signature: null })).status).toBe(403);
    expect((await post(payload, { secret: 'un-autre-secret-0000000' })).status).toBe(403);
    expect((await post(payload, { signature: 'deadbeef' })).status).toBe(403);
    // Signed over another body.
    expect(
      (await post(payload, { signature: pbxSignature(SECRET, JSON.stringify({ ...payload, from: '0699999999' })) })).status,
    ).toBe(403);
    const bad = await post({ event: 'exploded', callId: '', from: '0601020304', to: 'x', direction: 'inbound', at: 'hier' });
    expect(bad.status).toBe(400);
    expect(bad.body.details.join('\n')).toMatch(/event[\s\S]*callId[\s\S]*at/);
    expect((await post(event({ event: 'ringing', callId: 'c-bad-number', from: 'pas un numéro' }))).status).toBe(400);
    expect((await post(payload, { channelId: town.sms.id })).status).toBe(404);
    expect((await post(payload, { channelId: '00000000-0000-4000-8000-000000000000' })).status).toBe(404);
    expect(await t.count('message')).toBe(before.m);
    expect(await t.count('contact')).toBe(before.c);
  });

  it('files a full ringing / answered / hangup sequence, popping up on the agent of the extension', async () => {
    const callId = `3cx-${randomBytes(4).toString('hex')}`;
    const ringing = await post(event({ event: 'ringing', callId, from: '06 07 08 09 10', extension: '201' }));
    expect(ringing.status).toBe(202);
    expect(ringing.body).toMatchObject({ stored: true, outcome: 'ringing' });
    const row = await callRow(callId);
    expect(row).toMatchObject({ direction: 'inbound', body: 'Appel entrant de +33607080910 — en cours' });
    await expectEventually(() =>
      expect(ec.of<CallRingingDto>('call.ringing').find((c) => c.callId === row.id)).toMatchObject({
        channelKind: 'pbx',
        from: '+33607080910',
        contact: null,
      }),
    );
    expect(sco.of<CallRingingDto>('call.ringing').some((c) => c.callId === row.id)).toBe(false);
    // A repeated event changes nothing.
    expect((await post(event({ event: 'ringing', callId, from: '0607080910', extension: '201' }))).status).toBe(202);

    expect((await post(event({ event: 'answered', callId, from: '0607080910', extension: '201' }))).body).toMatchObject({
      outcome: 'answered',
    });
    const hangup = await post(event({ event: 'hangup', callId, from: '0607080910', durationSeconds: 184 }));
    expect(hangup.body).toMatchObject({ stored: true, outcome: 'answered' });
    const done = await callRow(callId);
    expect(done).toMatchObject({ body: 'Appel entrant de +33607080910 — répondu (3 min 04 s)', callback_needed: false });
    expect(done.call).toMatchObject({
      provider: 'pbx',
      outcome: 'answered',
      durationSeconds: 184,
      agentEmail: town.agentEC.email,
      extension: '201',
    });
    expect((await t.db.query(`SELECT count(*)::int AS n FROM message WHERE external_id = $1`, [callId])).rows[0].n).toBe(1);
  });

  it('flags a missed call, keeps a voicemail, and clears the flag when the agent calls back through the switchboard', async () => {
    const missedId = `ast-${randomBytes(4).toString('hex')}`;
    await post(event({ event: 'ringing', callId: missedId, from: '+33611223344' }));
    await expectEventually(() => expect(ec.of<CallRingingDto>('call.ringing').some((c) => c.from === '+33611223344')).toBe(true));
    expect(
      (await post(event({ event: 'hangup', callId: missedId, from: '+33611223344', durationSeconds: 0 }))).body,
    ).toMatchObject({ outcome: 'missed' });
    const missed = await callRow(missedId);
    expect(missed).toMatchObject({ body: 'Appel manqué de +33611223344 — à rappeler', callback_needed: true, priority: 'high' });
    await expectEventually(() =>
      expect(
        ec.of<ConversationDto>('conversation.updated').some((c) => c.id === missed.conversation_id && c.callbackNeeded),
      ).toBe(true),
    );

    // A second call with a voicemail lands in the same open file.
    const vmId = `ast-${randomBytes(4).toString('hex')}`;
    await post(event({ event: 'ringing', callId: vmId, from: '+33611223344' }));
    const vm = await post(
      event({
        event: 'hangup',
        callId: vmId,
        from: '+33611223344',
        durationSeconds: 22,
        recordingUrl: 'http://127.0.0.1:9/vm/1.wav',
      }),
    );
    expect(vm.body).toMatchObject({ outcome: 'voicemail' });
    expect(await callRow(vmId)).toMatchObject({
      conversation_id: missed.conversation_id,
      body: 'Message vocal de +33611223344 (22 s) — à rappeler',
    });

    // The agent calls back from extension 201: an outbound call in that file, and the flag goes.
    const backId = `ast-${randomBytes(4).toString('hex')}`;
    const out = (e: string, extra: object = {}) =>
      post({
        event: e,
        callId: backId,
        from: '201',
        to: '06 11 22 33 44',
        direction: 'outbound',
        agentEmail: town.agentEC.email,
        at: new Date().toISOString(),
        ...extra,
      });
    expect((await out('ringing')).body).toMatchObject({ stored: true });
    expect((await out('answered')).body).toMatchObject({ outcome: 'answered' });
    await out('hangup', { durationSeconds: 75 });
    const back = await callRow(backId);
    expect(back).toMatchObject({
      direction: 'outbound',
      conversation_id: missed.conversation_id,
      body: 'Appel sortant vers +33611223344 — abouti (1 min 15 s)',
      callback_needed: false,
      priority: 'normal',
    });
    // A call to a number no citizen file holds is not stored.
    const unknown = await post({
      event: 'ringing',
      callId: 'out-unknown',
      from: '201',
      to: '0698765432',
      direction: 'outbound',
      at: new Date().toISOString(),
    });
    expect(unknown).toMatchObject({ status: 202, body: { stored: false } });
  });

  it('"à rappeler" set by a missed call and cleared by the callback tells screens the state it found, so counters move without a refetch', async () => {
    // A French mobile libphonenumber accepts whatever the clock gives (06 1x; some 06 3x and 06 9x are refused).
    const phone = `+3361${String(Date.now()).slice(-7)}`;
    const national = `0${phone.slice(3)}`;
    const heard: { conversation: ConversationDto; before?: ConversationCountedDto }[] = [];
    const screen = await connectRecording(t.url, town.supervisor.token);
    screen.socket.on('conversation.updated', (conversation, before) => heard.push({ conversation, before }));
    const counts = async () =>
      (await t.http<ConversationCountsDto>('GET', '/api/v1/conversations/counts', { token: town.supervisor.token })).body;
    try {
      // The citizen's SMS opens a file; its response deadline (a durable job's follow-up) is awaited first.
      const { conversationId } = await t.ingest.ingest(
        {
          channelId: town.sms.id,
          externalId: randomUUID(),
          from: { kind: 'phone', value: phone },
          text: 'Bonjour, rappelez-moi',
        },
        { teamId: town.etatCivil.id },
      );
      await expectEventually(async () => {
        const { rows } = await t.db.query(`SELECT response_due_at FROM conversation WHERE id = $1`, [conversationId]);
        expect(rows[0].response_due_at).not.toBeNull();
      });
      const { rows } = await t.db.query(`SELECT version FROM conversation WHERE id = $1`, [conversationId]);
      const pending = await t.http('PATCH', `/api/v1/conversations/${conversationId}`, {
        token: town.supervisor.token,
        body: { status: 'pending', version: rows[0].version },
      });
      expect(pending.status).toBe(200);
      const told = () => heard.filter((h) => h.conversation.id === conversationId);
      const last = () => told().at(-1)!;
      const awaitTold = (match: (h: (typeof heard)[number]) => boolean) =>
        expectEventually(() => expect(match(last())).toBe(true), { timeoutMs: 10_000 });
      await awaitTold((h) => h.conversation.status === 'pending');
      const start = await counts();

      // The citizen calls (the ringing call reopens the pending file), nobody answers: "à rappeler",
      // told with the state the flag found.
      const missedId = `miss-${randomBytes(4).toString('hex')}`;
      await post(event({ event: 'ringing', callId: missedId, from: national }));
      await awaitTold((h) => h.conversation.status === 'open');
      expect((await post(event({ event: 'hangup', callId: missedId, from: national }))).body).toMatchObject({
        outcome: 'missed',
      });
      await awaitTold((h) => h.conversation.callbackNeeded);
      const flagged = last();
      expect(flagged.conversation.priority).toBe('high');
      expect(flagged.before).toMatchObject({ status: 'open', callbackNeeded: false, version: flagged.conversation.version - 1 });
      const afterMiss = await counts();
      expect(afterMiss.callbackNeeded).toBe(start.callbackNeeded + 1);
      expect(afterMiss.byStatus.open).toBe(start.byStatus.open + 1);

      // The agent calls back through the switchboard: the outgoing call, then answered, which clears the flag.
      const backId = `back-${randomBytes(4).toString('hex')}`;
      const out = (e: string) =>
        post({ event: e, callId: backId, from: '201', to: national, direction: 'outbound', at: new Date().toISOString() });
      await out('ringing');
      await awaitTold((h) => h.conversation.firstResponseAt !== null);
      await out('answered');
      await awaitTold((h) => !h.conversation.callbackNeeded);
      const cleared = last();
      expect(cleared.before).toMatchObject({ callbackNeeded: true, version: cleared.conversation.version - 1 });

      // Missed again, then a callback the agent logs by hand (two writes, one event): the state before both.
      const againId = `miss-${randomBytes(4).toString('hex')}`;
      await post(event({ event: 'ringing', callId: againId, from: national }));
      await post(event({ event: 'hangup', callId: againId, from: national }));
      await awaitTold((h) => h.conversation.callbackNeeded);
      const flaggedAgain = last().conversation;
      const logged = await t.http('POST', `/api/v1/conversations/${conversationId}/calls`, {
        token: town.agentEC.token,
        body: { direction: 'outbound', kind: 'phone', durationSeconds: 40 },
      });
      expect(logged.status).toBe(201);
      await awaitTold((h) => !h.conversation.callbackNeeded);
      expect(last().before).toEqual(countedOf(flaggedAgain));

      // Every change that moved the version told the state the previous one left: a screen that
      // never loaded the file moves its counters from these alone, and lands on the server's count.
      const changes = told().filter((h) => h.before && h.before.version !== h.conversation.version);
      for (const [i, h] of told().entries()) {
        if (i === 0 || h.conversation.version === told()[i - 1]!.conversation.version) continue;
        expect({ i, before: h.before }).toEqual({ i, before: countedOf(told()[i - 1]!.conversation) });
      }
      expect(changes.length).toBeGreaterThanOrEqual(6);
      expect((await counts()).callbackNeeded).toBe(start.callbackNeeded);
    } finally {
      screen.close();
    }
  });
});
