import { expectEventually, launchBrowserPool, type BrowserPool } from '@guichet/testing';
import { join } from 'node:path';
import type { Locator, Page } from 'playwright-core';
import { ReportAggregates } from '../../api/src/modules/reports/report-aggregates';
import { startTestApp, type TestApp } from '../../api/test/harness';
import { expectAccessible, signInDemo, webPaths } from './demo-session';

/** What names a chart's picture: the texts of the elements its `aria-labelledby` points to (one `<svg>` per chart). */
async function pictureName(chart: Locator): Promise<string> {
  const svg = chart.locator('svg');
  expect(await svg.count()).toBe(1);
  expect(await svg.getAttribute('role')).toBe('img');
  return svg.evaluate((el) =>
    el
      .getAttribute('aria-labelledby')!
      .split(' ')
      .map((id) => document.getElementById(id)!.textContent)
      .join(' '),
  );
}

/** A chart's table, opened from its disclosure: each row's header, then its figures as numbers (a share in %, « — » null). */
async function chartTable(chart: Locator): Promise<Array<[string, ...Array<number | null>]>> {
  if ((await chart.locator('details').getAttribute('open')) === null) await chart.locator('summary').click();
  const rows = await chart
    .locator('tbody tr')
    .evaluateAll((trs) => trs.map((tr) => [...tr.children].map((cell) => cell.textContent ?? '')));
  return rows.map(([name, ...cells]) => [
    name!,
    ...cells.map((c) => (c === '—' ? null : Number(c.replace(/[\s\u00a0\u202f%]/g, '').replace(',', '.')))),
  ]);
}

/** The admin of the demo town on « Rapports », the current year's report shown. */
async function openYearReport(pool: BrowserPool, url: string): Promise<Page> {
  const page = await signInDemo(pool, url, 'admin@demo.guichet.fr');
  await page.setViewportSize({ width: 1440, height: 900 });
  await page.getByTestId('nav-reports').click();
  await page.getByRole('heading', { name: 'Rapports', level: 1 }).waitFor();
  await page.getByLabel('Type de période').selectOption('year');
  await page.getByRole('status').filter({ hasText: 'Rapport du 1 janvier' }).waitFor({ timeout: 15_000 });
  return page;
}

/** Under the axis, each label ends before the next begins. */
async function expectLabelsApart(chart: Locator): Promise<void> {
  const boxes = await chart
    .locator('svg text.report-chart__x-label')
    .evaluateAll((els) => els.map((e) => e.getBoundingClientRect().toJSON() as DOMRect));
  expect(boxes.length).toBeGreaterThan(0);
  for (let i = 1; i < boxes.length; i++) expect(boxes[i]!.left).toBeGreaterThanOrEqual(boxes[i - 1]!.right);
}

/**
 * Issue 15 in Chromium: the supervisor opens « Rapports » from the navigation, reads the demo
 * town's figures for a year, each chart with its table, filters by channel, and the page stays
 * axe-clean.
 */
