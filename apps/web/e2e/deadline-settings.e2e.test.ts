import { expectEventually, launchBrowser, type LaunchedBrowser } from '@guichet/testing';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { startTestApp, type TestApp } from '../../api/test/harness';
import { seriousAxeViolations } from './axe';

/**
 * Issue 13 in Chromium: a service's own opening hours and response targets (« Services »), and a
 * supervisor's deadlines digest (« Mon compte »), from the keyboard where it matters.
 */
describe('service hours, response targets and the deadlines digest in Chromium', () => {
  const dist = join(__dirname, '..', 'dist');
  const shots = join(__dirname, '..', '..', '..', '.test-data', 'screenshots');
  let t: TestApp;
  let browser: LaunchedBrowser;

  const signIn = async (email: string) => {
    const { page } = browser;
    await page.context().clearCookies();
    await page.goto(t.url);
    await page.getByLabel('Adresse e-mail').fill(email);
    await page.getByLabel('Mot de passe').fill('guichet-demo');
    await page.getByRole('button', { name: 'Se connecter' }).click();
    await page.getByRole('navigation', { name: 'Vues de la boîte de réception' }).waitFor({ timeout: 10_000 });
  };

  beforeAll(async () => {
    if (!existsSync(join(dist, 'index.html'))) throw new Error('apps/web/dist is missing: `pnpm test` builds it first');
    mkdirSync(shots, { recursive: true });
    t = await startTestApp({ webDistDir: dist, seedDemo: true });
    browser = await launchBrowser();
    await browser.page.setViewportSize({ width: 1600, height: 1000 });
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  it('gives État civil its own hours and an SMS target in opening hours; its files in progress follow', async () => {
    const { page } = browser;
    await signIn('admin@demo.guichet.fr');
    await page.goto(`${t.url}/#/admin/services`);
    await page.getByRole('button', { name: 'Modifier État civil' }).click();
    const own = page.getByRole('checkbox', { name: 'Horaires propres à ce service' });
    expect(await own.isChecked()).toBe(false);
    await own.focus();
    await page.keyboard.press('Space');
    // The usual hours to start from; Saturday mornings added, Wednesday afternoons closed.
    expect(await page.getByLabel('Lundi', { exact: true }).inputValue()).toBe('08:30-12:00, 13:30-17:30');
    await page.getByLabel('Mercredi', { exact: true }).fill('08:30-12:00');
    await page.getByLabel('Samedi', { exact: true }).fill('9h00-12h00');
    await page.getByLabel('Délai pour : SMS', { exact: true }).fill('4');
    await page.getByLabel('Unité pour : SMS', { exact: true }).selectOption({ label: 'heures d’ouverture' });
    await page.getByText('Par défaut : 5 jours d’ouverture').first().waitFor();
    expect(await seriousAxeViolations(page)).toEqual([]);
    await page.screenshot({ path: join(shots, 'admin-service-hours.png'), fullPage: true });

    const dueBefore = new Map<string, Date>(
      (
        await t.db.query(
          `SELECT c.id, c.response_due_at FROM conversation c JOIN team ON team.id = c.team_id
            WHERE team.name = 'État civil' AND c.status IN ('open', 'pending', 'snoozed') AND c.response_due_at IS NOT NULL`,
        )
      ).rows.map((r: { id: string; response_due_at: Date }) => [r.id, r.response_due_at]),
    );
    expect(dueBefore.size).toBeGreaterThan(0);
    // A target that is no whole number is said before anything is sent.
    await page.getByLabel('Délai pour : E-mail', { exact: true }).fill('une semaine');
    await page.getByRole('button', { name: 'Enregistrer', exact: true }).click();
    await page.getByText('Délai pour E-mail : un nombre entier de 1 à 90.').waitFor();
    await page.getByLabel('Délai pour : E-mail', { exact: true }).fill('');
    await page.getByRole('button', { name: 'Enregistrer', exact: true }).click();
    await page.getByRole('button', { name: 'Modifier État civil' }).waitFor();
    await expectEventually(async () => {
      const { rows } = await t.db.query(`SELECT opening_hours, response_targets FROM team WHERE name = 'État civil'`);
      expect(rows[0]).toEqual({
        opening_hours: {
          1: [
            ['08:30', '12:00'],
            ['13:30', '17:30'],
          ],
          2: [
            ['08:30', '12:00'],
            ['13:30', '17:30'],
          ],
          3: [['08:30', '12:00']],
          4: [
            ['08:30', '12:00'],
            ['13:30', '17:30'],
          ],
          5: [
            ['08:30', '12:00'],
            ['13:30', '17:30'],
          ],
          6: [['09:00', '12:00']],
        },
        response_targets: { sms: { amount: 4, unit: 'opening_hours' } },
      });
    });
    // The job counted the service's files in progress again (Saturdays open now, SMS within 4 opening hours).
    await expectEventually(async () => {
      const { rows } = await t.db.query(
        `SELECT c.id, c.response_due_at FROM conversation c JOIN team ON team.id = c.team_id
          WHERE team.name = 'État civil' AND c.status IN ('open', 'pending', 'snoozed') AND c.response_due_at IS NOT NULL`,
      );
      const moved = rows.filter((r: { id: string; response_due_at: Date }) => +r.response_due_at !== +dueBefore.get(r.id)!);
      expect(moved.length).toBeGreaterThan(0);
    });
  });

  it('lets a supervisor choose the time of the digest, or none, in « Mon compte »', async () => {
    const { page } = browser;
    await signIn('superviseur@demo.guichet.fr');
    await page.goto(`${t.url}/#/compte`);
    await page.getByRole('heading', { name: 'Récapitulatif des échéances', level: 2 }).waitFor({ timeout: 10_000 });
    const enabled = page.getByRole('checkbox', { name: 'Recevoir le récapitulatif par courriel' });
    await enabled.waitFor();
    expect(await enabled.isChecked()).toBe(true);
    const time = page.getByLabel('Heure d’envoi');
    expect(await time.inputValue()).toBe('07:30');
    await time.selectOption('08:15');
    await enabled.focus();
    await page.keyboard.press('Space');
    await page.getByRole('button', { name: 'Enregistrer le récapitulatif' }).click();
    await page.getByRole('status').filter({ hasText: 'Récapitulatif enregistré.' }).waitFor();
    expect(
      (await t.db.query(`SELECT digest_enabled, digest_time FROM agent WHERE email = 'superviseur@demo.guichet.fr'`)).rows,
    ).toEqual([{ digest_enabled: false, digest_time: '08:15' }]);
    expect(await seriousAxeViolations(page)).toEqual([]);
    await page.screenshot({ path: join(shots, 'my-account-digest.png'), fullPage: true });
    // Agents have no such section.
    await signIn('admin@demo.guichet.fr');
    await page.goto(`${t.url}/#/compte`);
    await page.getByRole('heading', { name: 'Mon compte', level: 1 }).waitFor();
    expect(await page.getByRole('heading', { name: 'Récapitulatif des échéances' }).count()).toBe(0);
  });
});
