import { randomBytes } from 'node:crypto';
import { Workbook } from 'exceljs';
import { ReportAggregates } from '../../src/modules/reports/report-aggregates';
import { startTestApp, type TestAgent, type TestApp } from '../harness';

/**
 * A second hand-computed town (Europe/Paris, spring 2026, UTC+2), for the label filter, the
 * per-agent figures and the times in opening hours. Services keep the default hours: Monday to
 * Friday 8:30–12:00 and 13:30–17:30 (7 h 30 a day); 1 May (Friday) and 8 May (Friday) are
 * public holidays. Rows are written as the app writes them (the triggers mark them); the
 * aggregates are moved by the fold the periodic job runs (called here once the rows are written).
 *
 * F1 État civil, e-mail, Thursday 30 April 18:00 (after closing), label Urgent; first answer by
 *    Zoé on Monday 4 May 9:00: 5,220 calendar minutes (87 h), 30 in opening hours (holiday,
 *    weekend, then 8:30–9:00); resolved 11:00 assigned to Zoé: 5,340 min, 150 open.
 * F2 État civil, web form, Monday 4 May 10:00, label Urgent; answered by Alain at 10:20 (20, 20);
 *    resolved Tuesday 5 May 10:00 assigned to Alain: 1,440 min, 450 open (120 + 240 + 90).
 * F3 État civil, SMS, Friday 8 May 9:00 (holiday), label Papiers; answered by Zoé on Monday
 *    11 May 8:40: 4,300 min (bucket 4,320), 10 open; still open.
 * F4 Scolarité, SMS, Monday 4 May 14:00, label Urgent; answered by Camille at 14:05 (5, 5);
 *    resolved 15:00 assigned to Camille (60, 60).
 */
