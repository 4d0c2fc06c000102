import { randomBytes } from 'node:crypto';
import { Workbook } from 'exceljs';
import { expectEventually } from '@guichet/testing';
import { ReportAggregates } from '../../src/modules/reports/report-aggregates';
import { ReportBackfill } from '../../src/modules/reports/report-backfill';
import { startTestApp, type TestAgent, type TestApp } from '../harness';

/**
 * A fixture town with known timings (Europe/Paris, January 2026, UTC+1), every number below
 * computed by hand. Rows are written as a past year's would be (the triggers mark them); the
 * aggregates are moved by the fold the periodic job runs (called here once the rows are written).
 */
describe('reports: numbers from the daily aggregates match a hand-computed town', () => {
  let t: TestApp;
  let org: { id: string };
  let ec: { id: string; name: string };
  let sco: { id: string; name: string };
  let admin: TestAgent;
  let supervisorEC: TestAgent;
  let agent: TestAgent;
  const ch: Record<'email' | 'sms' | 'webform' | 'voice', string> = {} as never;
  let rtNaissance: string;
  const conv: Record<number, string> = {};
  let aggregates: ReportAggregates;

  const paris = (local: string) => new Date(`${local}+01:00`); // January–February: UTC+1
  const plus = (d: Date, minutes: number) => new Date(d.getTime() + minutes * 60_000);

  const fold = () => aggregates.foldNow();

  async function newConversation(o: {
    team: string;
    channel: keyof typeof ch;
    createdAt: Date;
    firstResponse?: number;
    resolved?: number;
    status?: string;
    responseDue?: number;
    /** The legal decision date, minutes after creation. */
    decisionDue?: number;
    requestTypeId?: string;
    satisfaction?: { score: number; at: Date };
  }): Promise<string> {
    const { rows: c } = await t.db.query(`INSERT INTO contact (organization_id, name) VALUES ($1, 'Usager') RETURNING id`, [
      org.id,
    ]);
    const status = o.status ?? (o.resolved !== undefined ? 'resolved' : 'open');
    const { rows } = await t.db.query(
      `INSERT INTO conversation (organization_id, reference, contact_id, team_id, status, created_at, last_message_at,
         first_response_at, resolved_at, response_due_at, request_type_id, satisfaction, decision_due_at)
       VALUES ($1, $2, $3, $4, $5, $6, $6, $7, $8, $9, $10, $11, $12) RETURNING id`,
      [
        org.id,
        `GU-${randomBytes(4).toString('hex').toUpperCase()}`,
        c[0].id,
        o.team,
        status,
        o.createdAt,
        o.firstResponse !== undefined ? plus(o.createdAt, o.firstResponse) : null,
        o.resolved !== undefined ? plus(o.createdAt, o.resolved) : null,
        o.responseDue !== undefined ? plus(o.createdAt, o.responseDue) : null,
        o.requestTypeId ?? null,
        o.satisfaction?.score ?? null,
        o.decisionDue !== undefined ? plus(o.createdAt, o.decisionDue) : null,
      ],
    );
    const id = rows[0].id as string;
    await t.db.query(
      `INSERT INTO message (organization_id, conversation_id, direction, kind, channel_id, body, status, created_at)
       VALUES ($1, $2, 'inbound', $3, $4, 'Bonjour', 'received', $5)`,
      [org.id, id, o.channel === 'voice' ? 'call' : 'message', ch[o.channel], o.createdAt],
    );
    if (o.satisfaction)
      await t.db.query(
        `INSERT INTO satisfaction_survey (organization_id, conversation_id, status, send_at, sent_at, expires_at, answered_at, score)
         VALUES ($1, $2, 'answered', $3, $3, $3::timestamptz + interval '30 days', $3, $4)`,
        [org.id, id, o.satisfaction.at, o.satisfaction.score],
      );
    await fold();
    return id;
  }

  async function newCall(conversationId: string, direction: 'inbound' | 'outbound', at: Date, outcome: string): Promise<string> {
    const { rows } = await t.db.query(
      `INSERT INTO message (organization_id, conversation_id, direction, kind, channel_id, body, status, meta, created_at)
       VALUES ($1, $2, $3, 'call', $4, 'Appel', 'received', $5, $6) RETURNING id`,
      [
        org.id,
        conversationId,
        direction,
        ch.voice,
        JSON.stringify({ call: { provider: 'twilio', direction, from: null, to: null, outcome, startedAt: at.toISOString() } }),
        at,
      ],
    );
    await fold();
    return rows[0].id;
  }

  beforeAll(async () => {
    // Folded when a file's rows are all written (no periodic fold between its conversation and its messages).
    t = await startTestApp({ logLevel: (process.env.REPORTS_LOG as never) ?? 'silent', reportsFoldMs: 0 });
    aggregates = t.app.get(ReportAggregates);
    org = await t.newOrganization();
    ec = await t.newTeam(org.id, 'État civil');
    sco = await t.newTeam(org.id, 'Scolarité');
    admin = await t.newAgent({ organizationId: org.id, role: 'admin' });
    supervisorEC = await t.newAgent({ organizationId: org.id, role: 'supervisor', teamIds: [ec.id] });
    agent = await t.newAgent({ organizationId: org.id, teamIds: [ec.id] });
    ch.email = (await t.newChannel({ organizationId: org.id, teamId: ec.id, kind: 'email' })).id;
    ch.sms = (await t.newChannel({ organizationId: org.id, teamId: sco.id, kind: 'sms' })).id;
    ch.webform = (await t.newChannel({ organizationId: org.id, teamId: ec.id, kind: 'webform' })).id;
    ch.voice = (await t.newChannel({ organizationId: org.id, teamId: ec.id, kind: 'voice' })).id;
    const { rows: rt } = await t.db.query(
      `INSERT INTO request_type (organization_id, team_id, name, decision_regime) VALUES ($1, $2, 'Acte de naissance', 'none') RETURNING id`,
      [org.id, ec.id],
    );
    rtNaissance = rt[0].id;

    // 1: État civil, e-mail, answered in 30 min (target 2 days: on time), resolved in 2 h, rated 9.
    conv[1] = await newConversation({
      team: ec.id,
      channel: 'email',
      createdAt: paris('2026-01-05T09:00:00'),
      firstResponse: 30,
      resolved: 120,
      responseDue: 2880,
      requestTypeId: rtNaissance,
      satisfaction: { score: 9, at: paris('2026-01-06T10:00:00') },
    });
    // 2: État civil, e-mail, answered in 90 min (target 1 h: late), resolved in 3,000 min (7 Jan), rated 6.
    conv[2] = await newConversation({
      team: ec.id,
      channel: 'email',
      createdAt: paris('2026-01-05T10:00:00'),
      firstResponse: 90,
      resolved: 3000,
      responseDue: 60,
      requestTypeId: rtNaissance,
      satisfaction: { score: 6, at: paris('2026-01-08T10:00:00') },
    });
    // 3: État civil, SMS at 00:30 in Paris on 6 January (still 5 January in UTC), answered in 10 min, open.
    conv[3] = await newConversation({ team: ec.id, channel: 'sms', createdAt: paris('2026-01-06T00:30:00'), firstResponse: 10 });
    // 4: Scolarité, SMS, answered in 45 min, resolved in 60 min, rated 10.
    conv[4] = await newConversation({
      team: sco.id,
      channel: 'sms',
      createdAt: paris('2026-01-12T14:00:00'),
      firstResponse: 45,
      resolved: 60,
      satisfaction: { score: 10, at: paris('2026-01-12T16:00:00') },
    });
    // 5: Scolarité, e-mail, February, open, never answered.
    conv[5] = await newConversation({ team: sco.id, channel: 'email', createdAt: paris('2026-02-02T09:00:00') });
    // 6: Scolarité, web form, closed after 5 minutes without an answer.
    conv[6] = await newConversation({
      team: sco.id,
      channel: 'webform',
      createdAt: paris('2026-01-13T09:00:00'),
      resolved: 5,
      status: 'closed',
    });
    // 7: État civil, a telephone file: answered call, missed call called back 45 min later, a missed call not called back.
    conv[7] = await newConversation({ team: ec.id, channel: 'voice', createdAt: paris('2026-01-05T08:10:00') });
    await newCall(conv[7], 'inbound', paris('2026-01-05T08:10:00'), 'answered');
    await newCall(conv[7], 'inbound', paris('2026-01-05T11:00:00'), 'missed');
    await newCall(conv[7], 'inbound', paris('2026-01-07T15:00:00'), 'voicemail');
    // The call-back: ringing first, answered afterwards (the outcome moves on the same message).
    const back = await newCall(conv[7], 'outbound', paris('2026-01-07T14:00:00'), 'ringing');
    await t.db.query(`UPDATE message SET meta = jsonb_set(meta, '{call,outcome}', '"answered"'), created_at = $2 WHERE id = $1`, [
      back,
      paris('2026-01-05T11:45:00'),
    ]);
    await fold();
    // Scolarité: one answered call in file 4.
    await newCall(conv[4], 'inbound', paris('2026-01-12T13:50:00'), 'answered');
  }, 120_000);

  afterAll(async () => {
    await t?.close();
  });

  const get = (path: string, who: TestAgent = admin) => t.http('GET', `/api/v1/reports/${path}`, { token: who.token });
  const january = 'from=2026-01-01&to=2026-01-31';

  test('volumes for January: created, resolved, by channel, service, démarche, and by ISO week', async () => {
    const res = await get(`volumes?${january}&granularity=week`);
    expect(res.status).toBe(200);
    expect(res.body.totals).toEqual({ created: 6, reopened: 0, resolved: 4 });
    expect(res.body.series).toEqual([
      { period: '2025-12-29', created: 0, reopened: 0, resolved: 0 },
      { period: '2026-01-05', created: 4, reopened: 0, resolved: 2 },
      { period: '2026-01-12', created: 2, reopened: 0, resolved: 2 },
      { period: '2026-01-19', created: 0, reopened: 0, resolved: 0 },
      { period: '2026-01-26', created: 0, reopened: 0, resolved: 0 },
    ]);
    const byChannel = Object.fromEntries(res.body.byChannel.map((r: any) => [r.channelKind, r.created]));
    expect(byChannel).toEqual({ email: 2, sms: 2, webform: 1, voice: 1 });
    // Open on 31 January: files 3 and 7 (État civil); Scolarité resolved 4 and closed 6. December had nothing.
    // Over time: week of 5 January, 1, 2, 3 and 7 came and 1 and 2 were resolved; the next week 4 and 6
    // came and went.
    expect(res.body.backlog).toEqual({
      atEnd: 2,
      previousAtEnd: 0,
      byTeam: [{ teamId: ec.id, teamName: 'État civil', open: 2 }],
      series: [
        { period: '2025-12-29', open: 0 },
        { period: '2026-01-05', open: 2 },
        { period: '2026-01-12', open: 2 },
        { period: '2026-01-19', open: 2 },
        { period: '2026-01-26', open: 2 },
      ],
      // Per service: État civil as the town; Scolarité's two files of the week of the 12th came and went.
      byTeamSeries: [
        {
          teamId: ec.id,
          teamName: 'État civil',
          series: [
            { period: '2025-12-29', open: 0 },
            { period: '2026-01-05', open: 2 },
            { period: '2026-01-12', open: 2 },
            { period: '2026-01-19', open: 2 },
            { period: '2026-01-26', open: 2 },
          ],
        },
        {
          teamId: sco.id,
          teamName: 'Scolarité',
          series: [
            { period: '2025-12-29', open: 0 },
            { period: '2026-01-05', open: 0 },
            { period: '2026-01-12', open: 0 },
            { period: '2026-01-19', open: 0 },
            { period: '2026-01-26', open: 0 },
          ],
        },
      ],
    });
    const weekly = await get(`volumes?${january}&granularity=week&format=csv&table=backlogSeries`);
    expect(weekly.body).toBe(
      'periode;ouvertes_fin_de_periode\r\n2025-12-29;0\r\n2026-01-05;2\r\n2026-01-12;2\r\n2026-01-19;2\r\n2026-01-26;2\r\n',
    );
    const weeklyByTeam = await get(`volumes?${january}&granularity=week&format=csv&table=backlogByTeamSeries`);
    expect(weeklyByTeam.body).toBe(
      [
        'service;periode;ouvertes_fin_de_periode',
        'État civil;2025-12-29;0',
        'État civil;2026-01-05;2',
        'État civil;2026-01-12;2',
        'État civil;2026-01-19;2',
        'État civil;2026-01-26;2',
        'Scolarité;2025-12-29;0',
        'Scolarité;2026-01-05;0',
        'Scolarité;2026-01-12;0',
        'Scolarité;2026-01-19;0',
        'Scolarité;2026-01-26;0',
        '',
      ].join('\r\n'),
    );
    expect(res.body.previous).toEqual({
      from: '2025-12-01',
      to: '2025-12-31',
      totals: { created: 0, reopened: 0, resolved: 0 },
    });
    // February compared with January: file 5 is added to the two still open.
    const feb = await get('volumes?from=2026-02-01&to=2026-02-28');
    expect(feb.body.previous.totals).toEqual({ created: 6, reopened: 0, resolved: 4 });
    expect(feb.body.backlog).toMatchObject({ atEnd: 3, previousAtEnd: 2 });
    // Day by day, file 5 arrives on the 2nd; the last day's backlog is the period's.
    expect(feb.body.backlog.series.slice(0, 3)).toEqual([
      { period: '2026-02-01', open: 2 },
      { period: '2026-02-02', open: 3 },
      { period: '2026-02-03', open: 3 },
    ]);
    expect(feb.body.backlog.series).toHaveLength(28);
    expect(feb.body.backlog.series.at(-1)).toEqual({ period: '2026-02-28', open: 3 });
    // Per service, day by day: État civil's two files all month (open before it, nothing new);
    // Scolarité's file 5 from the 2nd. They add up to the town's, day by day.
    const [ecFeb, scoFeb] = feb.body.backlog.byTeamSeries;
    expect([ecFeb.teamName, scoFeb.teamName]).toEqual(['État civil', 'Scolarité']);
    expect(ecFeb.series.map((r: any) => r.open)).toEqual(new Array(28).fill(2));
    expect(scoFeb.series.slice(0, 3)).toEqual([
      { period: '2026-02-01', open: 0 },
      { period: '2026-02-02', open: 1 },
      { period: '2026-02-03', open: 1 },
    ]);
    expect(scoFeb.series.at(-1)).toEqual({ period: '2026-02-28', open: 1 });
    expect(feb.body.backlog.series.map((r: any, i: number) => r.open - ecFeb.series[i].open - scoFeb.series[i].open)).toEqual(
      new Array(28).fill(0),
    );
    // A supervisor of État civil sees that service's only.
    const febEC = await get('volumes?from=2026-02-01&to=2026-02-28', supervisorEC);
    expect(febEC.body.backlog.byTeamSeries.map((r: any) => r.teamName)).toEqual(['État civil']);
    expect(febEC.body.backlog.series).toEqual(ecFeb.series);
    // Day by day from 4 to 6 January: nothing on the 4th; 1, 2 and 7 on the 5th (1 resolved); 3 on the 6th.
    const byDay = await get('volumes?from=2026-01-04&to=2026-01-07&granularity=day');
    expect(byDay.body.backlog.series).toEqual([
      { period: '2026-01-04', open: 0 },
      { period: '2026-01-05', open: 2 },
      { period: '2026-01-06', open: 3 },
      { period: '2026-01-07', open: 2 },
    ]);
    // Scolarité had nothing open and nothing new on those days: only État civil is drawn.
    expect(byDay.body.backlog.byTeamSeries).toEqual([
      { teamId: ec.id, teamName: 'État civil', series: byDay.body.backlog.series },
    ]);
    expect(feb.body.backlog.byTeam.map((r: any) => [r.teamName, r.open])).toEqual([
      ['État civil', 2],
      ['Scolarité', 1],
    ]);
    // Days, not months: 6–13 January against 29 December–5 January (files 1, 2 and 7; file 1 resolved on the 5th).
    const days = await get('volumes?from=2026-01-06&to=2026-01-13');
    expect(days.body.previous).toEqual({
      from: '2025-12-29',
      to: '2026-01-05',
      totals: { created: 3, reopened: 0, resolved: 1 },
    });
    expect(days.body.backlog).toMatchObject({
      atEnd: 2,
      previousAtEnd: 2,
      byTeam: [{ teamId: ec.id, teamName: 'État civil', open: 2 }],
    });
    const csv = await get(`volumes?${january}&format=csv&table=comparison`);
    expect(csv.body).toContain('ouvertes_fin_de_periode;2;0');
    expect(res.body.byTeam).toEqual([
      { teamId: ec.id, teamName: 'État civil', created: 4, reopened: 0, resolved: 2 },
      { teamId: sco.id, teamName: 'Scolarité', created: 2, reopened: 0, resolved: 2 },
    ]);
    expect(res.body.byRequestType).toEqual([
      { requestTypeId: null, requestTypeName: 'Sans démarche', created: 4, reopened: 0, resolved: 2 },
      { requestTypeId: rtNaissance, requestTypeName: 'Acte de naissance', created: 2, reopened: 0, resolved: 2 },
    ]);
  });

  test('a day is the Paris day: the SMS sent at 00:30 on 6 January counts on the 6th', async () => {
    const res = await get('volumes?from=2026-01-05&to=2026-01-06&granularity=day');
    expect(res.body.series.map((r: any) => [r.period, r.created])).toEqual([
      ['2026-01-05', 3],
      ['2026-01-06', 1],
    ]);
  });

  test('first response and resolution: nearest-rank median and 90th percentile, share within target', async () => {
    const res = await get(`response-times?${january}`);
    expect(res.status).toBe(200);
    // First responses 10, 30, 45, 90 min; resolutions 5, 60, 120, 3,000 min. In opening hours (default:
    // Monday–Friday 8:30–12:00, 13:30–17:30): the SMS of 00:30 answered at 00:40 waited 0, the others were
    // answered while open (30, 45, 90); file 2's 3,000 minutes from Monday 10:00 to Wednesday 12:00 are
    // 120 + 240 + 450 + 210 = 1,020 open minutes, the others were open all along (5, 60, 120).
    expect(res.body.firstResponse).toEqual({
      count: 4,
      medianMinutes: 30,
      p90Minutes: 90,
      openingHours: { count: 4, medianMinutes: 30, p90Minutes: 90 },
      withTarget: 2,
      onTime: 1,
      onTimeShare: 0.5,
    });
    expect(res.body.resolution).toEqual({
      count: 4,
      medianMinutes: 60,
      p90Minutes: 3000,
      openingHours: { count: 4, medianMinutes: 60, p90Minutes: 1020 },
    });
    // Per channel of origin (Services Publics+ engagement 5): only the two e-mails had a response target
    // (file 1 answered by it, file 2 not); the SMS, the form and the call had none; no legal date in January.
    expect(res.body.byChannel).toEqual([
      {
        channelKind: 'email',
        firstResponse: { withTarget: 2, onTime: 1, onTimeShare: 0.5 },
        legalDeadline: { resolved: 0, onTime: 0, onTimeShare: null },
      },
    ]);
    const ecRow = res.body.byTeam.find((r: any) => r.teamId === ec.id);
    // État civil's first answers in opening hours: 0, 30, 90.
    expect(ecRow.firstResponse).toEqual({
      count: 3,
      medianMinutes: 30,
      p90Minutes: 90,
      openingHours: { count: 3, medianMinutes: 30, p90Minutes: 90 },
    });
    expect(ecRow.resolution).toEqual({
      count: 2,
      medianMinutes: 120,
      p90Minutes: 3000,
      openingHours: { count: 2, medianMinutes: 120, p90Minutes: 1020 },
    });
  });

  test('telephone: received, answered, missed, called back and the share answered', async () => {
    const res = await get(`telephone?${january}&granularity=month`);
    expect(res.status).toBe(200);
    expect(res.body.totals).toEqual({
      received: 4,
      answered: 2,
      missed: 2,
      calledBack: 1,
      answeredShare: 0.5,
      averageCallbackMinutes: 45,
    });
    expect(res.body.series).toEqual([{ period: '2026-01-01', ...res.body.totals }]);
    expect(res.body.byTeam.map((r: any) => [r.teamName, r.received, r.answered])).toEqual([
      ['État civil', 3, 1],
      ['Scolarité', 1, 1],
    ]);
  });

  test('satisfaction: average, distribution and the share of 8/10 or more', async () => {
    const res = await get(`satisfaction?${january}`);
    expect(res.status).toBe(200);
    expect(res.body.totals).toEqual({
      answers: 3,
      average: 8.33,
      shareAtLeast8: 0.667,
      // Scores 9, 6, 10: two at 9–10, one at 0–6 → (2 − 1) / 3 = 33.3 points.
      netSatisfaction: 33.3,
      distribution: [0, 0, 0, 0, 0, 0, 1, 0, 0, 1, 1],
    });
  });

  test('telephone and satisfaction over time, for the town and per service, by week and by month', async () => {
    const none = { received: 0, answered: 0, missed: 0, calledBack: 0, answeredShare: null, averageCallbackMinutes: null };
    // Week of 5 January: État civil's three calls (08:10 answered; 11:00 missed, called back 45 min
    // later; the voicemail of the 7th not called back). Week of 12 January: Scolarité's answered call.
    const ecWeek = { received: 3, answered: 1, missed: 2, calledBack: 1, answeredShare: 0.333, averageCallbackMinutes: 45 };
    const scoWeek = { received: 1, answered: 1, missed: 0, calledBack: 0, answeredShare: 1, averageCallbackMinutes: null };
    const weeks = ['2025-12-29', '2026-01-05', '2026-01-12', '2026-01-19', '2026-01-26'];
    const over = (rows: object[]) => weeks.map((period, i) => ({ period, ...rows[i] }));
    const perTeam = (ecRows: object[], scoRows: object[]) => [
      { teamId: ec.id, teamName: 'État civil', series: over(ecRows) },
      { teamId: sco.id, teamName: 'Scolarité', series: over(scoRows) },
    ];
    const phone = await get(`telephone?${january}&granularity=week`);
    expect(phone.status).toBe(200);
    expect(phone.body.granularity).toBe('week');
    expect(phone.body.series).toEqual(over([none, ecWeek, scoWeek, none, none]));
    expect(phone.body.byTeamSeries).toEqual(perTeam([none, ecWeek, none, none, none], [none, none, scoWeek, none, none]));
    const phoneCsv = await get(`telephone?${january}&granularity=week&format=csv&table=byTeamSeries`);
    expect(phoneCsv.body.split('\r\n').slice(0, 3)).toEqual([
      'service;periode;appels_recus;decroches;manques;rappeles;taux_decroche;delai_moyen_rappel_minutes',
      'État civil;2025-12-29;0;0;0;0;;',
      'État civil;2026-01-05;3;1;2;1;0,333;45',
    ]);
    // Ratings by the day they were given: 9 (6 January) and 6 (8 January) at État civil, 10 (12 January) at Scolarité.
    const unrated = { answers: 0, average: null, shareAtLeast8: null, netSatisfaction: null };
    const ecRated = { answers: 2, average: 7.5, shareAtLeast8: 0.5, netSatisfaction: 0 };
    const scoRated = { answers: 1, average: 10, shareAtLeast8: 1, netSatisfaction: 100 };
    const sat = await get(`satisfaction?${january}&granularity=week`);
    expect(sat.body.granularity).toBe('week');
    expect(sat.body.series).toEqual(over([unrated, ecRated, scoRated, unrated, unrated]));
    expect(sat.body.byTeamSeries).toEqual(
      perTeam([unrated, ecRated, unrated, unrated, unrated], [unrated, unrated, scoRated, unrated, unrated]),
    );
    const satCsv = await get(`satisfaction?${january}&granularity=week&format=csv&table=series`);
    expect(satCsv.body).toBe(
      [
        'periode;reponses;moyenne;part_8_ou_plus;satisfaction_nette',
        '2025-12-29;0;;;',
        '2026-01-05;2;7,5;0,5;0',
        '2026-01-12;1;10;1;100',
        '2026-01-19;0;;;',
        '2026-01-26;0;;;',
        '',
      ].join('\r\n'),
    );
    // By month across partial months (December's and February's days, January's month): one point each.
    const months = await get('satisfaction?from=2025-12-20&to=2026-02-03&granularity=month');
    expect(months.body.series).toEqual([
      { period: '2025-12-01', ...unrated },
      { period: '2026-01-01', answers: 3, average: 8.33, shareAtLeast8: 0.667, netSatisfaction: 33.3 },
      { period: '2026-02-01', ...unrated },
    ]);
    expect(months.body.byTeamSeries.map((team: any) => [team.teamName, team.series[1]])).toEqual([
      ['État civil', { period: '2026-01-01', ...ecRated }],
      ['Scolarité', { period: '2026-01-01', ...scoRated }],
    ]);
    // A supervisor of État civil: that service's calls and ratings only.
    const ecPhone = await get(`telephone?${january}&granularity=week`, supervisorEC);
    expect(ecPhone.body.byTeamSeries.map((team: any) => team.teamName)).toEqual(['État civil']);
    expect(ecPhone.body.series).toEqual(over([none, ecWeek, none, none, none]));
  });

  test('response times, telephone and satisfaction are compared with the previous period, as volumes are', async () => {
    const february = 'from=2026-02-01&to=2026-02-28';
    const [times, phone, sat] = await Promise.all([
      get(`response-times?${february}`),
      get(`telephone?${february}`),
      get(`satisfaction?${february}`),
    ]);
    // February had no answer, no call, no rating: January's figures (the tests above) are the comparison.
    expect(times.body.firstResponse.count).toBe(0);
    expect(times.body.previous).toEqual({
      from: '2026-01-01',
      to: '2026-01-31',
      firstResponse: {
        count: 4,
        medianMinutes: 30,
        p90Minutes: 90,
        openingHours: { count: 4, medianMinutes: 30, p90Minutes: 90 },
        withTarget: 2,
        onTime: 1,
        onTimeShare: 0.5,
      },
      resolution: {
        count: 4,
        medianMinutes: 60,
        p90Minutes: 3000,
        openingHours: { count: 4, medianMinutes: 60, p90Minutes: 1020 },
      },
      legalDeadline: { resolved: 0, onTime: 0, onTimeShare: null },
    });
    expect(phone.body.totals.received).toBe(0);
    expect(phone.body.previous).toEqual({
      from: '2026-01-01',
      to: '2026-01-31',
      totals: { received: 4, answered: 2, missed: 2, calledBack: 1, answeredShare: 0.5, averageCallbackMinutes: 45 },
    });
    expect(sat.body.previous).toEqual({
      from: '2026-01-01',
      to: '2026-01-31',
      totals: { answers: 3, average: 8.33, shareAtLeast8: 0.667, netSatisfaction: 33.3 },
    });
    // Days: 9–12 January (the 10 of file 4) against 5–8 January (the 9 of file 1 and the 6 of file 2).
    const days = await get('satisfaction?from=2026-01-09&to=2026-01-12');
    expect(days.body.totals).toMatchObject({ answers: 1, average: 10 });
    expect(days.body.previous).toEqual({
      from: '2026-01-05',
      to: '2026-01-08',
      totals: { answers: 2, average: 7.5, shareAtLeast8: 0.5, netSatisfaction: 0 },
    });
    const csv = await get(`telephone?${february}&format=csv&table=comparison`);
    expect(csv.body).toContain('indicateur;du_2026-02-01_au_2026-02-28;du_2026-01-01_au_2026-01-31');
    expect(csv.body).toContain('appels_recus;0;4');
    const timesCsv = await get(`response-times?${february}&format=csv&table=comparison`);
    expect(timesCsv.body).toContain('premiere_reponse_mediane_minutes;;30');
  });

  test('the share handled within the legal deadline: files resolved by their decision date, on the day of the resolution', async () => {
    const june = (day: string, time = '09:00') => new Date(`2025-06-${day}T${time}:00+02:00`); // UTC+2 in June
    const days = (n: number) => n * 1440;
    // A: due in 10 days, resolved in 5 (on time). B: due in 2 days, resolved in 3 (late). C: no legal date.
    // D: created in June, due and resolved in July (on time): July's.
    await newConversation({ team: ec.id, channel: 'email', createdAt: june('02'), decisionDue: days(10), resolved: days(5) });
    const late = await newConversation({
      team: ec.id,
      channel: 'email',
      createdAt: june('03'),
      decisionDue: days(2),
      resolved: days(3),
    });
    await newConversation({ team: sco.id, channel: 'sms', createdAt: june('04'), resolved: days(1) });
    await newConversation({ team: sco.id, channel: 'sms', createdAt: june('20'), decisionDue: days(20), resolved: days(15) });

    const juneTimes = await get('response-times?from=2025-06-01&to=2025-06-30');
    expect(juneTimes.body.resolution.count).toBe(3);
    expect(juneTimes.body.legalDeadline).toEqual({ resolved: 2, onTime: 1, onTimeShare: 0.5 });
    const july = await get('response-times?from=2025-07-01&to=2025-07-31');
    expect(july.body.legalDeadline).toEqual({ resolved: 1, onTime: 1, onTimeShare: 1 });
    expect(july.body.previous.legalDeadline).toEqual({ resolved: 2, onTime: 1, onTimeShare: 0.5 });
    // Per service: État civil's two June files; Scolarité's June file had no legal date.
    const byTeam = Object.fromEntries(juneTimes.body.byTeam.map((r: any) => [r.teamName, r.legalDeadline]));
    expect(byTeam).toEqual({
      'État civil': { resolved: 2, onTime: 1, onTimeShare: 0.5 },
      Scolarité: { resolved: 0, onTime: 0, onTimeShare: null },
    });
    // Per channel: A and B came by e-mail; the SMS of 20 June is July's.
    expect(juneTimes.body.byChannel).toEqual([
      {
        channelKind: 'email',
        firstResponse: { withTarget: 0, onTime: 0, onTimeShare: null },
        legalDeadline: { resolved: 2, onTime: 1, onTimeShare: 0.5 },
      },
    ]);
    expect(july.body.byChannel.map((r: any) => [r.channelKind, r.legalDeadline.onTimeShare])).toEqual([['sms', 1]]);
    const channelsCsv = await get('response-times?from=2025-06-01&to=2025-06-30&format=csv&table=byChannel');
    expect(channelsCsv.body).toBe(
      'canal;premieres_reponses_avec_delai_annonce;dans_le_delai_annonce;part_dans_le_delai_annonce;' +
        'resolues_avec_echeance_legale;dans_l_echeance_legale;part_dans_l_echeance_legale\r\nemail;0;0;;2;1;0,5\r\n',
    );
    const ecJune = await get(`response-times?from=2025-06-01&to=2025-06-30&teamId=${ec.id}`);
    expect(ecJune.body.legalDeadline).toEqual({ resolved: 2, onTime: 1, onTimeShare: 0.5 });
    const teamsCsv = await get('response-times?from=2025-06-01&to=2025-06-30&format=csv&table=byTeam');
    expect(teamsCsv.body.split('\r\n')[0]).toMatch(/;resolues_avec_echeance_legale;part_dans_l_echeance_legale$/);
    const csv = await get('response-times?from=2025-07-01&to=2025-07-31&format=csv&table=comparison');
    expect(csv.body).toContain('resolues_avec_echeance_legale;1;2');

    // The decision date moves after the fact (the clock was paused while documents were awaited): the
    // recount moves the file from late to on time, nothing counted twice.
    await t.db.query(`UPDATE conversation SET decision_due_at = decision_due_at + interval '2 days' WHERE id = $1`, [late]);
    await fold();
    const moved = (await get('response-times?from=2025-06-01&to=2025-06-30')).body;
    expect(moved.legalDeadline).toEqual({ resolved: 2, onTime: 2, onTimeShare: 1 });
    expect(moved.byChannel[0].legalDeadline).toEqual({ resolved: 2, onTime: 2, onTimeShare: 1 });
    // No legal date in the period: no share rather than 0 %.
    expect((await get('response-times?from=2025-05-01&to=2025-05-31')).body.legalDeadline).toEqual({
      resolved: 0,
      onTime: 0,
      onTimeShare: null,
    });
  });

  test('filters by channel of origin and by démarche narrow every figure, also across partial months', async () => {
    const email = await get(`volumes?${january}&channel=email`);
    expect(email.status).toBe(200);
    expect(email.body.totals).toEqual({ created: 2, reopened: 0, resolved: 2 });
    expect(email.body.byChannel.map((r: any) => r.channelKind)).toEqual(['email']);
    // 20 December – 3 February: December's and February's days from the daily rows, January from its month.
    const edges = await get('volumes?from=2025-12-20&to=2026-02-03&channel=email&granularity=month');
    expect(edges.body.totals).toEqual({ created: 3, reopened: 0, resolved: 2 });
    expect(edges.body.series.map((r: any) => [r.period, r.created])).toEqual([
      ['2025-12-01', 0],
      ['2026-01-01', 2],
      ['2026-02-01', 1],
    ]);
    const naissance = await get(`volumes?${january}&requestTypeId=${rtNaissance}`);
    expect(naissance.body.totals).toEqual({ created: 2, reopened: 0, resolved: 2 });
    expect(naissance.body.byRequestType.map((r: any) => r.requestTypeName)).toEqual(['Acte de naissance']);
    // SMS files: first answers in 10 and 45 min; one rating, 10.
    const sms = await get(`response-times?${january}&channel=sms`);
    expect(sms.body.firstResponse).toMatchObject({ count: 2, medianMinutes: 10, p90Minutes: 45 });
    const smsSatisfaction = await get(`satisfaction?${january}&channel=sms`);
    expect(smsSatisfaction.body.totals).toMatchObject({ answers: 1, average: 10 });
    const phone = await get(`telephone?${january}&channel=voice`);
    expect(phone.body.totals).toMatchObject({ received: 4, answered: 2 });
    expect((await get(`telephone?${january}&channel=email`)).body.totals.received).toBe(0);
    const bad = await get(`volumes?${january}&channel=pigeon`);
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body)).toMatch(/canal inconnu/);
  });

  test('a supervisor sees their services only; an agent gets no report', async () => {
    const res = await get(`volumes?${january}`, supervisorEC);
    expect(res.status).toBe(200);
    expect(res.body.totals.created).toBe(4);
    expect(res.body.byTeam.map((r: any) => r.teamName)).toEqual(['État civil']);
    const sat = await get(`satisfaction?${january}`, supervisorEC);
    expect(sat.body.totals).toMatchObject({ answers: 2, average: 7.5, shareAtLeast8: 0.5 });
    const other = await get(`volumes?${january}&teamId=${sco.id}`, supervisorEC);
    expect(other.status).toBe(403);
    expect(other.body.message).toMatch(/ne supervisez pas ce service/);
    expect((await get(`volumes?${january}`, agent)).status).toBe(403);
  });

  test('bad periods are refused in French (400), never a 500', async () => {
    const reversed = await get('volumes?from=2026-02-01&to=2026-01-01');
    expect(reversed.status).toBe(400);
    expect(JSON.stringify(reversed.body)).toMatch(/précéder/);
    expect((await get('volumes?from=hier&to=2026-01-01')).status).toBe(400);
    expect((await get('volumes?from=2020-01-01&to=2026-01-01')).status).toBe(400);
    expect((await get(`volumes?${january}&format=csv&table=inconnu`)).status).toBe(400);
  });

  test('every table exports as CSV (French separators, a BOM for spreadsheets)', async () => {
    const res = await t.http('GET', `/api/v1/reports/volumes?${january}&granularity=week&format=csv&table=byTeam`, {
      token: admin.token,
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/text\/csv/);
    expect(res.headers.get('content-disposition')).toMatch(/attachment; filename="volumes-2026-01-01-2026-01-31-byTeam.csv"/);
    // fetch's text() drops the BOM: the bytes show it.
    const raw = await fetch(`${t.url}/api/v1/reports/volumes?${january}&format=csv&table=byTeam`, {
      headers: { authorization: `Bearer ${admin.token}` },
    });
    const bytes = Buffer.from(await raw.arrayBuffer());
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    expect(bytes.subarray(3).toString('utf8')).toBe(
      'service;demandes_creees;reouvertes;resolues\r\nÉtat civil;4;0;2\r\nScolarité;2;0;2\r\n',
    );
    const sat = await get(`satisfaction?${january}&format=csv&table=byTeam`);
    expect(sat.body).toContain('Ensemble;3;8,33;0,667;33,3');
    for (const [kind, tables] of Object.entries({
      volumes: ['series', 'byChannel', 'byTeam', 'byRequestType', 'backlogSeries', 'backlogByTeamSeries'],
      'response-times': ['byTeam', 'byChannel'],
      telephone: ['series', 'byTeam', 'byTeamSeries'],
      satisfaction: ['distribution', 'byTeam', 'comments', 'series', 'byTeamSeries'],
    })) {
      for (const table of tables) expect((await get(`${kind}?${january}&format=csv&table=${table}`)).status).toBe(200);
    }
  });

  test('a report exports as one XLSX workbook: a sheet naming it, one typed sheet per table', async () => {
    const raw = await fetch(`${t.url}/api/v1/reports/satisfaction?${january}&format=xlsx`, {
      headers: { authorization: `Bearer ${admin.token}` },
    });
    expect(raw.status).toBe(200);
    expect(raw.headers.get('content-type')).toBe('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
    expect(raw.headers.get('content-disposition')).toBe('attachment; filename="satisfaction-2026-01-01-2026-01-31.xlsx"');
    const book = new Workbook();
    await book.xlsx.load(Buffer.from(await raw.arrayBuffer()) as never);
    expect(book.worksheets.map((w) => w.name)).toEqual([
      'Rapport',
      'Répartition des notes',
      'Par service',
      'Période précédente',
      'Commentaires',
      'Par période',
      'Par service et période',
    ]);
    const cover = book.getWorksheet('Rapport')!;
    expect(cover.getRow(1).values).toEqual([undefined, 'Rapport', 'Satisfaction des usagers']);
    expect(cover.getRow(3).values).toEqual([undefined, 'Du', '2026-01-01']);
    const byTeam = book.getWorksheet('Par service')!;
    expect(byTeam.getRow(1).values).toEqual([
      undefined,
      'service',
      'reponses',
      'moyenne',
      'part_8_ou_plus',
      'satisfaction_nette',
    ]);
    // Numbers stay numbers; the share is a number shown as a percentage.
    expect(byTeam.getRow(4).values).toEqual([undefined, 'Ensemble', 3, 8.33, 0.667, 33.3]);
    expect(byTeam.getColumn(4).numFmt).toBe('0.0 %');
    const filtered = await fetch(`${t.url}/api/v1/reports/volumes?${january}&channel=sms&format=xlsx`, {
      headers: { authorization: `Bearer ${admin.token}` },
    });
    const vol = new Workbook();
    await vol.xlsx.load(Buffer.from(await filtered.arrayBuffer()) as never);
    expect(vol.getWorksheet('Rapport')!.getRow(6).values).toEqual([undefined, 'Canal', 'sms']);
    expect(vol.getWorksheet('Par canal')!.getRow(2).values).toEqual([undefined, 'sms', 2, 0, 1]);
    expect((await get(`volumes?${january}&format=pdf`)).status).toBe(400);
  });

  test('open data: indicators per service in the Services Publics+ shape, counts under 5 withheld', async () => {
    const res = await get('indicators?year=2026&format=json');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      annee: 2026,
      question_satisfaction: 'Globalement, êtes-vous satisfait de la qualité de service ?',
      seuil_secret_statistique: 5,
    });
    const [ecLine, scoLine, all] = res.body.indicateurs;
    expect(ecLine).toMatchObject({ service: 'État civil', demandes_recues: null, appels_recus: null, avis_recus: null });
    expect(scoLine).toMatchObject({ service: 'Scolarité', demandes_recues: null });
    // The whole town: 7 requests (February's included); 4 calls, 3 ratings, 4 first answers stay withheld.
    expect(all).toEqual({
      annee: 2026,
      trimestre: null,
      service: 'Ensemble des services',
      demandes_recues: 7,
      appels_recus: null,
      taux_appels_decroches: null,
      taux_reponses_dans_les_delais: null,
      delai_mediane_premiere_reponse_heures: null,
      avis_recus: null,
      satisfaction_moyenne: null,
      taux_satisfaction_8_sur_10: null,
    });
    // No personal data: names of services and numbers only.
    expect(JSON.stringify(res.body)).not.toMatch(/Usager|GU-|@/);
    const csv = await get('indicators?year=2026&format=csv');
    expect(csv.status).toBe(200);
    expect(csv.body.split('\r\n')[0]).toBe(
      'annee;trimestre;service;demandes_recues;appels_recus;taux_appels_decroches;taux_reponses_dans_les_delais;' +
        'delai_mediane_premiere_reponse_heures;avis_recus;satisfaction_moyenne;taux_satisfaction_8_sur_10',
    );
    expect(csv.body).toContain('2026;;Ensemble des services;7;;;;;;;');
    expect((await get('indicators?year=deux-mille')).status).toBe(400);
  });

  test('the report endpoints are in the OpenAPI document', async () => {
    const doc = (await t.http('GET', '/api/docs/openapi.json')).body;
    for (const path of ['volumes', 'response-times', 'telephone', 'satisfaction', 'indicators'])
      expect(doc.paths[`/api/v1/reports/${path}`]?.get).toBeDefined();
    expect(doc.paths['/api/v1/reports/indicators'].get.parameters.map((p: any) => p.name)).toEqual(
      expect.arrayContaining(['year', 'format']),
    );
  });

  test('a reopened and re-resolved file counts one reopening, its resolution once, at its new time; a transfer moves its counts', async () => {
    // File 1 reopened by the citizen, then resolved again on 20 January.
    await t.db.query(`UPDATE conversation SET status = 'open', resolved_at = NULL WHERE id = $1`, [conv[1]]);
    await fold();
    await t.db.query(`UPDATE conversation SET status = 'resolved', resolved_at = $2 WHERE id = $1`, [
      conv[1],
      paris('2026-01-20T09:00:00'),
    ]);
    await fold();
    // Marked again with nothing changed: a second fold moves nothing.
    await t.db.query(`INSERT INTO report_pending (conversation_id) VALUES ($1)`, [conv[1]]);
    await fold();
    // File 3 transferred to Scolarité.
    await t.db.query(`UPDATE conversation SET team_id = $2 WHERE id = $1`, [conv[3], sco.id]);
    await fold();

    const res = await get(`volumes?${january}&granularity=month`);
    expect(res.body.totals).toEqual({ created: 6, reopened: 0, resolved: 4 });
    // The reopening is counted on the day it was seen (today), once.
    const today = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Paris' }).format(new Date());
    expect((await get(`volumes?from=${today}&to=${today}`)).body.totals).toEqual({ created: 0, reopened: 1, resolved: 0 });
    expect(res.body.byTeam.map((r: any) => [r.teamName, r.created])).toEqual([
      ['État civil', 3],
      ['Scolarité', 3],
    ]);
    const times = await get(`response-times?${january}`);
    // Resolution of file 1 is now 15 days + 0 h = 21,600 min (bucket: hours below 60 days); in opening
    // hours, Monday 5 January 9:00 → Tuesday 20 January 9:00: 420 + 4 × 450 + 5 × 450 + 450 + 30 = 4,950
    // (bucket 4,980: hours beyond two days).
    expect(times.body.resolution).toEqual({
      count: 4,
      medianMinutes: 60,
      p90Minutes: 21600,
      openingHours: { count: 4, medianMinutes: 60, p90Minutes: 4980 },
    });
  });

  // Last in this town: the files added here are not counted in the aggregates the tests above read.
  test('overdue now: files in progress past their legal date or their unanswered response target, per service', async () => {
    const now = Date.now();
    const ago = (hours: number) => new Date(now - hours * 3600_000);
    const later = (hours: number) => new Date(now + hours * 3600_000);
    const { rows: c } = await t.db.query(`INSERT INTO contact (organization_id, name) VALUES ($1, 'Usager') RETURNING id`, [
      org.id,
    ]);
    const file = async (team: string, status: string, o: { decision?: Date; response?: Date; answered?: boolean }) => {
      await t.db.query(
        `INSERT INTO conversation (organization_id, reference, contact_id, team_id, status, created_at, last_message_at,
           first_response_at, decision_due_at, response_due_at, request_type_id)
         VALUES ($1, $2, $3, $4, $5, $6, $6, $7, $8, $9, $10)`,
        [
          org.id,
          `GU-${randomBytes(4).toString('hex').toUpperCase()}`,
          c[0].id,
          team,
          status,
          ago(24 * 90),
          o.answered ? ago(24 * 80) : null,
          o.decision ?? null,
          o.response ?? null,
          team === ec.id ? rtNaissance : null,
        ],
      );
    };
    await file(ec.id, 'open', { decision: ago(2) }); // legal date passed
    await file(ec.id, 'pending', { decision: ago(1), response: ago(5) }); // both: counts once
    await file(ec.id, 'snoozed', { response: ago(3) }); // unanswered past the target
    await file(ec.id, 'open', { response: ago(3), answered: true }); // answered: the target no longer runs
    await file(ec.id, 'open', { decision: later(48) }); // not due yet
    await file(ec.id, 'resolved', { decision: ago(48) }); // done: not overdue
    await file(sco.id, 'open', { response: ago(1) });
    const res = await get(`response-times?${january}`);
    expect(res.status).toBe(200);
    expect(res.body.overdue).toMatchObject({ total: 4, decision: 2, response: 3 });
    expect(res.body.overdue.byTeam).toEqual([
      { teamId: ec.id, teamName: 'État civil', total: 3, decision: 2, response: 2 },
      { teamId: sco.id, teamName: 'Scolarité', total: 1, decision: 0, response: 1 },
    ]);
    expect(Math.abs(Date.parse(res.body.overdue.at) - Date.now())).toBeLessThan(60_000);
    // A supervisor of État civil sees that service only; a démarche narrows it.
    const own = await get(`response-times?${january}`, supervisorEC);
    expect(own.body.overdue).toMatchObject({ total: 3, decision: 2, response: 2 });
    const typed = await get(`response-times?${january}&teamId=${sco.id}&requestTypeId=${rtNaissance}`);
    expect(typed.body.overdue).toMatchObject({ total: 0, byTeam: [] });
    const csv = await get(`response-times?${january}&format=csv&table=overdue`);
    expect(csv.body).toContain('service;en_retard;echeance_legale_depassee;objectif_de_reponse_depasse');
    expect(csv.body).toContain('Ensemble;4;2;3');
  });
});