describe('reports page in Chromium', () => {
  const { dist, shots } = webPaths();
  let t: TestApp;
  let pool: BrowserPool;

  beforeAll(async () => {
    t = await startTestApp({ webDistDir: dist, seedDemo: true });
    pool = await launchBrowserPool();
  });
  afterAll(async () => {
    await pool?.close();
    await t?.close();
  });

  it('shows the period’s figures, charts with their tables, and narrows them by channel', async () => {
    const page = await openYearReport(pool, t.url);
    const total = Number(
      (await page.getByTestId('figure-created').locator('.report-figure__value').innerText()).replace(/\D/g, ''),
    );
    expect(total).toBeGreaterThan(0);
    // The report says how fresh its figures are (the aggregates are folded in every few seconds).
    expect(await page.getByTestId('report-as-of').innerText()).toMatch(/^Chiffres à jour au \d+ \S+ 20\d\d/);
    await page
      .getByTestId('report-as-of')
      .locator('..')
      .screenshot({ path: join(shots, 'reports-summary.png') });
    // Files open at the year's end and the previous year's figures beside each one.
    await page.getByTestId('figure-backlog').waitFor();
    expect(await page.getByTestId('figure-created').innerText()).toMatch(/période précédente : \d/);
    // Response times, the telephone and satisfaction are compared too.
    for (const figure of ['figure-first-response', 'figure-answered', 'figure-satisfaction'])
      expect(await page.getByTestId(figure).innerText()).toMatch(/période précédente : /);
    // Every chart has its data as a table, opened from the keyboard.
    const summary = page.getByText('Données du graphique « Demandes reçues et réouvertes par canal » en tableau');
    await summary.focus();
    await page.keyboard.press('Enter');
    const rows = page.getByTestId('chart-channels').locator('tbody tr');
    expect(await rows.count()).toBeGreaterThan(0);
    // The table holds the bars' figures, two bars per row (new and reopened files), drawn by the chart library (visx) in SVG.
    const bars = page.getByTestId('chart-channels').locator('svg.report-chart__svg rect.visx-bar');
    expect(await bars.count()).toBe(2 * (await rows.count()));
    // The channel names under the axis never overlap; text is not stretched (the drawing scales evenly).
    expect(await page.getByTestId('chart-channels').locator('svg text.report-chart__x-label').count()).toBe(await rows.count());
    await expectLabelsApart(page.getByTestId('chart-channels'));
    // One picture per chart, named by its caption (no nested <svg> per label), scaled evenly.
    expect(await page.getByTestId('chart-channels').locator('svg').getAttribute('preserveAspectRatio')).toBeNull();
    expect(await pictureName(page.getByTestId('chart-channels'))).toBe(
      'Demandes reçues et réouvertes par canal Graphique en barres ; ses données sont dans le tableau qui suit.',
    );
    await expectAccessible(page, 'reports, a year');
    await page.screenshot({ path: join(shots, 'reports-year.png'), fullPage: false });
    const token = (
      await t.http('POST', '/api/v1/auth/login', { body: { email: 'admin@demo.guichet.fr', password: 'guichet-demo' } })
    ).body.token;
    const year = new Date().getFullYear();
    // The backlog over time is a line, the town's and then one service's at a time, as the API counts it.
    const volumes = await t.http('GET', `/api/v1/reports/volumes?from=${year}-01-01&to=${year}-12-31`, { token });
    const teams = volumes.body.backlog.byTeamSeries as Array<{ teamId: string; teamName: string; series: any[] }>;
    expect(teams.length).toBeGreaterThan(1);
    expect(await page.getByTestId('chart-backlog').locator('path.visx-linepath').count()).toBe(1);
    const busiest = [...teams].sort((a, b) => b.series.at(-1).open - a.series.at(-1).open)[0]!;
    const teamPicker = page.getByLabel('Service dont voir les demandes en cours');
    expect(await teamPicker.locator('option').allInnerTexts()).toEqual(teams.map((s) => s.teamName));
    await teamPicker.selectOption(busiest.teamId);
    const teamChart = page.getByTestId('chart-team-backlog');
    await teamChart
      .locator('figcaption')
      .filter({ hasText: `au service « ${busiest.teamName} », par mois` })
      .waitFor();
    expect(await teamChart.locator('circle.report-chart__dot').count()).toBe(12);
    await teamChart.getByText(/^Données du graphique « Demandes en cours en fin de période au service/).focus();
    await page.keyboard.press('Enter');
    const teamRows = await teamChart.locator('tbody tr td').allInnerTexts();
    expect(teamRows.map((v) => Number(v.replace(/[^\d-]/g, '')))).toEqual(busiest.series.map((r) => r.open));
    expect(await teamChart.locator('tbody tr th').first().innerText()).toBe(`janvier ${year}`);
    await expectAccessible(page, 'reports, a service’s backlog');
    await page.getByTestId('team-backlog').evaluate((el) => el.scrollIntoView({ block: 'center' }));
    await page.screenshot({ path: join(shots, 'reports-volumes.png') });
    // Files overdue now, with the API's count (whatever the period).
    const times = await t.http('GET', `/api/v1/reports/response-times?from=${year}-01-01&to=${year}-12-31`, { token });
    expect(
      Number((await page.getByTestId('figure-overdue').locator('.report-figure__value').innerText()).replace(/\D/g, '')),
    ).toBe(times.body.overdue.total);
    // Services Publics+ engagement 5 per channel of arrival, as the API counts it: the demo's letter among them.
    expect(times.body.byChannel.map((r: { channelKind: string }) => r.channelKind)).toContain('letter');
    const channels = page.getByTestId('table-times-channels');
    expect(await channels.locator('tbody tr').count()).toBe(times.body.byChannel.length);
    expect(await channels.locator('tbody th').allInnerTexts()).toContain('Courrier');
    await channels.screenshot({ path: join(shots, 'reports-channels.png') });
    await page.getByLabel('Canal', { exact: true }).selectOption('sms');
    await page.getByRole('status').filter({ hasText: 'Rapport du' }).waitFor();
    await expectAccessible(page, 'reports, SMS');
    const sms = await t.http('GET', `/api/v1/reports/volumes?from=${year}-01-01&to=${year}-12-31&channel=sms`, { token });
    await page.waitForFunction(
      (n) =>
        document.querySelector('[data-testid="figure-created"] .report-figure__value')?.textContent?.replace(/\D/g, '') ===
        String(n),
      sms.body.totals.created,
    );
    await page.screenshot({ path: join(shots, 'reports-sms.png'), fullPage: true });
  });

  it('filters by démarche and by label, shows times in opening hours and the agents’ workload in alphabetical order', async () => {
    const year = new Date().getFullYear();
    const period = `from=${year}-01-01&to=${year}-12-31`;
    const token = (
      await t.http('POST', '/api/v1/auth/login', { body: { email: 'admin@demo.guichet.fr', password: 'guichet-demo' } })
    ).body.token;
    // A label on the three newest demo files, counted as the periodic fold counts it.
    const { rows: org } = await t.db.query(`SELECT organization_id AS id FROM agent WHERE email = 'admin@demo.guichet.fr'`);
    const { rows: label } = await t.db.query(
      `INSERT INTO label (organization_id, name, color) VALUES ($1, 'Relance', '#884400') RETURNING id`,
      [org[0].id],
    );
    const { rows: files } = await t.db.query(
      `SELECT id FROM conversation WHERE organization_id = $1 ORDER BY created_at DESC LIMIT 3`,
      [org[0].id],
    );
    for (const f of files)
      await t.db.query(`INSERT INTO conversation_label (conversation_id, label_id) VALUES ($1, $2)`, [f.id, label[0].id]);
    await t.app.get(ReportAggregates).foldNow();
    const figure = async (testId: string) =>
      Number((await page.getByTestId(testId).locator('.report-figure__value').innerText()).replace(/\D/g, ''));
    const shows = (n: number) =>
      page.waitForFunction(
        (want) =>
          document.querySelector('[data-testid="figure-created"] .report-figure__value')?.textContent?.replace(/\D/g, '') ===
          String(want),
        n,
      );

    const page = await openYearReport(pool, t.url);
    const all = await figure('figure-created');

    // The label: the figures are the API's for that label, and fewer than the whole town's.
    await page.getByLabel('Étiquette').selectOption({ label: 'Relance' });
    const labelled = await t.http('GET', `/api/v1/reports/volumes?${period}&labelId=${label[0].id}`, { token });
    expect(labelled.body.totals.created).toBeGreaterThan(0);
    expect(labelled.body.totals.created).toBeLessThanOrEqual(3);
    await shows(labelled.body.totals.created);
    expect(labelled.body.totals.created).toBeLessThan(all);
    await page.getByText('Les appels ne portent pas d’étiquette').waitFor();
    await expectAccessible(page, 'reports, a label');
    await page.getByLabel('Étiquette').selectOption('');
    await shows(all);

    // A démarche of the town (grouped by service), as the API counts it.
    const type = page.getByLabel('Démarche', { exact: true });
    const option = type.locator('optgroup option').first();
    const typeId = (await option.getAttribute('value'))!;
    await type.selectOption(typeId);
    const typed = await t.http('GET', `/api/v1/reports/volumes?${period}&requestTypeId=${typeId}`, { token });
    await shows(typed.body.totals.created);
    await type.selectOption('');
    await shows(all);
    // Per démarche on screen, as the API counts them: most requested first, files without one included.
    const whole = await t.http('GET', `/api/v1/reports/volumes?${period}`, { token });
    expect(whole.body.byRequestType.length).toBeGreaterThan(1);
    const typeRows = page.getByTestId('table-request-types').locator('tbody tr');
    expect(await typeRows.locator('th').allInnerTexts()).toEqual(whole.body.byRequestType.map((r: any) => r.requestTypeName));
    expect((await typeRows.locator('td:nth-of-type(1)').allInnerTexts()).map((n) => Number(n.replace(/\D/g, '')))).toEqual(
      whole.body.byRequestType.map((r: any) => r.created),
    );
    await page.getByTestId('table-request-types').screenshot({ path: join(shots, 'reports-request-types.png') });

    // Times in opening hours beside the calendar ones.
    const times = page.getByTestId('table-times');
    expect(await times.locator('thead th').allInnerTexts()).toContain('Médiane en heures d’ouverture');
    expect(await page.getByTestId('figure-first-response').innerText()).toMatch(/en heures d’ouverture : /);

    // Workload per agent: the API's agents, in alphabetical order, with their figures; no rank.
    const agents = await t.http('GET', `/api/v1/reports/agents?${period}`, { token });
    const rows = page.getByTestId('table-agents').locator('tbody tr');
    await rows.first().waitFor();
    const names = await rows.locator('th').allInnerTexts();
    expect(names).toEqual(agents.body.agents.map((a: any) => a.agentName));
    expect(names).toEqual([...names].sort((a, b) => a.localeCompare(b, 'fr')));
    const handled = await rows.locator('td:nth-of-type(1)').allInnerTexts();
    expect(handled.map((h) => Number(h.replace(/\D/g, '')))).toEqual(agents.body.agents.map((a: any) => a.handled));
    expect(agents.body.agents.some((a: any) => a.handled > 0)).toBe(true);
    // One agent's load over time: a chart with its table, for the agent picked from the keyboard.
    const busy = agents.body.agents.find((a: any) => a.handled > 0);
    const picker = page.getByLabel('Agent dont voir la charge');
    await picker.selectOption(busy.agentId);
    // As wide as the agents' names, not stretched over the whole section.
    const [pickerBox, sectionBox] = [await picker.boundingBox(), await page.getByTestId('section-agents').boundingBox()];
    expect(pickerBox!.width).toBeLessThan(sectionBox!.width / 2);
    await page.getByText(`Données du graphique « Charge de ${busy.agentName} par mois (demandes traitées) » en tableau`).click();
    const load = await page.getByTestId('chart-agent-load').locator('tbody tr td').allInnerTexts();
    expect(load.reduce((s, v) => s + Number(v.replace(/\D/g, '')), 0)).toBe(busy.handled);
    await expectAccessible(page, 'reports, agents');
    await page.getByTestId('section-agents').screenshot({ path: join(shots, 'reports-agents.png') });
  });

  it('shows a citizen’s comment without who wrote it, and opens its file only on demand, the view logged', async () => {
    const { rows: org } = await t.db.query(
      `SELECT organization_id AS id, id AS agent_id FROM agent WHERE email = 'admin@demo.guichet.fr'`,
    );
    const { rows: files } = await t.db.query(
      `SELECT c.id, c.reference, k.name FROM conversation c JOIN contact k ON k.id = c.contact_id
        WHERE c.organization_id = $1 AND c.status = 'resolved' AND k.name IS NOT NULL ORDER BY c.created_at DESC LIMIT 1`,
      [org[0].id],
    );
    const file = files[0] as { id: string; reference: string; name: string };
    await t.db.query(
      `INSERT INTO satisfaction_survey (organization_id, conversation_id, status, send_at, sent_at, expires_at, answered_at, score, comment)
       VALUES ($1, $2, 'answered', now(), now(), now() + interval '30 days', now(), 9, 'Accueil très aimable, merci.')
       ON CONFLICT (conversation_id) DO UPDATE SET status = 'answered', answered_at = now(), score = 9, comment = EXCLUDED.comment`,
      [org[0].id, file.id],
    );
    await t.db.query(`UPDATE conversation SET satisfaction = 9 WHERE id = $1`, [file.id]);
    await t.app.get(ReportAggregates).foldNow();
    const viewed = async () =>
      (
        await t.db.query(
          `SELECT 1 FROM audit_event WHERE action = 'conversation.viewed' AND conversation_id = $1 AND agent_id = $2`,
          [file.id, org[0].agent_id],
        )
      ).rowCount ?? 0;
    const before = await viewed();

    const page = await signInDemo(pool, t.url, 'admin@demo.guichet.fr');
    await page.setViewportSize({ width: 1440, height: 900 });
    await page.getByTestId('nav-reports').click();
    await page.getByRole('heading', { name: 'Rapports', level: 1 }).waitFor();
    const comment = page.getByTestId('report-comments').locator('li').filter({ hasText: 'Accueil très aimable, merci.' });
    await comment.waitFor({ timeout: 15_000 });
    // The score, the service and the day; neither the citizen's name nor the file's reference.
    const text = await comment.innerText();
    expect(text).toMatch(/^9\/10 · /);
    expect(text).not.toContain(file.name);
    expect(text).not.toContain(file.reference);
    expect(await viewed()).toBe(before);
    await expectAccessible(page, 'reports, a comment');
    await comment.screenshot({ path: join(shots, 'reports-comment.png') });
    // Opening the file is the supervisor's choice, and is logged like any opening.
    await comment.getByRole('link', { name: /^Ouvrir la demande \(consultation inscrite au journal\) : avis 9\/10 du / }).click();
    await page.getByText(file.reference).first().waitFor();
    await expectEventually(async () => expect(await viewed()).toBe(before + 1));
  });

  it('an admin publishes the open data; anyone reads it at the public address, without signing in', async () => {
    const page = await signInDemo(pool, t.url, 'admin@demo.guichet.fr');
    await page.goto(`${t.url}/#/admin/organisation`);
    await page.getByRole('heading', { name: 'Organisation', level: 2 }).waitFor();
    await page.getByLabel('Publier les indicateurs à une adresse publique').selectOption('yearly');
    await page.getByRole('button', { name: 'Enregistrer' }).click();
    await page.getByText('Modifications enregistrées.').waitFor();
    const link = page.getByRole('link', { name: /\/open-data$/ });
    await link.waitFor();
    await expectAccessible(page, 'administration, open data published');
    await page
      .getByRole('group', { name: 'Données ouvertes (Services Publics+)' })
      .screenshot({ path: join(shots, 'admin-open-data.png') });
    const address = await link.getAttribute('href');
    const catalogue = await fetch(`${t.url}${address}`);
    expect(catalogue.status).toBe(200);
    expect(await catalogue.json()).toMatchObject({ publication: 'yearly', seuil_secret_statistique: 5 });
  });

  it('draws the telephone and satisfaction over time, for the services together or one picked, and the reopened files beside the new ones', async () => {
    const year = new Date().getFullYear();
    const period = `from=${year}-01-01&to=${year}-12-31`;
    const { rows: org } = await t.db.query(`SELECT organization_id AS id FROM agent WHERE email = 'admin@demo.guichet.fr'`);
    // Ratings of resolved files, three per service, given on days of this year (up to today); a resolved file reopened.
    const { rows: rated } = await t.db.query(
      `SELECT id FROM (SELECT c.id, row_number() OVER (PARTITION BY c.team_id ORDER BY c.created_at) AS n FROM conversation c
                        WHERE c.organization_id = $1 AND c.status = 'resolved') f WHERE n <= 3`,
      [org[0].id],
    );
    const scores = [9, 6, 10, 8, 3, 7, 10];
    for (const [k, file] of rated.entries()) {
      const score = scores[k % scores.length]!;
      await t.db.query(
        `INSERT INTO satisfaction_survey (organization_id, conversation_id, status, send_at, sent_at, expires_at, answered_at, score)
         SELECT $1, $2, 'answered', at, at, at + interval '30 days', at, $4
           FROM (SELECT least(now(), date_trunc('year', now()) + $3 * interval '1 month' + interval '9 days') AS at) day
         ON CONFLICT (conversation_id) DO UPDATE SET status = 'answered', answered_at = EXCLUDED.answered_at, score = EXCLUDED.score`,
        [org[0].id, file.id, k % 12, score],
      );
      await t.db.query(`UPDATE conversation SET satisfaction = $2 WHERE id = $1`, [file.id, score]);
    }
    await t.db.query(
      `UPDATE conversation SET status = 'open', resolved_at = NULL
        WHERE id = (SELECT id FROM conversation WHERE organization_id = $1 AND status = 'resolved' AND id <> ALL($2::uuid[])
                     ORDER BY created_at DESC LIMIT 1)`,
      [org[0].id, rated.map((r) => r.id)],
    );
    await t.app.get(ReportAggregates).foldNow();
    const token = (
      await t.http('POST', '/api/v1/auth/login', { body: { email: 'admin@demo.guichet.fr', password: 'guichet-demo' } })
    ).body.token;
    const [volumes, phone, sat] = await Promise.all(
      ['volumes', 'telephone', 'satisfaction'].map((kind) => t.http('GET', `/api/v1/reports/${kind}?${period}`, { token })),
    );

    const page = await openYearReport(pool, t.url);
    const month = (period: string) =>
      new Intl.DateTimeFormat('fr-FR', { month: 'long', year: 'numeric', timeZone: 'UTC' }).format(
        new Date(`${period}T00:00:00Z`),
      );
    const percent = (share: number | null) => (share === null ? null : Math.round(share * 1000) / 10);
    // A section's picture, its tables folded, in a viewport tall enough to hold it (Chromium leaves what lies below blank).
    const shoot = async (section: Locator, name: string) => {
      await section.evaluate((el) => el.querySelectorAll('details').forEach((d) => (d.open = false)));
      await page.setViewportSize({ width: 1440, height: 2000 });
      await section.screenshot({ path: join(shots, name) });
      await page.setViewportSize({ width: 1440, height: 900 });
    };

    // Reopened files per month beside the new ones, the table with the resolved ones: the API's series.
    expect(volumes.body.series.reduce((n: number, r: any) => n + r.reopened, 0)).toBeGreaterThan(0);
    const volumeChart = page.getByTestId('chart-volumes');
    expect(await chartTable(volumeChart)).toEqual(
      volumes.body.series.map((r: any) => [month(r.period), r.created, r.reopened, r.resolved]),
    );
    expect(await volumeChart.locator('.report-chart__legend li').allInnerTexts()).toEqual(['Demandes reçues', 'Réouvertes']);
    expect(await pictureName(volumeChart)).toBe(
      'Demandes reçues et réouvertes par mois Graphique en barres ; ses données sont dans le tableau qui suit.',
    );
    await expectLabelsApart(volumeChart);
    await shoot(volumeChart, 'reports-volumes-reopened.png');

    // The telephone, the services together first: calls received and answered by an agent, the share against 85 %.
    const calls = page.getByTestId('chart-calls');
    const share = page.getByTestId('chart-answered-share');
    const phoneTables = async (series: any[]) => {
      expect(await chartTable(calls)).toEqual(series.map((r) => [month(r.period), r.received, r.answered]));
      expect(await chartTable(share)).toEqual(series.map((r) => [month(r.period), percent(r.answeredShare)]));
    };
    expect(phone.body.totals.received).toBeGreaterThan(0);
    await phoneTables(phone.body.series);
    expect(await pictureName(calls)).toBe(
      'Appels reçus et décrochés par un agent par mois, ensemble des services suivis Graphique en barres ; ses données sont dans le tableau qui suit.',
    );
    expect(await pictureName(share)).toBe(
      'Part des appels décrochés par un agent par mois, ensemble des services suivis Graphique en courbe ; ses données sont dans le tableau qui suit.',
    );
    // (French typography: a narrow no-break space before « % ».)
    expect((await share.locator('.report-chart__legend li').allInnerTexts()).map((l) => l.replace(/\s/g, ' '))).toEqual([
      'Part décrochée par un agent',
      'Objectif Services Publics+ : 85 %',
    ]);
    expect(await share.locator('line.report-chart__target').count()).toBe(1);
    await expectLabelsApart(calls);
    // One service picked from the keyboard: its own series, as the API counts them.
    const phoneTeams = phone.body.byTeamSeries as Array<{ teamId: string; teamName: string; series: any[] }>;
    expect(phoneTeams.length).toBeGreaterThan(1);
    const phonePicker = page.getByLabel('Service dont voir les appels dans le temps');
    expect(await phonePicker.locator('option').allInnerTexts()).toEqual([
      'Tous les services',
      ...phoneTeams.map((s) => s.teamName),
    ]);
    const received = (series: any[]) => series.reduce((n, r) => n + r.received, 0);
    const caller = [...phoneTeams].sort((a, b) => received(b.series) - received(a.series))[0]!;
    await phonePicker.focus();
    await phonePicker.selectOption(caller.teamId);
    await calls
      .locator('figcaption')
      .filter({ hasText: `service « ${caller.teamName} »` })
      .waitFor();
    await phoneTables(caller.series);
    await expectAccessible(page, 'reports, a service’s telephone over time');
    await shoot(page.getByTestId('phone-over-time'), 'reports-telephone-over-time.png');

    // Satisfaction: answers, the share of 8 to 10 and the average per month, together then per service.
    const answers = page.getByTestId('chart-answers');
    const high = page.getByTestId('chart-share-8');
    const average = page.getByTestId('chart-average');
    const satisfactionTables = async (series: any[]) => {
      expect(await chartTable(answers)).toEqual(series.map((r) => [month(r.period), r.answers]));
      expect(await chartTable(high)).toEqual(series.map((r) => [month(r.period), percent(r.shareAtLeast8)]));
      expect(await chartTable(average)).toEqual(series.map((r) => [month(r.period), r.average]));
    };
    // (The comment test before this one rated a file too.)
    expect(sat.body.totals.answers).toBeGreaterThanOrEqual(rated.length);
    await satisfactionTables(sat.body.series);
    for (const chart of [answers, high, average])
      expect(await pictureName(chart)).toMatch(/, ensemble des services suivis Graphique en/);
    const satTeams = sat.body.byTeamSeries as Array<{ teamId: string; teamName: string; series: any[] }>;
    expect(satTeams.length).toBeGreaterThan(1);
    const satPicker = page.getByLabel('Service dont voir les avis dans le temps');
    expect(await satPicker.locator('option').allInnerTexts()).toEqual(['Tous les services', ...satTeams.map((s) => s.teamName)]);
    await satPicker.selectOption(satTeams[1]!.teamId);
    await answers
      .locator('figcaption')
      .filter({ hasText: `service « ${satTeams[1]!.teamName} »` })
      .waitFor();
    await satisfactionTables(satTeams[1]!.series);
    await expectAccessible(page, 'reports, a service’s satisfaction over time');
    await shoot(page.getByTestId('satisfaction-over-time'), 'reports-satisfaction-over-time.png');
  });
});
