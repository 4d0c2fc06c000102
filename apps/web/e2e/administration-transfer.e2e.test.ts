import { randomBytes } from 'node:crypto';
import { expectEventually, launchBrowserPool, startSmtpCapture, type BrowserPool, type SmtpCapture } from '@guichet/testing';
import { join } from 'node:path';
import { tokenHash } from '../../api/src/modules/auth/auth.repository';
import { orgSmtpSettings, startTestApp, type TestApp } from '../../api/test/harness';
import { expectAccessible, signInDemo, webPaths } from './demo-session';

/** Issue 13 in Chromium: a service change needs a note; a request forwarded to the competent administration (L114-2). */
describe('transfers in Chromium', () => {
  const { dist, shots } = webPaths();
  let t: TestApp;
  let pool: BrowserPool;
  let smtp: SmtpCapture;

  beforeAll(async () => {
    [smtp, t] = await Promise.all([startSmtpCapture(), startTestApp({ webDistDir: dist, seedDemo: true })]);
    pool = await launchBrowserPool();
    // The town's outgoing mail goes through the SMTP capture (set by the demo admin, through the API).
    const token = randomBytes(32).toString('base64url');
    await t.db.query(
      `INSERT INTO agent_session (token_hash, agent_id, expires_at)
       SELECT $1, id, now() + interval '1 hour' FROM agent WHERE email = 'admin@demo.guichet.fr'`,
      [tokenHash(token)],
    );
    const put = await t.http('PUT', '/api/v1/organization/mail-settings', {
      token,
      body: orgSmtpSettings(smtp, 'mairie@demo.guichet.fr'),
    });
    expect(put.status).toBe(200);
  });
  /** Sophie Marchand's first open file whose citizen wrote by e-mail or the web form, opened in her inbox. */
  async function openSophiesFile() {
    const page = await signInDemo(pool, t.url, 'sophie.marchand@demo.guichet.fr');
    const { rows } = await t.db.query(
      `SELECT c.id, c.reference FROM conversation c JOIN agent a ON a.id = c.assignee_id
        WHERE a.email = 'sophie.marchand@demo.guichet.fr' AND c.status = 'open'
          AND (SELECT ch.kind FROM message m JOIN channel ch ON ch.id = m.channel_id
                WHERE m.conversation_id = c.id AND m.direction = 'inbound' ORDER BY m.created_at DESC LIMIT 1)
              IN ('email', 'webform')
        LIMIT 1`,
    );
    const file = rows[0] as { id: string; reference: string };
    await page.goto(`${t.url}/#/conversations/${file.id}?view=mine&status=open`);
    await page.getByTestId('conversation-detail').waitFor({ timeout: 10_000 });
    return { page, file };
  }

  afterAll(async () => {
    await pool?.close();
    await t?.close();
    await smtp?.close();
  });

  it('asks for a note when a file moves to another service, and forwards one to a préfecture with the citizen told', async () => {
    const { page, file } = await openSophiesFile();

    // Another service: the note for it is required.
    await page.getByTestId('action-handover').click();
    await page.getByTestId('handover-team').selectOption({ label: 'Scolarité' });
    await page.getByRole('button', { name: 'Transmettre', exact: true }).click();
    await page.getByText('Écrivez une note pour le service qui reçoit la conversation.').waitFor({ timeout: 5000 });
    // The field says it is required for another service, and is marked invalid (the API refuses it too).
    const noteField = page.getByTestId('handover-note');
    expect(await noteField.getAttribute('aria-required')).toBe('true');
    expect(await noteField.getAttribute('aria-invalid')).toBe('true');
    await page.getByTestId('handover-team').selectOption({ label: 'Même service' });
    expect(await noteField.getAttribute('aria-required')).toBe('false');

    // L114-2: offered in the same « Transmettre… » panel.
    await page.getByTestId('action-transfer-administration').click();
    const form = page.getByTestId('administration-transfer-form');
    // The town's directory first (the demo's five administrations), free entry as « Autre ».
    const picker = form.getByLabel('Administration de l’annuaire de la commune');
    await expectEventually(async () => expect(await picker.evaluate((e) => e === document.activeElement)).toBe(true));
    expect(await picker.locator('option').allTextContents()).toEqual([
      'Choisissez…',
      'Caisse d’allocations familiales du Val-de-Démo',
      'Communauté de communes Démo Agglo — collecte des déchets',
      'Conseil départemental du Val-de-Démo — solidarités',
      'Préfecture du Val-de-Démo — cartes grises et permis de conduire',
      'Préfecture du Val-de-Démo — service des étrangers',
      'Autre (saisie libre)',
    ]);
    await form.getByRole('button', { name: 'Transmettre la demande' }).click();
    await form.getByText('Choisissez une administration de l’annuaire, ou « Autre » pour la saisir.').waitFor({ timeout: 5000 });
    expect(await picker.getAttribute('aria-invalid')).toBe('true');
    await picker.selectOption({ label: 'Autre (saisie libre)' });
    const name = form.getByLabel('Administration compétente');
    await name.focus();
    await page.keyboard.type('Préfecture de la Loire-Atlantique');
    await form.getByLabel('Son adresse e-mail').fill('pref-etrangers@loire-atlantique.gouv.fr');
    await form.getByRole('button', { name: 'Transmettre la demande' }).click();
    await form.getByText('un mot pour l’administration qui reçoit la demande est obligatoire').waitFor({ timeout: 5000 });
    await form
      .getByLabel('Message pour cette administration (obligatoire)')
      .fill('Titre de séjour : compétence de la préfecture.');
    await expectAccessible(page, 'administration transfer form');
    await page.screenshot({ path: join(shots, 'administration-transfer-form.png') });
    await form.getByRole('button', { name: 'Transmettre la demande' }).click();

    await page
      .getByText(/Demande transmise à Préfecture de la Loire-Atlantique \(pref-etrangers@loire-atlantique\.gouv\.fr\)/)
      .waitFor({
        timeout: 10_000,
      });
    await expectEventually(async () => {
      const { rows: now } = await t.db.query(`SELECT status, due_at FROM conversation WHERE id = $1`, [file.id]);
      expect(now[0]).toEqual({ status: 'closed', due_at: null });
    });
    await expectEventually(async () =>
      expect(smtp.messages.some((m) => m.to.includes('pref-etrangers@loire-atlantique.gouv.fr'))).toBe(true),
    );
    await page
      .getByText(/relève de la compétence de : Préfecture de la Loire-Atlantique/)
      .first()
      .waitFor({ timeout: 10_000 });
    await page
      .getByTestId('conversation-detail')
      .locator('.status-pill', { hasText: 'Transmise à Préfecture de la Loire-Atlantique' })
      .waitFor({ timeout: 5000 });
    await page.screenshot({ path: join(shots, 'administration-transfer-timeline.png') });
    await expectAccessible(page, 'conversation transferred to an administration');
    // The file the préfecture received, one .eml to download.
    const fileLink = page.getByTestId('conversation-detail').getByRole('link', { name: 'Dossier transmis (.eml)' });
    const sent = await page.request.get(new URL((await fileLink.getAttribute('href'))!, t.url).toString());
    expect(sent.status()).toBe(200);
    expect(sent.headers()['content-type']).toBe('message/rfc822');
    expect(sent.headers()['content-disposition']).toMatch(/filename="demande-GU-\w+\.eml"/);
    expect(await sent.text()).toMatch(/^X-Guichet-Reference: GU-\w+\r?$/m);

    // The citizen writes again quoting the closed file: a new file, whose citizen panel names who held the old one.
    const { rows: from } = await t.db.query(
      `SELECT i.value, ch.id AS channel_id FROM conversation c
         JOIN contact_identity i ON i.contact_id = c.contact_id AND i.kind = 'email'
         JOIN channel ch ON ch.organization_id = c.organization_id AND ch.kind = 'email'
        WHERE c.id = $1 LIMIT 1`,
      [file.id],
    );
    const { conversationId: again } = await t.ingest.ingest({
      channelId: from[0].channel_id,
      externalId: `<${randomBytes(8).toString('hex')}@example.fr>`,
      from: { kind: 'email', value: from[0].value },
      subject: `Re: [${file.reference}] ma demande`,
      text: 'Bonjour, où en est ma demande ?',
    });
    const supervisor = await signInDemo(pool, t.url, 'superviseur@demo.guichet.fr');
    await supervisor.goto(`${t.url}/#/conversations/${again}?view=all&status=open`);
    await supervisor.getByTestId('conversation-detail').waitFor({ timeout: 10_000 });
    const showCitizen = supervisor.getByRole('button', { name: 'Afficher la fiche usager' });
    if (await showCitizen.isVisible()) await showCitizen.click();
    await supervisor
      .getByTestId('previous-assignee')
      .getByText(`Son dossier clos ${file.reference} était suivi par Sophie Marchand.`)
      .waitFor({ timeout: 10_000 });
    await expectAccessible(supervisor, 'returning citizen');

    // The old file reopened: the préfecture is told the transfer is withdrawn (once), the timeline says so.
    await page.goto(`${t.url}/#/conversations/${file.id}?view=mine&status=closed`);
    await page.getByTestId('conversation-detail').waitFor({ timeout: 10_000 });
    await page.getByTestId('conversation-detail').getByRole('button', { name: 'Rouvrir' }).first().click();
    await page
      .getByText(/Transmission à Préfecture de la Loire-Atlantique retirée : la demande est reprise par la commune/)
      .waitFor({ timeout: 10_000 });
    await expectEventually(async () =>
      expect(smtp.messages.filter((m) => m.to.includes('pref-etrangers@loire-atlantique.gouv.fr')).length).toBe(2),
    );
  });

  it('forwards a request to an administration picked in the town’s directory', async () => {
    const { page, file } = await openSophiesFile();
    await page.getByTestId('action-handover').click();
    await page.getByTestId('action-transfer-administration').click();
    const form = page.getByTestId('administration-transfer-form');
    const picker = form.getByLabel('Administration de l’annuaire de la commune');
    await expectEventually(async () => expect(await picker.evaluate((e) => e === document.activeElement)).toBe(true));
    // Keyboard only: down the list to the CAF (first after « Choisissez… »).
    await page.keyboard.press('ArrowDown');
    expect(await picker.evaluate((e) => (e as HTMLSelectElement).selectedOptions[0]!.textContent)).toBe(
      'Caisse d’allocations familiales du Val-de-Démo',
    );
    const picked = form.getByTestId('administration-picked');
    await picked.getByText('accueil@caf.val-de-demo.example').waitFor({ timeout: 5000 });
    await picked.getByText('4 rue des Allocations, 99010 Démo Cedex').waitFor();
    // No free-entry fields once an entry is picked.
    expect(await form.getByLabel('Administration compétente').count()).toBe(0);
    await form.getByLabel('Message pour cette administration (obligatoire)').fill('Prime d’activité : compétence de la CAF.');
    await expectAccessible(page, 'administration transfer form with the directory');
    await page.screenshot({ path: join(shots, 'administration-transfer-picker.png') });
    await form.getByRole('button', { name: 'Transmettre la demande' }).click();
    await page
      .getByText(/relève de la compétence de : Caisse d’allocations familiales du Val-de-Démo/)
      .first()
      .waitFor({ timeout: 10_000 });
    await page
      .getByText(/Adresse postale : 4 rue des Allocations, 99010 Démo Cedex/)
      .first()
      .waitFor({ timeout: 5000 });
    await expectEventually(async () =>
      expect(smtp.messages.some((m) => m.to.includes('accueil@caf.val-de-demo.example'))).toBe(true),
    );
    const { rows: saved } = await t.db.query(
      `SELECT x.name FROM administration_transfer t JOIN external_administration x ON x.id = t.administration_id
        WHERE t.conversation_id = $1`,
      [file.id],
    );
    expect(saved).toEqual([{ name: 'Caisse d’allocations familiales du Val-de-Démo' }]);
  });

  it('lets the admin keep the town’s directory of administrations', async () => {
    // The directory, an entry added through the form (its error read with it), audited.
    const admin = await signInDemo(pool, t.url, 'admin@demo.guichet.fr');
    await admin.goto(`${t.url}/#/admin/administrations`);
    await admin.getByRole('heading', { name: 'Administrations partenaires', level: 2 }).waitFor({ timeout: 10_000 });
    await expectEventually(async () => expect(await admin.getByTestId('administration-row').count()).toBe(5));
    await admin.getByRole('button', { name: 'Ajouter une administration' }).click();
    const editor = admin.locator('form[aria-labelledby="administration-new-title"]');
    await editor.getByRole('heading', { name: 'Nouvelle administration' }).waitFor({ timeout: 10_000 });
    await editor.getByLabel(/^Nom/).fill('Conseil régional de Démo-Val — transports scolaires');
    await editor.getByLabel('Type', { exact: true }).selectOption({ label: 'Conseil régional' });
    await editor.getByLabel('Adresse e-mail').fill('transports@region.demo-val.example');
    await editor.getByLabel('Site internet').fill('pas une adresse');
    await editor.getByRole('button', { name: 'Enregistrer' }).click();
    await editor.getByText(/adresse du site invalide \(https:\/\/…\)/i).waitFor({ timeout: 5000 });
    await editor.getByLabel('Site internet').fill('https://www.region.demo-val.example');
    await expectAccessible(admin, 'administrations directory editor');
    await editor.getByRole('button', { name: 'Enregistrer' }).click();
    await expectEventually(async () => expect(await admin.getByTestId('administration-row').count()).toBe(6));
    await admin.getByRole('row', { name: /Conseil régional de Démo-Val/ }).waitFor();
    await admin.screenshot({ path: join(shots, 'admin-administrations.png'), fullPage: true });
    await expectAccessible(admin, 'administrations directory');
    const { rows: audit } = await t.db.query(
      `SELECT count(*)::int AS n FROM audit_event WHERE action = 'administration.created' AND data->>'name' LIKE 'Conseil régional%'`,
    );
    expect(audit[0].n).toBe(1);
  });
});
