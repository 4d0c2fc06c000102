import { randomBytes } from 'node:crypto';
import { INDICATOR_COLUMNS, INDICATORS_TABLE_SCHEMA } from '@guichet/contracts';
import { ReportAggregates } from '../../src/modules/reports/report-aggregates';
import { startTestApp, type TestAgent, type TestApp } from '../harness';

/**
 * A town's public open data (issue 15): 2025, three services, every figure computed by hand.
 * Requests per quarter — État civil 6/6/6/6, Scolarité 2/5/5/5, Urbanisme 7/0/0/0; survey answers —
 * État civil five in Q2 (10, 9, 8, 7, 6), Scolarité one in Q3 (2).
 */
describe('open data: a public address per town, aggregates only, small counts withheld', () => {
  let t: TestApp;
  let org: { id: string; slug: string };
  let admin: TestAgent;
  let supervisor: TestAgent;
  const team: Record<'ec' | 'sco' | 'urba', { id: string; name: string }> = {} as never;

  const paris = (local: string) => new Date(`${local}+01:00`);
  const QUARTER_DAYS = ['2025-02-10', '2025-05-12', '2025-08-11', '2025-11-10'];

  async function requests(teamId: string, quarter: number, n: number, scores: number[] = []): Promise<void> {
    const channel = (await t.newChannel({ organizationId: org.id, teamId, kind: 'email' })).id;
    for (let i = 0; i < n; i++) {
      const at = paris(`${QUARTER_DAYS[quarter - 1]}T09:${String(i).padStart(2, '0')}:00`);
      const score = scores[i];
      const { rows: c } = await t.db.query(
        `INSERT INTO contact (organization_id, name) VALUES ($1, 'Camille Usager') RETURNING id`,
        [org.id],
      );
      const { rows } = await t.db.query(
        `INSERT INTO conversation (organization_id, reference, contact_id, team_id, status, created_at, last_message_at, satisfaction)
         VALUES ($1, $2, $3, $4, 'open', $5, $5, $6) RETURNING id`,
        [org.id, `GU-${randomBytes(4).toString('hex').toUpperCase()}`, c[0].id, teamId, at, score ?? null],
      );
      await t.db.query(
        `INSERT INTO message (organization_id, conversation_id, direction, kind, channel_id, body, status, created_at)
         VALUES ($1, $2, 'inbound', 'message', $3, 'Bonjour', 'received', $4)`,
        [org.id, rows[0].id, channel, at],
      );
      if (score !== undefined)
        await t.db.query(
          `INSERT INTO satisfaction_survey (organization_id, conversation_id, status, send_at, sent_at, expires_at, answered_at, score)
           VALUES ($1, $2, 'answered', $3, $3, $3::timestamptz + interval '30 days', $3, $4)`,
          [org.id, rows[0].id, at, score],
        );
    }
    await t.app.get(ReportAggregates).foldNow();
  }

  beforeAll(async () => {
    // Folded when the files' rows are all written (no periodic fold between a conversation and its messages).
    t = await startTestApp({ logLevel: 'silent', reportsFoldMs: 0 });
    org = await t.newOrganization();
    team.ec = await t.newTeam(org.id, 'État civil');
    team.sco = await t.newTeam(org.id, 'Scolarité');
    team.urba = await t.newTeam(org.id, 'Urbanisme');
    admin = await t.newAgent({ organizationId: org.id, role: 'admin' });
    supervisor = await t.newAgent({ organizationId: org.id, role: 'supervisor', teamIds: [team.ec.id] });
    await requests(team.ec.id, 1, 6);
    await requests(team.ec.id, 2, 6, [10, 9, 8, 7, 6]);
    await requests(team.ec.id, 3, 6);
    await requests(team.ec.id, 4, 6);
    await requests(team.sco.id, 1, 2);
    await requests(team.sco.id, 2, 5);
    await requests(team.sco.id, 3, 5, [2]);
    await requests(team.sco.id, 4, 5);
    await requests(team.urba.id, 1, 7);
  }, 180_000);

  afterAll(async () => {
    await t?.close();
  });

  /** Anyone, no token. */
  const open = (path: string) => t.http('GET', `/api/v1/public/organizations/${org.slug}/open-data${path}`);
  const publish = (openData: string, who = admin) =>
    t.http('PATCH', '/api/v1/organization/settings', { token: who.token, body: { openData } });
  const figures = (body: any, ...fields: string[]) =>
    Object.fromEntries(body.indicateurs.map((l: any) => [l.service, fields.map((f) => l[f])]));

  test('nothing is public until an admin publishes; a supervisor cannot decide it', async () => {
    const res = await open('');
    expect(res.status).toBe(404);
    expect(res.body.message).toMatch(/données ouvertes/);
    expect((await open('/indicateurs?year=2025')).status).toBe(404);
    expect((await publish('quarterly', supervisor)).status).toBe(403);
    expect((await publish('monthly')).status).toBe(400);
    const set = await publish('quarterly');
    expect(set.status).toBe(200);
    expect(set.body.openData).toBe('quarterly');
  });

  test('the catalogue lists closed periods only, each in CSV and JSON, with its schema, licence and secrecy rule', async () => {
    const res = await open('');
    expect(res.status).toBe(200);
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
    expect(res.body).toMatchObject({
      publication: 'quarterly',
      seuil_secret_statistique: 5,
      schema: '/api/v1/public/open-data/indicateurs.schema.json',
      dialecte_csv: { delimiter: ';' },
      licence: { nom: 'Licence Ouverte / Open Licence version 2.0' },
    });
    expect(res.body.regle_secret_statistique).toMatch(/1 à 4/);
    const periods = res.body.ressources.map((r: any) => `${r.annee}${r.trimestre ? `-T${r.trimestre}` : ''}`);
    expect(periods).toEqual(expect.arrayContaining(['2025', '2025-T1', '2025-T2', '2025-T3', '2025-T4']));
    expect(periods).not.toContain('2024');
    const now = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Paris' }).format(new Date());
    const [year, month] = now.split('-').map(Number) as [number, number];
    expect(periods).not.toContain(String(year));
    expect(periods).not.toContain(`${year}-T${Math.ceil(month / 3)}`);
    const y2025 = res.body.ressources.find((r: any) => r.annee === 2025 && r.trimestre === null);
    expect(y2025.csv).toBe(`/api/v1/public/organizations/${org.slug}/open-data/indicateurs?year=2025&format=csv`);
    const current = await t.http('GET', `/api/v1/public/organizations/${org.slug}/open-data/indicateurs?year=${year}`);
    expect(current.status).toBe(404);
    expect(current.body.message).toMatch(/périodes terminées/);
  });

  test('a quarter: Scolarité’s 2 requests are withheld, and État civil with them (15 − 7 would give them away)', async () => {
    const res = await open('/indicateurs?year=2025&quarter=1&format=json');
    expect(res.status).toBe(200);
    expect(figures(res.body, 'demandes_recues')).toEqual({
      'État civil': [null],
      Scolarité: [null],
      Urbanisme: [7],
      'Ensemble des services': [15],
    });
    // Q3: one survey answer, at Scolarité, and nobody else's to hide it with: the whole is withheld too.
    const q3 = await open('/indicateurs?year=2025&quarter=3');
    expect(figures(q3.body, 'avis_recus', 'satisfaction_moyenne')).toEqual({
      'État civil': [0, null],
      Scolarité: [null, null],
      'Ensemble des services': [null, null],
    });
    expect(JSON.stringify(q3.body)).not.toMatch(/Camille|Usager|GU-|@/);
  });

  test('a year published with its quarters withholds what they withheld; the CSV follows the schema', async () => {
    const res = await open('/indicateurs?year=2025');
    expect(figures(res.body, 'demandes_recues')).toEqual({
      'État civil': [null],
      Scolarité: [null],
      Urbanisme: [7],
      'Ensemble des services': [48],
    });
    expect(figures(res.body, 'avis_recus', 'satisfaction_moyenne', 'taux_satisfaction_8_sur_10')).toEqual({
      'État civil': [5, 8, 60],
      Scolarité: [null, null, null],
      Urbanisme: [0, null, null],
      'Ensemble des services': [null, null, null],
    });
    const csv = await open('/indicateurs?year=2025&format=csv');
    expect(csv.headers.get('content-type')).toMatch(/^text\/csv/);
    const lines = (csv.body as string).replace(/^\ufeff/, '').split('\r\n');
    expect(lines[0]).toBe(INDICATOR_COLUMNS.join(';'));
    expect(lines).toContain('2025;;État civil;;0;;;;5;8;60');
    expect(lines).toContain('2025;;Ensemble des services;48;0;;;;;;');
    // The admin's download is the file the public gets.
    const mine = await t.http('GET', '/api/v1/reports/indicators?year=2025', { token: admin.token });
    expect(mine.body).toEqual(res.body);
  });

  test('published yearly: the year stands alone (two answers hidden together), quarters are not public', async () => {
    expect((await publish('yearly')).status).toBe(200);
    const res = await open('/indicateurs?year=2025');
    expect(figures(res.body, 'demandes_recues')).toEqual({
      'État civil': [24],
      Scolarité: [17],
      Urbanisme: [7],
      'Ensemble des services': [48],
    });
    // Scolarité’s one answer is hidden with État civil’s five; the whole (6 answers) is published.
    expect(figures(res.body, 'avis_recus', 'satisfaction_moyenne', 'taux_satisfaction_8_sur_10')).toEqual({
      'État civil': [null, null, null],
      Scolarité: [null, null, null],
      Urbanisme: [0, null, null],
      'Ensemble des services': [6, 7, 50],
    });
    const quarter = await open('/indicateurs?year=2025&quarter=2');
    expect(quarter.status).toBe(404);
    expect(quarter.body.message).toMatch(/par année/);
    expect((await open('')).body.ressources.every((r: any) => r.trimestre === null)).toBe(true);
  });

  test('the schema is public; bad input gets a reason; an unknown town has nothing', async () => {
    const schema = await t.http('GET', '/api/v1/public/open-data/indicateurs.schema.json');
    expect(schema.status).toBe(200);
    expect(schema.body).toEqual(JSON.parse(JSON.stringify(INDICATORS_TABLE_SCHEMA)));
    expect((await open('/indicateurs?year=deux-mille')).status).toBe(400);
    expect((await open('/indicateurs?year=2025&quarter=5')).status).toBe(400);
    expect((await t.http('GET', '/api/v1/public/organizations/nulle-part/open-data')).status).toBe(404);
    const doc = (await t.http('GET', '/api/docs/openapi.json')).body;
    expect(doc.paths['/api/v1/public/organizations/{slug}/open-data/indicateurs']?.get).toBeDefined();
  });

  test('switched off, the address answers 404 again', async () => {
    expect((await publish('off')).status).toBe(200);
    expect((await open('/indicateurs?year=2025')).status).toBe(404);
  });
});
