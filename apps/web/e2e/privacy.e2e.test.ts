import { launchBrowserPool, type BrowserPool } from '@guichet/testing';
import { strFromU8, unzipSync } from 'fflate';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { startTestApp, type TestApp } from '../../api/test/harness';
import { seriousAxeViolations } from './axe';
import { expectAccessible as expectAccessibleDemo, signInDemo } from './demo-session';

/**
 * RGPD in real Chromium (issue 16): a supervisor exports a citizen's file from the citizen panel
 * (a ZIP download), reads the access log, erases the citizen; the town's accessibility statement
 * is linked from the agent app and passes axe.
 */
describe('personal data in Chromium', () => {
  const dist = join(__dirname, '..', 'dist');
  const shots = join(__dirname, '..', '..', '..', '.test-data', 'screenshots');
  let t: TestApp;
  let pool: BrowserPool;
  let page: Page;
  let conversationId = '';
  const SUBJECT = `Inscription périscolaire ${Date.now()}`;

  async function expectAccessible(screen: string): Promise<void> {
    const violations = await seriousAxeViolations(page);
    expect({ screen, violations }).toEqual({ screen, violations: [] });
  }

  beforeAll(async () => {
    if (!existsSync(join(dist, 'index.html')))
      throw new Error('apps/web/dist is missing: `pnpm --filter @guichet/web build` first');
    mkdirSync(shots, { recursive: true });
    t = await startTestApp({ webDistDir: dist, seedDemo: true });
    pool = await launchBrowserPool();
    page = await pool.newPage();
    const org = await t.http('GET', '/api/v1/public/organizations/demo');
    const team = (org.body.teams as { id: string; name: string }[]).find((x) => x.name === 'Scolarité')!;
    const created = await t.http('POST', '/api/v1/public/organizations/demo/requests', {
      body: {
        teamId: team.id,
        name: 'Bérénice Lacroix',
        email: 'berenice.lacroix@example.fr',
        subject: SUBJECT,
        body: 'Bonjour',
      },
      headers: { 'x-forwarded-for': '10.9.0.1' },
    });
    expect(created.status).toBe(201);
    const { rows } = await t.db.query(`SELECT id FROM conversation WHERE subject = $1`, [SUBJECT]);
    conversationId = rows[0].id;
  });
  afterAll(async () => {
    await pool?.close();
    await t?.close();
  });

  it('a supervisor exports the citizen’s file from the citizen panel as a ZIP', async () => {
    await page.goto(t.url);
    await page.getByLabel('Adresse e-mail').fill('superviseur@demo.guichet.fr');
    await page.getByLabel('Mot de passe').fill('guichet-demo');
    await page.getByRole('button', { name: 'Se connecter' }).click();
    await page.getByRole('navigation', { name: 'Vues de la boîte de réception' }).waitFor({ timeout: 15_000 });
    await page.goto(`${t.url}/#/conversations/${conversationId}?view=all&status=open`);
    const panel = page.locator('#citizen-panel');
    await panel.getByRole('heading', { name: 'Données personnelles' }).waitFor({ timeout: 15_000 });
    const downloading = page.waitForEvent('download');
    await panel.getByRole('button', { name: 'Exporter ses données (ZIP)' }).click();
    const download = await downloading;
    expect(download.suggestedFilename()).toMatch(/^donnees-[0-9a-f]{8}\.zip$/);
    const files = unzipSync(new Uint8Array(readFileSync(await download.path())));
    const json = JSON.parse(strFromU8(files['donnees.json']!));
    expect(json.citoyen.nom).toBe('Bérénice Lacroix');
    expect(json.demandes.map((d: { objet: string }) => d.objet)).toContain(SUBJECT);
    expect(strFromU8(files['index.html']!)).toContain(SUBJECT);
    await panel.getByText('Export téléchargé.').waitFor();
    await expectAccessible('citizen panel with its personal-data actions');
    await page.screenshot({ path: join(shots, 'privacy-citizen-panel.png') });
  });

  it('the citizen panel and the conversation link to the access log filtered on them', async () => {
    const { rows } = await t.db.query(`SELECT contact_id, reference FROM conversation WHERE id = $1`, [conversationId]);
    const [{ contact_id: contactId, reference }] = rows;
    const panel = page.locator('#citizen-panel');
    await panel.getByRole('link', { name: 'Journal des accès à ce dossier' }).click();
    await page.getByRole('heading', { name: 'Journal des accès' }).waitFor();
    expect(page.url()).toContain(`#/admin/journal?contactId=${contactId}`);
    expect(await page.getByLabel('Usager (identifiant)').inputValue()).toBe(contactId);
    const table = page.getByRole('table', { name: 'Journal des accès' });
    await table.getByRole('cell', { name: 'A exporté les données de l’usager' }).first().waitFor();
    // Every row is about this citizen, and says from where (the session at least).
    const contacts = await table.locator('tbody tr td:nth-child(5)').allInnerTexts();
    expect(contacts.length).toBeGreaterThan(0);
    expect(contacts.every((c) => c.includes(contactId.slice(0, 8)))).toBe(true);
    const origins = await table.locator('tbody tr td:nth-child(6)').allInnerTexts();
    expect(origins.some((o) => /session [0-9a-f]{8}/.test(o))).toBe(true);
    await expectAccessible('access log filtered on a citizen');
    await page.screenshot({ path: join(shots, 'privacy-access-log-citizen.png'), fullPage: true });

    await page.goto(`${t.url}/#/conversations/${conversationId}?view=all&status=open`);
    await panel.getByRole('link', { name: 'Journal des accès à cette demande' }).click();
    await page.getByText(`Filtré sur la demande ${reference}.`).waitFor({ timeout: 15_000 });
    const references = await table.locator('tbody tr td:nth-child(4)').allInnerTexts();
    expect(references.length).toBeGreaterThan(0);
    expect(references.every((r) => r === reference)).toBe(true);
    await expectAccessible('access log filtered on a request');
    await page.screenshot({ path: join(shots, 'privacy-access-log-request.png'), fullPage: true });
    await page.getByRole('button', { name: 'Retirer ce filtre' }).click();
    await page.getByText(`Filtré sur la demande ${reference}.`).waitFor({ state: 'detached' });
    expect(page.url()).toMatch(/#\/admin\/journal$/);
  });

  it('the access log shows the export, filtered by agent, with the keyboard', async () => {
    await page.goto(`${t.url}/#/admin/journal`);
    await page.getByRole('heading', { name: 'Journal des accès' }).waitFor();
    await page.getByLabel('Agent').selectOption({ label: 'Superviseur Démo' });
    await page.getByLabel('Depuis le').focus();
    await page.keyboard.press('Enter');
    const table = page.getByRole('table', { name: 'Journal des accès' });
    await table.getByRole('cell', { name: 'A exporté les données de l’usager' }).first().waitFor();
    await expectAccessible('access log');
    await page.screenshot({ path: join(shots, 'privacy-access-log.png'), fullPage: true });
  });

  it('the access log filtered by service is exported as CSV for the data protection officer', async () => {
    await page.getByLabel('Service', { exact: true }).selectOption({ label: 'Scolarité' });
    await page.getByRole('button', { name: 'Filtrer', exact: true }).click();
    const table = page.getByRole('table', { name: 'Journal des accès' });
    await table.getByRole('cell', { name: 'A exporté les données de l’usager' }).first().waitFor();
    const downloading = page.waitForEvent('download');
    await page.getByRole('button', { name: 'Exporter le journal filtré (CSV)' }).click();
    const download = await downloading;
    expect(download.suggestedFilename()).toMatch(/^journal-acces-\d{4}-\d{2}-\d{2}\.csv$/);
    const csv = readFileSync(await download.path(), 'utf8');
    expect(csv.startsWith('\uFEFFNuméro;')).toBe(true);
    const lines = csv.split('\r\n').filter(Boolean).slice(1);
    expect(lines.some((l) => l.includes(';Superviseur Démo;') && l.includes(';contact.exported;'))).toBe(true);
    // Every line is the supervisor's, about Scolarité's citizen (the filters the screen applied).
    expect(lines.every((l) => l.includes(';Superviseur Démo;'))).toBe(true);
    await page.getByRole('status').filter({ hasText: 'Journal exporté.' }).waitFor();
    await expectAccessible('access log filtered by service, exported');
    await page.screenshot({ path: join(shots, 'privacy-access-log-export.png'), fullPage: true });
  });

  it('the access log names the admin changes in French, not by their codes', async () => {
    const login = await t.http<{ token: string }>('POST', '/api/v1/auth/login', {
      body: { email: 'admin@demo.guichet.fr', password: 'guichet-demo' },
    });
    expect(login.status).toBe(200);
    const created = await t.http('POST', '/api/v1/labels', {
      token: login.body.token,
      body: { name: `Urgent ${Date.now()}` },
    });
    expect(created.status).toBe(201);
    const admin = await signInDemo(pool, t.url, 'admin@demo.guichet.fr');
    try {
      await admin.goto(`${t.url}/#/admin/journal`);
      const table = admin.getByRole('table', { name: 'Journal des accès' });
      await table.getByRole('cell', { name: 'A créé une étiquette' }).first().waitFor({ timeout: 15_000 });
      const actions = await table.locator('tbody tr td:nth-child(3)').allInnerTexts();
      // No row shows an action's code (`label.created`…).
      expect(actions.filter((a) => /^[a-z_]+\.[a-z_]+/.test(a))).toEqual([]);
      await expectAccessibleDemo(admin, 'access log as admin');
    } finally {
      await admin.close();
    }
  });

  it('the agent app links the accessibility statement, which passes axe', async () => {
    await page.goto(`${t.url}/#/conversations`);
    // In the account menu, with the sessions and sign-out.
    await page.getByRole('button', { name: /^Compte/ }).click();
    const link = page.getByRole('link', { name: 'Accessibilité' });
    expect(await link.getAttribute('href')).toBe('/accessibilite/demo');
    await link.click();
    await page.getByRole('heading', { name: 'Déclaration d’accessibilité' }).waitFor();
    await page.getByText('non conforme', { exact: true }).waitFor();
    await expectAccessible('accessibility statement');
    await page.screenshot({ path: join(shots, 'privacy-accessibility-statement.png'), fullPage: true });
    await page.getByRole('link', { name: 'Données personnelles' }).click();
    await page.getByRole('heading', { name: 'Données personnelles', level: 1 }).waitFor();
    await expectAccessible('personal-data page');
    await page.screenshot({ path: join(shots, 'privacy-personal-data.png'), fullPage: true });
  });

  it('an admin sets the accessibility statement from Administration › Accessibilité, with the keyboard; the public page shows it', async () => {
    const admin = await signInDemo(pool, t.url, 'admin@demo.guichet.fr');
    try {
      await admin.goto(`${t.url}/#/admin/accessibilite`);
      await admin.getByRole('heading', { name: 'Déclaration d’accessibilité', level: 2 }).waitFor({ timeout: 15_000 });
      await admin.getByText('Aucune déclaration enregistrée').waitFor();
      // « Oui, un audit a été réalisé », chosen with the arrow keys from « Non ».
      await admin.getByRole('radio', { name: 'Non' }).focus();
      await admin.keyboard.press('ArrowUp');
      await expect(admin.getByRole('radio', { name: 'Oui' }).isChecked()).resolves.toBe(true);
      await admin.getByLabel('Date de l’audit').fill('2026-03-01');
      await admin.getByLabel('Réalisé par (organisme ou équipe)').fill('Access & Cie');
      await admin.getByLabel('Taux de conformité (%)').fill('77.5');
      // The level follows the rate; a contradicting one is refused in words.
      const level = admin.getByLabel('État de conformité', { exact: true });
      await expect(level.inputValue()).resolves.toBe('partial');
      await admin.getByLabel('Environnement de test (technologies d’assistance, navigateurs)').fill('NVDA 2024.1 et Firefox');
      await admin.getByLabel('Non-conformités').fill('L’ordre de tabulation du suivi\nLes messages d’erreur');
      await admin.getByLabel('Contenu', { exact: true }).fill('Les plans cadastraux');
      await admin.getByLabel('Motif de la dérogation').fill('Leur description coûterait plus que le service');
      await admin.getByRole('button', { name: 'Ajouter la dérogation' }).focus();
      await admin.keyboard.press('Enter');
      await admin.getByRole('listitem').filter({ hasText: 'Les plans cadastraux — Leur description' }).waitFor();
      await admin.getByLabel('Adresse du schéma pluriannuel de mise en accessibilité').fill('https://demo.example/schema.pdf');
      await level.selectOption('total');
      await admin.getByRole('button', { name: 'Enregistrer', exact: true }).click();
      await admin.getByText('Un taux de 77,5 % correspond à « partiellement conforme »').waitFor();
      await level.focus();
      await admin.keyboard.press('ArrowDown');
      await expect(level.inputValue()).resolves.toBe('partial');
      await admin.getByRole('button', { name: 'Enregistrer', exact: true }).press('Enter');
      await admin.getByRole('status').getByText('Modifications enregistrées.').waitFor();
      await expectAccessibleDemo(admin, 'accessibility statement form');
      // Tall enough for the whole form (the administration's content scrolls inside the app).
      await admin.setViewportSize({ width: 1280, height: 2600 });
      await admin.screenshot({ path: join(shots, 'privacy-accessibility-form.png'), fullPage: true });

      await admin.goto(`${t.url}/accessibilite/demo`);
      await admin.getByText('partiellement conforme', { exact: true }).waitFor();
      await admin.getByText('77,5 %', { exact: true }).waitFor();
      await admin.getByText(/L’audit de conformité réalisé par Access & Cie le 1er mars 2026/).waitFor();
      await admin.getByRole('heading', { name: 'Dérogations pour charge disproportionnée', level: 3 }).waitFor();
      await admin.getByRole('link', { name: 'Schéma pluriannuel de mise en accessibilité' }).waitFor();
      await admin.getByRole('link', { name: 'Accessibilité : partiellement conforme' }).waitFor();
      await expectAccessibleDemo(admin, 'accessibility statement after an audit');
      await admin.screenshot({ path: join(shots, 'privacy-accessibility-statement-audited.png'), fullPage: true });

      // Three years after its publication the statement lapses: the admin is told, the page says why.
      await t.db.query(
        `UPDATE organization
            SET accessibility_statement = jsonb_set(accessibility_statement, '{audit,date}', to_jsonb(d.day))
                  || jsonb_build_object('establishedOn', d.day, 'updatedOn', NULL)
           FROM (SELECT to_char(current_date - interval '3 years 1 month', 'YYYY-MM-DD') AS day) d
          WHERE slug = 'demo'`,
      );
      await admin.goto(`${t.url}/#/admin/accessibilite`);
      await admin.getByText(/La déclaration n’est plus valide depuis le .*, trois ans après sa publication/).waitFor();
      await expectAccessibleDemo(admin, 'accessibility statement form, lapsed');
      await admin.screenshot({ path: join(shots, 'privacy-accessibility-form-lapsed.png') });
      await admin.goto(`${t.url}/accessibilite/demo`);
      await admin.getByText(/cette déclaration devait être mise à jour au plus tard le/).waitFor();
      await admin.getByRole('link', { name: 'Accessibilité : non conforme' }).waitFor();
      await expectAccessibleDemo(admin, 'accessibility statement, lapsed');
    } finally {
      await admin.close();
    }
  });

  it('an admin sets a retention rule from Administration › Conservation, shown on the personal-data page', async () => {
    const admin = await pool.newPage();
    await admin.goto(t.url);
    await admin.getByLabel('Adresse e-mail').fill('admin@demo.guichet.fr');
    await admin.getByLabel('Mot de passe').fill('guichet-demo');
    await admin.getByRole('button', { name: 'Se connecter' }).click();
    await admin.getByRole('navigation', { name: 'Vues de la boîte de réception' }).waitFor({ timeout: 15_000 });
    await admin.goto(`${t.url}/#/admin/conservation`);
    await admin.getByRole('heading', { name: 'Conservation des données' }).waitFor();
    await admin.locator('#retention-team').selectOption({ label: 'Scolarité' });
    await admin.getByLabel('Durée (jours)').fill('365');
    await admin.getByLabel('Base légale').fill('Mission de service public');
    await admin.getByLabel('Finalité').fill('Inscriptions scolaires');
    await admin.getByLabel('Finalité').press('Enter');
    await admin.getByRole('row', { name: /Scolarité.*365 jours.*Inscriptions scolaires/ }).waitFor();
    // Applied now: the button says what it does (irreversible, in its description); the result is
    // told in words that agree with each count, never « demande(s) ».
    const runNow = admin.getByRole('button', { name: 'Appliquer les règles maintenant' });
    await expect(runNow.getAttribute('aria-describedby')).resolves.toBe('retention-run-hint');
    await runNow.click();
    const ran = admin.getByRole('status').getByText(/^Règles appliquées : /);
    await ran.waitFor();
    expect(await ran.textContent()).not.toContain('(s)');
    const violations = await seriousAxeViolations(admin);
    expect({ screen: 'retention rules', violations }).toEqual({ screen: 'retention rules', violations: [] });
    await admin.screenshot({ path: join(shots, 'privacy-retention-rules.png'), fullPage: true });
    // The register of processing activities, generated from the rule just set.
    const downloading = admin.waitForEvent('download');
    await admin.getByRole('button', { name: 'Télécharger le registre (CSV)' }).click();
    const register = await downloading;
    expect(register.suggestedFilename()).toMatch(/^registre-traitements-\d{4}-\d{2}-\d{2}\.csv$/);
    const csv = readFileSync(await register.path(), 'utf8');
    expect(csv).toContain('"Inscriptions scolaires"');
    expect(csv).toContain('"1 an après la fin de la demande, puis anonymisation (statistiques conservées)"');
    await admin.goto(`${t.url}/donnees-personnelles/demo`);
    await admin.getByRole('cell', { name: 'Inscriptions scolaires' }).waitFor();
    await admin.getByRole('cell', { name: '1 an' }).waitFor();
    await admin.context().close();
  });

  it('a supervisor erases the citizen after confirming', async () => {
    await page.goto(`${t.url}/#/conversations/${conversationId}?view=all&status=open`);
    const panel = page.locator('#citizen-panel');
    await panel.getByRole('button', { name: 'Effacer ses données…' }).click();
    await panel.getByRole('button', { name: 'Confirmer l’effacement' }).click();
    await panel.getByText('1 demande anonymisée.').waitFor();
    await panel.getByText('Les coordonnées et le nom de l’usager sont effacés.').waitFor();
    await page.screenshot({ path: join(shots, 'privacy-erased.png') });
    const { rows } = await t.db.query(`SELECT subject, anonymized_at FROM conversation WHERE id = $1`, [conversationId]);
    expect(rows[0].subject).toBeNull();
    expect(rows[0].anonymized_at).not.toBeNull();
  });
});