describe('reports: the periodic fold keeps them current as agents work', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp();
  }, 60_000);
  afterAll(async () => {
    await t?.close();
  });

  test('a citizen writes, an agent answers and resolves: the day’s report counts it, without touching message', async () => {
    const org = await t.newOrganization();
    const team = await t.newTeam(org.id, 'Vie sportive');
    const admin = await t.newAgent({ organizationId: org.id, role: 'admin' });
    const agent = await t.newAgent({ organizationId: org.id, teamIds: [team.id] });
    const sms = await t.newChannel({ organizationId: org.id, teamId: team.id, kind: 'sms' });
    const stored = await t.ingest.ingest(
      {
        channelId: sms.id,
        externalId: `SM${randomBytes(8).toString('hex')}`,
        from: { kind: 'phone', value: '+33612345678' },
        text: 'Bonjour, le gymnase est-il ouvert dimanche ?',
      },
      { teamId: team.id },
    );
    const id = stored.conversationId;
    const today = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Paris' }).format(new Date());
    const report = () => t.http('GET', `/api/v1/reports/volumes?from=${today}&to=${today}`, { token: admin.token });
    await expectEventually(async () => expect((await report()).body.totals.created).toBe(1), { timeoutMs: 20_000 });

    const conv = await t.http('GET', `/api/v1/conversations/${id}`, { token: agent.token });
    const reply = await t.http('POST', `/api/v1/conversations/${id}/messages`, {
      token: agent.token,
      body: { kind: 'reply', body: 'Oui, de 9 h à 12 h.', version: conv.body.version },
    });
    expect(reply.status).toBe(201);
    const after = await t.http('GET', `/api/v1/conversations/${id}`, { token: agent.token });
    const resolved = await t.http('PATCH', `/api/v1/conversations/${id}`, {
      token: agent.token,
      body: { status: 'resolved', version: after.body.version },
    });
    expect(resolved.status).toBe(200);
    await expectEventually(
      async () => {
        const r = await report();
        expect(r.body.totals).toEqual({ created: 1, reopened: 0, resolved: 1 });
        expect(r.body.byChannel).toEqual([{ channelKind: 'sms', created: 1, reopened: 0, resolved: 1 }]);
        const times = await t.http('GET', `/api/v1/reports/response-times?from=${today}&to=${today}`, { token: admin.token });
        expect(times.body.firstResponse.count).toBe(1);
        expect(times.body.resolution.count).toBe(1);
      },
      { timeoutMs: 20_000 },
    );
  });
});