describe('reports: labels, agents and opening hours match a hand-computed town', () => {
  let t: TestApp;
  let org: { id: string };
  let ec: { id: string };
  let sco: { id: string };
  let admin: TestAgent;
  let supervisorEC: TestAgent;
  let zoe: TestAgent;
  let alain: TestAgent;
  let camille: TestAgent;
  let urgent: string;
  let papiers: string;
  const conv: Record<number, string> = {};
  let aggregates: ReportAggregates;
  const ch: Record<'email' | 'sms' | 'webform', string> = {} as never;

  const paris = (local: string) => new Date(`${local}+02:00`);
  const fold = () => aggregates.foldNow();

  async function newConversation(o: {
    team: string;
    channel: keyof typeof ch;
    createdAt: string;
    answer: { by: TestAgent; at: string };
    resolved?: { at: string; assignee: TestAgent };
    labels: string[];
  }): Promise<string> {
    const { rows: c } = await t.db.query(`INSERT INTO contact (organization_id, name) VALUES ($1, 'Usager') RETURNING id`, [
      org.id,
    ]);
    const { rows } = await t.db.query(
      `INSERT INTO conversation (organization_id, reference, contact_id, team_id, status, created_at, last_message_at,
         first_response_at, resolved_at, assignee_id)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $7, $8, $9) RETURNING id`,
      [
        org.id,
        `GU-${randomBytes(4).toString('hex').toUpperCase()}`,
        c[0].id,
        o.team,
        o.resolved ? 'resolved' : 'open',
        paris(o.createdAt),
        paris(o.answer.at),
        o.resolved ? paris(o.resolved.at) : null,
        o.resolved?.assignee.id ?? o.answer.by.id,
      ],
    );
    const id = rows[0].id as string;
    await t.db.query(
      `INSERT INTO message (organization_id, conversation_id, direction, kind, channel_id, body, status, created_at)
       VALUES ($1, $2, 'inbound', 'message', $3, 'Bonjour', 'received', $4)`,
      [org.id, id, ch[o.channel], paris(o.createdAt)],
    );
    // An automatic acknowledgement (no author) before the agent's answer: not the agent's first response.
    await t.db.query(
      `INSERT INTO message (organization_id, conversation_id, direction, kind, channel_id, body, status, created_at)
       VALUES ($1, $2, 'outbound', 'message', $3, 'Accusé de réception', 'sent', $4)`,
      [org.id, id, ch[o.channel], new Date(paris(o.createdAt).getTime() + 1000)],
    );
    await t.db.query(
      `INSERT INTO message (organization_id, conversation_id, direction, kind, channel_id, author_agent_id, body, status, created_at)
       VALUES ($1, $2, 'outbound', 'message', $3, $4, 'Réponse', 'sent', $5)`,
      [org.id, id, ch[o.channel], o.answer.by.id, paris(o.answer.at)],
    );
    for (const label of o.labels)
      await t.db.query(`INSERT INTO conversation_label (conversation_id, label_id) VALUES ($1, $2)`, [id, label]);
    await fold();
    return id;
  }

  beforeAll(async () => {
    // Folded when a file's rows are all written (no periodic fold between its conversation and its messages).
    t = await startTestApp({ logLevel: (process.env.REPORTS_LOG as never) ?? 'silent', reportsFoldMs: 0 });
    aggregates = t.app.get(ReportAggregates);
    org = await t.newOrganization();
    ec = await t.newTeam(org.id, 'État civil');
    sco = await t.newTeam(org.id, 'Scolarité');
    admin = await t.newAgent({ organizationId: org.id, role: 'admin', name: 'Admin Mairie' });
    supervisorEC = await t.newAgent({
      organizationId: org.id,
      role: 'supervisor',
      teamIds: [ec.id],
      name: 'Martine Superviseure',
    });
    zoe = await t.newAgent({ organizationId: org.id, teamIds: [ec.id], name: 'Zoé Martin' });
    alain = await t.newAgent({ organizationId: org.id, teamIds: [ec.id], name: 'Alain Bernard' });
    camille = await t.newAgent({ organizationId: org.id, teamIds: [sco.id], name: 'Camille Roux' });
    ch.email = (await t.newChannel({ organizationId: org.id, teamId: ec.id, kind: 'email' })).id;
    ch.sms = (await t.newChannel({ organizationId: org.id, teamId: ec.id, kind: 'sms' })).id;
    ch.webform = (await t.newChannel({ organizationId: org.id, teamId: ec.id, kind: 'webform' })).id;
    const { rows: labels } = await t.db.query(
      `INSERT INTO label (organization_id, name, color) VALUES ($1, 'Urgent', '#aa0000'), ($1, 'Papiers', '#0000aa') RETURNING id, name`,
      [org.id],
    );
    urgent = labels.find((l: any) => l.name === 'Urgent').id;
    papiers = labels.find((l: any) => l.name === 'Papiers').id;

    conv[1] = await newConversation({
      team: ec.id,
      channel: 'email',
      createdAt: '2026-04-30T18:00:00',
      answer: { by: zoe, at: '2026-05-04T09:00:00' },
      resolved: { at: '2026-05-04T11:00:00', assignee: zoe },
      labels: [urgent],
    });
    conv[2] = await newConversation({
      team: ec.id,
      channel: 'webform',
      createdAt: '2026-05-04T10:00:00',
      answer: { by: alain, at: '2026-05-04T10:20:00' },
      resolved: { at: '2026-05-05T10:00:00', assignee: alain },
      labels: [urgent],
    });
    conv[3] = await newConversation({
      team: ec.id,
      channel: 'sms',
      createdAt: '2026-05-08T09:00:00',
      answer: { by: zoe, at: '2026-05-11T08:40:00' },
      labels: [papiers],
    });
    conv[4] = await newConversation({
      team: sco.id,
      channel: 'sms',
      createdAt: '2026-05-04T14:00:00',
      answer: { by: camille, at: '2026-05-04T14:05:00' },
      resolved: { at: '2026-05-04T15:00:00', assignee: camille },
      labels: [urgent],
    });
  }, 120_000);

  afterAll(async () => {
    await t?.close();
  });

  const get = (path: string, who: TestAgent = admin) => t.http('GET', `/api/v1/reports/${path}`, { token: who.token });
  const spring = 'from=2026-04-01&to=2026-05-31';
  const stats = (count: number, medianMinutes: number | null, p90Minutes: number | null) => ({
    count,
    medianMinutes,
    p90Minutes,
  });

  test('response times in calendar time and in opening hours, side by side', async () => {
    const res = await get(`response-times?${spring}`);
    expect(res.status).toBe(200);
    // First answers: 5, 20, 4,320 (4,300), 5,220 calendar; 5, 10, 20, 30 in opening hours.
    expect(res.body.firstResponse).toMatchObject({ ...stats(4, 20, 5220), openingHours: stats(4, 10, 30) });
    // Resolutions: 60, 1,440, 5,340 calendar; 60, 150, 450 in opening hours.
    expect(res.body.resolution).toEqual({ ...stats(3, 1440, 5340), openingHours: stats(3, 150, 450) });
    const byTeam = Object.fromEntries(res.body.byTeam.map((r: any) => [r.teamName, r]));
    expect(byTeam['État civil'].firstResponse).toEqual({ ...stats(3, 4320, 5220), openingHours: stats(3, 20, 30) });
    expect(byTeam['État civil'].resolution).toEqual({ ...stats(2, 1440, 5340), openingHours: stats(2, 150, 450) });
    expect(byTeam['Scolarité'].firstResponse).toEqual({ ...stats(1, 5, 5), openingHours: stats(1, 5, 5) });
    const csv = await get(`response-times?${spring}&format=csv&table=byTeam`);
    expect(csv.body).toContain('premiere_reponse_mediane_minutes_heures_ouverture');
    expect(csv.body).toContain('Ensemble;4;20;5220;10;30;3;1440;5340;150;450');
  });

  test('the label filter reads the label rows: volumes, times, and what a label change moves', async () => {
    const vol = await get(`volumes?${spring}&labelId=${urgent}`);
    expect(vol.status).toBe(200);
    expect(vol.body.totals).toEqual({ created: 3, reopened: 0, resolved: 3 });
    expect(vol.body.byTeam.map((r: any) => [r.teamName, r.created, r.resolved])).toEqual([
      ['État civil', 2, 2],
      ['Scolarité', 1, 1],
    ]);
    expect(vol.body.backlog.atEnd).toBe(0);
    const all = await get(`volumes?${spring}`);
    expect(all.body.totals).toEqual({ created: 4, reopened: 0, resolved: 3 });
    expect(all.body.backlog.atEnd).toBe(1);

    const times = await get(`response-times?${spring}&labelId=${urgent}`);
    expect(times.body.firstResponse).toMatchObject({ ...stats(3, 20, 5220), openingHours: stats(3, 20, 30) });
    expect(times.body.resolution).toEqual({ ...stats(3, 1440, 5340), openingHours: stats(3, 150, 450) });

    const paper = await get(`volumes?${spring}&labelId=${papiers}`);
    expect(paper.body.totals).toEqual({ created: 1, reopened: 0, resolved: 0 });
    expect(paper.body.backlog.atEnd).toBe(1);
    // Calls carry no label: telephone is 0 under a label.
    const tel = await get(`telephone?${spring}&labelId=${urgent}`);
    expect(tel.body.totals.received).toBe(0);

    // F2 loses Urgent and gains Papiers: the recount moves both labels' rows by the difference.
    await t.db.query(`DELETE FROM conversation_label WHERE conversation_id = $1`, [conv[2]]);
    await t.db.query(`INSERT INTO conversation_label (conversation_id, label_id) VALUES ($1, $2)`, [conv[2], papiers]);
    await fold();
    // Marked again with nothing changed: a second fold moves nothing.
    await t.db.query(`INSERT INTO report_pending (conversation_id) VALUES ($1)`, [conv[2]]);
    await fold();
    expect((await get(`volumes?${spring}&labelId=${urgent}`)).body.totals).toEqual({ created: 2, reopened: 0, resolved: 2 });
    expect((await get(`volumes?${spring}&labelId=${papiers}`)).body.totals).toEqual({ created: 2, reopened: 0, resolved: 1 });
    // Urgent's first answers are now 5 and 30 in opening hours (F4, F1): nearest-rank median 5.
    const after = await get(`response-times?${spring}&labelId=${urgent}`);
    expect(after.body.firstResponse.openingHours).toEqual(stats(2, 5, 30));
    // The totals without a label did not move.
    expect((await get(`volumes?${spring}`)).body.totals).toEqual({ created: 4, reopened: 0, resolved: 3 });

    const book = await fetch(`${t.url}/api/v1/reports/volumes?${spring}&labelId=${papiers}&format=xlsx`, {
      headers: { authorization: `Bearer ${admin.token}` },
    });
    const wb = new Workbook();
    await wb.xlsx.load(Buffer.from(await book.arrayBuffer()) as never);
    const about = wb.worksheets[0]!.getSheetValues().flat().map(String);
    expect(about).toContain('Papiers');
  });

  test('a label that is not a uuid is refused in French', async () => {
    const res = await get(`volumes?${spring}&labelId=pas-un-id`);
    expect(res.status).toBe(400);
    expect(JSON.stringify(res.body)).toContain('identifiant d’étiquette invalide');
  });

  test('per agent, for a supervisor: their services’ agents in alphabetical order, with their load per week', async () => {
    const res = await get('agents?from=2026-04-27&to=2026-05-17&granularity=week', supervisorEC);
    expect(res.status).toBe(200);
    // Zoé has answered more than Alain, yet comes last: names in order, not a ranking. Camille (Scolarité) is not shown.
    expect(res.body.agents).toEqual([
      {
        agentId: alain.id,
        agentName: 'Alain Bernard',
        handled: 1,
        firstResponses: 1,
        firstResponseMedianMinutes: 20,
        firstResponseMedianOpeningMinutes: 20,
      },
      {
        agentId: supervisorEC.id,
        agentName: 'Martine Superviseure',
        handled: 0,
        firstResponses: 0,
        firstResponseMedianMinutes: null,
        firstResponseMedianOpeningMinutes: null,
      },
      {
        agentId: zoe.id,
        agentName: 'Zoé Martin',
        handled: 1,
        firstResponses: 2,
        // 4,320 and 5,220 calendar minutes; 10 and 30 in opening hours: the nearest rank of two is the first.
        firstResponseMedianMinutes: 4320,
        firstResponseMedianOpeningMinutes: 10,
      },
    ]);
    const load = (id: string) =>
      res.body.series.filter((r: any) => r.agentId === id).map((r: any) => [r.period, r.handled, r.firstResponses]);
    expect(load(zoe.id)).toEqual([
      ['2026-04-27', 0, 0],
      ['2026-05-04', 1, 1],
      ['2026-05-11', 0, 1],
    ]);
    expect(load(alain.id)).toEqual([
      ['2026-04-27', 0, 0],
      ['2026-05-04', 1, 1],
      ['2026-05-11', 0, 0],
    ]);
    expect(res.body.series).toHaveLength(9);

    const csv = await get('agents?from=2026-04-27&to=2026-05-17&granularity=week&format=csv', supervisorEC);
    expect(csv.headers.get('content-type')).toContain('text/csv');
    expect(csv.body).toContain(
      'agent;demandes_traitees;premieres_reponses;premiere_reponse_mediane_minutes;premiere_reponse_mediane_minutes_heures_ouverture',
    );
    expect(csv.body).toContain('Zoé Martin;1;2;4320;10');
    const loadCsv = await get('agents?from=2026-04-27&to=2026-05-17&granularity=week&format=csv&table=load', supervisorEC);
    expect(loadCsv.body).toContain('2026-05-11;Zoé Martin;0;1');

    // The admin sees every service; Camille's file is in Scolarité.
    const every = await get('agents?from=2026-04-27&to=2026-05-17', admin);
    expect(every.body.agents.find((a: any) => a.agentId === camille.id)).toMatchObject({
      handled: 1,
      firstResponses: 1,
      firstResponseMedianMinutes: 5,
    });
    // Another service than theirs: refused; an agent: refused.
    expect((await get(`agents?from=2026-04-27&to=2026-05-17&teamId=${sco.id}`, supervisorEC)).status).toBe(403);
    expect((await get('agents?from=2026-04-27&to=2026-05-17', zoe)).status).toBe(403);
  });

  test('a file reopened leaves its agent’s handled count, and counts again for whoever resolves it', async () => {
    await t.db.query(`UPDATE conversation SET status = 'open', resolved_at = NULL WHERE id = $1`, [conv[1]]);
    await fold();
    const open = await get('agents?from=2026-04-27&to=2026-05-17', supervisorEC);
    expect(open.body.agents.find((a: any) => a.agentId === zoe.id)).toMatchObject({ handled: 0, firstResponses: 2 });
    // Resolved again on 12 May by Alain, to whom it was given.
    await t.db.query(`UPDATE conversation SET status = 'resolved', resolved_at = $2, assignee_id = $3 WHERE id = $1`, [
      conv[1],
      paris('2026-05-12T10:00:00'),
      alain.id,
    ]);
    await fold();
    const again = await get('agents?from=2026-04-27&to=2026-05-17&granularity=week', supervisorEC);
    expect(again.body.agents.find((a: any) => a.agentId === alain.id)).toMatchObject({ handled: 2, firstResponses: 1 });
    expect(again.body.agents.find((a: any) => a.agentId === zoe.id)).toMatchObject({ handled: 0, firstResponses: 2 });
    expect(again.body.series.filter((r: any) => r.agentId === alain.id).map((r: any) => r.handled)).toEqual([0, 1, 1]);
    // Its resolution now ends on Tuesday 12 May 10:00: 30 April 18:00 → 12 May 10:00 in opening hours is
    // 4 May (7 h 30) + 5, 6, 7 May (3 × 7 h 30) + 11 May (7 h 30; 8 May holiday, weekends) + 12 May 8:30–10:00
    // = 5 × 450 + 90 = 2,340 minutes (bucket 2,340).
    const times = await get(`response-times?${spring}&teamId=${ec.id}`);
    expect(times.body.resolution.openingHours).toEqual(stats(2, 450, 2340));
  });
});