describe('reports: files written before the marks existed are counted once by the backfill', () => {
  let t: TestApp;

  beforeAll(async () => {
    // No periodic fold: the rows below stand for an upgraded installation's.
    t = await startTestApp({ reportsFoldMs: 0 });
  }, 60_000);
  afterAll(async () => {
    await t?.close();
  });

  test('an upgraded installation: existing files and calls are counted once, a second run adds nothing', async () => {
    const backfill = t.app.get(ReportBackfill);
    // The start-up run found an empty database and left its mark: take it away, as an upgrade would be.
    await expectEventually(async () => expect((await t.db.query(`SELECT 1 FROM report_backfill`)).rows).toHaveLength(1));
    await t.db.query(`DELETE FROM report_backfill`);
    const org = await t.newOrganization();
    const team = await t.newTeam(org.id, 'Vie culturelle');
    const admin = await t.newAgent({ organizationId: org.id, role: 'admin' });
    const voice = await t.newChannel({ organizationId: org.id, teamId: team.id, kind: 'voice' });
    const { rows: c } = await t.db.query(`INSERT INTO contact (organization_id) VALUES ($1) RETURNING id`, [org.id]);
    const created = new Date('2025-03-10T09:00:00+01:00');
    const { rows } = await t.db.query(
      `INSERT INTO conversation (organization_id, reference, contact_id, team_id, status, created_at, last_message_at,
         first_response_at, resolved_at)
       VALUES ($1, 'GU-BACK01', $2, $3, 'resolved', $4, $4, $4::timestamptz + interval '20 minutes', $4::timestamptz + interval '1 hour')
       RETURNING id`,
      [org.id, c[0].id, team.id, created],
    );
    await t.db.query(
      `INSERT INTO message (organization_id, conversation_id, direction, kind, channel_id, body, status, meta, created_at)
       VALUES ($1, $2, 'inbound', 'call', $3, 'Appel', 'received', '{"call":{"provider":"twilio","outcome":"missed"}}', $4)`,
      [org.id, rows[0].id, voice.id, created],
    );
    // Written before the triggers existed: no mark.
    await t.db.query(`DELETE FROM report_pending`);
    expect(await backfill.run()).toBeGreaterThanOrEqual(1);
    expect(await backfill.run()).toBe(0);
    const q = 'from=2025-03-01&to=2025-03-31';
    const volumes = await t.http('GET', `/api/v1/reports/volumes?${q}`, { token: admin.token });
    expect(volumes.body.totals).toEqual({ created: 1, reopened: 0, resolved: 1 });
    expect(volumes.body.byChannel).toEqual([{ channelKind: 'voice', created: 1, reopened: 0, resolved: 1 }]);
    const phone = await t.http('GET', `/api/v1/reports/telephone?${q}`, { token: admin.token });
    expect(phone.body.totals).toMatchObject({ received: 1, answered: 0, missed: 1 });
    const times = await t.http('GET', `/api/v1/reports/response-times?${q}`, { token: admin.token });
    expect(times.body.firstResponse).toMatchObject({ count: 1, medianMinutes: 20 });
  });
});
