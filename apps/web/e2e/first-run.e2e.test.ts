import {
  expectEventually,
  launchBrowserPool,
  startDovecot,
  startSmtpCapture,
  type BrowserPool,
  type Dovecot,
  type DovecotUser,
  type SmtpCapture,
} from '@guichet/testing';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { startTestApp, type TestApp } from '../../api/test/harness';
import { setupToken } from '../../api/src/modules/organizations/setup.service';
import { seriousAxeViolations } from './axe';

/** A section link of the administration's own navigation (« Connexion des agents » also contains « Agents »). */
const adminSection = (page: Page, name: string) =>
  page.getByRole('navigation', { name: 'Sections de l’administration' }).getByRole('link', { name, exact: true });

/**
 * A town put into service from an empty database, in real Chromium: the first-run page (with
 * the setup token of the server's log), the administration screens, an invitation whose mail
 * (kept for the admin, no SMTP server set) gives the agent a link to choose a password, and the
 * agent's first login. Every screen passes axe-core without serious or critical issues.
 */

describe('first run in Chromium: empty database to an invited agent signed in', () => {
  const dist = join(__dirname, '..', 'dist');
  const shots = join(__dirname, '..', '..', '..', '.test-data', 'screenshots');
  let t: TestApp;
  let pool: BrowserPool;
  let admin: Page;
  let agent: Page;
  let dovecot: Dovecot;
  let smtp: SmtpCapture;
  let box: DovecotUser;
  const PASSWORD = 'la-mairie-ouvre-a-8h30';

  async function checkScreen(page: Page, name: string): Promise<void> {
    const violations = await seriousAxeViolations(page);
    expect({ screen: name, violations }).toEqual({ screen: name, violations: [] });
    await page.screenshot({ path: join(shots, `${name}.png`), fullPage: true });
  }

  async function login(page: Page, email: string, password: string): Promise<void> {
    await page.getByLabel('Adresse e-mail').fill(email);
    await page.getByLabel('Mot de passe').fill(password);
    await page.getByRole('button', { name: 'Se connecter' }).click();
    await page.getByRole('navigation', { name: 'Vues de la boîte de réception' }).waitFor({ timeout: 15_000 });
  }

  beforeAll(async () => {
    if (!existsSync(join(dist, 'index.html')))
      throw new Error('apps/web/dist is missing: `pnpm --filter @guichet/web build` first');
    mkdirSync(shots, { recursive: true });
    t = await startTestApp({ webDistDir: dist });
    pool = await launchBrowserPool();
    [admin, agent] = await Promise.all([pool.newPage(), pool.newPage()]);
    [dovecot, smtp] = await Promise.all([startDovecot(), startSmtpCapture()]);
    box = await dovecot.addUser('urbanisme');
  });
  afterAll(async () => {
    await pool?.close();
    await dovecot?.close();
    await smtp?.close();
    await t?.close();
  });

  it('the first-run page creates the town and its admin, who then signs in', async () => {
    await admin.goto(t.url);
    await admin.getByRole('heading', { name: 'Première installation de Guichet' }).waitFor({ timeout: 15_000 });
    await checkScreen(admin, 'first-run-setup');

    await admin.getByLabel('Jeton d’installation').fill('pas-le-bon');
    // Required fields' labels end with an asterisk hidden from assistive technology: found by accessible name.
    await admin.getByRole('textbox', { name: 'Nom', exact: true }).fill('Ville de Bourg-Essai');
    expect(await admin.getByLabel('Identifiant').inputValue()).toBe('ville-de-bourg-essai');
    await admin.getByLabel('Nom et prénom').fill('Paule Première');
    await admin.getByRole('textbox', { name: 'Adresse e-mail', exact: true }).fill('paule@bourg-essai.fr');
    await admin.getByLabel('Mot de passe').fill(PASSWORD);
    await admin.getByRole('button', { name: 'Créer la commune' }).click();
    await admin.getByText('Jeton d’installation incorrect').waitFor();
    await checkScreen(admin, 'first-run-setup-error');

    await admin.getByLabel('Jeton d’installation').fill(setupToken(t.config));
    await admin.getByRole('button', { name: 'Créer la commune' }).click();
    await admin.getByRole('heading', { name: 'La commune est prête' }).waitFor();
    await admin.getByRole('button', { name: 'Aller à la connexion' }).click();
    await login(admin, 'paule@bourg-essai.fr', PASSWORD);
  });

  it('the admin sets the organization, creates a service and invites an agent', async () => {
    await admin.getByRole('link', { name: 'Administration' }).click();
    await admin.getByRole('heading', { name: 'Organisation', level: 2 }).waitFor();
    await admin.getByLabel('Lundi').fill('08:30-12:00, 13:30-17:00');
    await admin.getByLabel('Signature par défaut').fill('L’accueil de la mairie');
    await admin.getByRole('button', { name: 'Enregistrer' }).click();
    await admin.getByText('Modifications enregistrées.').waitFor();
    await admin.getByText('Jours fériés calculés').click();
    // The town's logo (a real PNG), then shown in the header beside Guichet's name.
    await admin.getByLabel('Choisir un logo').setInputFiles({
      name: 'blason.png',
      mimeType: 'image/png',
      buffer: Buffer.from(
        'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==',
        'base64',
      ),
    });
    await admin.getByRole('button', { name: 'Envoyer le logo' }).click();
    await admin.getByText('Logo enregistré.').waitFor();
    await admin.getByRole('banner').getByRole('img', { name: 'Logo de Ville de Bourg-Essai' }).waitFor();
    await checkScreen(admin, 'admin-organization');

    await adminSection(admin, 'Services').click();
    await admin.getByLabel('Nom du nouveau service').fill('Urbanisme');
    await admin.getByRole('button', { name: 'Créer le service' }).click();
    await admin.getByRole('rowheader', { name: 'Urbanisme' }).waitFor();
    await checkScreen(admin, 'admin-services');
    // What citizens read of the service: what it does and how to reach it, beneath the request form.
    await admin.getByRole('button', { name: 'Modifier Urbanisme' }).click();
    await admin.getByLabel('Description publique (formulaire citoyen)').fill('Permis de construire et déclarations préalables.');
    await admin.getByLabel('Téléphone de contact').fill('03 88 00 00 00');
    await admin.getByLabel('Adresse de contact').fill('2 place de la Mairie, 67000 Bourg-Essai');
    await admin.getByRole('button', { name: 'Enregistrer', exact: true }).click();
    await admin.getByLabel('Adresse de contact').waitFor({ state: 'detached' });
    await agent.goto(`${t.url}/demandes/ville-de-bourg-essai`);
    const services = agent.getByRole('region', { name: 'Les services et leurs coordonnées' });
    await services.getByRole('heading', { name: 'Urbanisme', level: 3 }).waitFor();
    await services.getByText('Permis de construire et déclarations préalables.').waitFor();
    expect(await services.getByRole('link', { name: '03 88 00 00 00' }).getAttribute('href')).toBe('tel:0388000000');
    await services.getByText('Adresse : 2 place de la Mairie, 67000 Bourg-Essai').waitFor();
    await checkScreen(agent, 'citizen-form-services');

    await adminSection(admin, 'Agents').click();
    await admin.getByRole('textbox', { name: 'Nom', exact: true }).fill('Nina Nouvelle');
    await admin.getByRole('textbox', { name: 'Adresse e-mail', exact: true }).fill('nina@bourg-essai.fr');
    await admin.getByLabel('Urbanisme').check();
    await admin.getByRole('button', { name: 'Envoyer l’invitation' }).click();
    await admin.getByText('Invitation envoyée à nina@bourg-essai.fr.').waitFor();
    await admin.getByRole('cell', { name: 'Invitation envoyée' }).waitFor();
    // The invitation sent again (a lost mail); the admin's own row says why it has no « Désactiver ».
    await admin.getByRole('button', { name: 'Renvoyer l’invitation Nina Nouvelle' }).click();
    await admin.getByText('Invitation renvoyée à nina@bourg-essai.fr.').waitFor();
    await admin.getByText('Votre compte : un autre administrateur peut le désactiver, pas vous.').waitFor();
    expect(await admin.getByRole('button', { name: 'Désactiver Paule Première' }).count()).toBe(0);
    await checkScreen(admin, 'admin-agents');
  });

  it('the agent chooses a password from the mail and signs in', async () => {
    await adminSection(admin, 'Courriels').click();
    // Two invitations (the first, then the one sent again): the newest is listed first.
    const summary = admin.getByText(/nina@bourg-essai\.fr — Invitation à Guichet/).first();
    await summary.click();
    const text = await admin.locator('.admin-mail-text').first().innerText();
    await checkScreen(admin, 'admin-mails');
    const link = /https?:\/\/\S+#\/mot-de-passe\?jeton=[\w-]+/.exec(text)![0];
    // The mail's link points at the public address; the browser opens it on the test server.
    await agent.goto(`${t.url}/${link.slice(link.indexOf('#'))}`);
    await agent.getByRole('heading', { name: 'Choisir votre mot de passe' }).waitFor({ timeout: 15_000 });
    await agent.getByLabel('Nouveau mot de passe').fill('azertyuiop');
    await agent.getByLabel('Confirmez le mot de passe').fill('azertyuiop');
    await agent.getByRole('button', { name: 'Enregistrer le mot de passe' }).click();
    await agent.getByText('Ce mot de passe est trop courant').waitFor();
    await checkScreen(agent, 'password-choose-error');
    await agent.getByLabel('Nouveau mot de passe').fill('nina-aime-les-permis-2026');
    await agent.getByLabel('Confirmez le mot de passe').fill('nina-aime-les-permis-2026');
    await agent.getByRole('button', { name: 'Enregistrer le mot de passe' }).click();
    await agent.getByRole('heading', { name: 'Mot de passe enregistré' }).waitFor();
    await agent.getByRole('button', { name: 'Aller à la connexion' }).click();
    await login(agent, 'nina@bourg-essai.fr', 'nina-aime-les-permis-2026');
    await agent
      .getByRole('navigation', { name: 'Vues de la boîte de réception' })
      .getByRole('link', { name: /Urbanisme/ })
      .waitFor();
    await checkScreen(agent, 'agent-first-login');
  });

  it('the admin connects the service’s mailbox from the generated form; a citizen’s mail arrives and the agent answers it', async () => {
    await adminSection(admin, 'Canaux').click();
    await admin.getByRole('heading', { name: 'Canaux', level: 2 }).waitFor();
    await admin.getByLabel('Ajouter un canal').selectOption('email');
    await admin.getByRole('heading', { name: 'Nouveau canal : E-mail' }).waitFor();
    await admin.getByRole('textbox', { name: 'Nom', exact: true }).fill('Urbanisme — courriel');
    await admin.getByRole('combobox', { name: 'Service', exact: true }).selectOption({ label: 'Urbanisme' });
    await admin.getByLabel('Adresse de la boîte').fill('urbanisme@bourg-essai.fr');
    const server = (legend: string) => admin.getByRole('group', { name: legend });
    for (const [legend, port, user, password] of [
      ['Réception (IMAP)', dovecot.port, box.user, 'pas-le-bon'],
      ['Envoi (SMTP)', smtp.port, smtp.user, smtp.password],
    ] as const) {
      await server(legend).getByLabel('Serveur').fill('127.0.0.1');
      await server(legend).getByLabel('Port').fill(String(port));
      await server(legend).getByLabel('Connexion chiffrée (TLS)').uncheck();
      await server(legend).getByLabel('Identifiant').fill(user);
      await server(legend).getByLabel('Mot de passe').fill(password);
    }
    // A wrong password: the test says why in French, and nothing is saved unless the admin insists.
    await admin.getByRole('button', { name: 'Enregistrer', exact: true }).click();
    await admin.getByText(/IMAP : authentification refusée/).waitFor({ timeout: 15_000 });
    await admin.getByText('La connexion a échoué : rien n’a été enregistré.', { exact: false }).waitFor();
    await checkScreen(admin, 'admin-channel-test-failed');
    expect(Number((await t.db.query(`SELECT count(*) FROM channel WHERE kind = 'email'`)).rows[0].count)).toBe(0);

    await server('Réception (IMAP)').getByLabel('Mot de passe').fill(box.password);
    await admin.getByRole('button', { name: 'Enregistrer', exact: true }).click();
    await admin.getByRole('cell', { name: 'Urbanisme — courriel', exact: true }).waitFor({ timeout: 15_000 });
    expect(Number((await t.db.query(`SELECT count(*) FROM channel WHERE kind = 'email'`)).rows[0].count)).toBe(1);
    await admin.getByRole('button', { name: 'Modifier Urbanisme — courriel' }).click();
    // Write-only secrets: the saved password is never sent back, the form says it is kept.
    await server('Réception (IMAP)').getByText('Enregistré. Laissez vide pour le garder.').waitFor();
    expect(await server('Réception (IMAP)').getByLabel('Mot de passe').inputValue()).toBe('');
    await checkScreen(admin, 'admin-channel-email');

    const subject = 'Déclaration préalable pour une clôture';
    await dovecot.append(
      box,
      [
        'From: Camille Citoyenne <camille@exemple.fr>',
        'To: urbanisme@bourg-essai.fr',
        `Subject: ${subject}`,
        'Message-ID: <cloture-1@exemple.fr>',
        `Date: ${new Date().toUTCString()}`,
        'MIME-Version: 1.0',
        'Content-Type: text/plain; charset=utf-8',
        '',
        'Bonjour, faut-il une autorisation pour une clôture de 1,80 m ?',
      ].join('\r\n'),
    );
    const row = agent.getByTestId('conversation-row').filter({ hasText: subject });
    await agent
      .getByRole('navigation', { name: 'Vues de la boîte de réception' })
      .getByRole('link', { name: /Urbanisme/ })
      .click();
    await row.waitFor({ timeout: 30_000 });
    await row.click();
    await agent.getByTestId('conversation-detail').getByText('faut-il une autorisation').waitFor();
    await agent.getByTestId('composer-input').fill('Oui : une déclaration préalable, formulaire Cerfa 13703.');
    await agent.getByTestId('composer-input').press('Control+Enter');
    await expectEventually(() => expect(smtp.messages.map((m) => m.to.join())).toContain('camille@exemple.fr'), {
      timeoutMs: 30_000,
    });
    const sent = smtp.messages.find((m) => m.to.includes('camille@exemple.fr'))!;
    expect(sent.text).toContain('In-Reply-To: <cloture-1@exemple.fr>');
    expect(sent.text).toMatch(/^From: .*urbanisme@bourg-essai\.fr/m);
    await checkScreen(agent, 'agent-answers-first-mail');
  });

  it('the admin downloads an unreadable mail of the quarantine as an .eml and discards it after a confirmation', async () => {
    const unreadable = [
      'Subject: sans expéditeur',
      'Message-ID: <illisible-1@exemple.fr>',
      'Content-Type: multipart/mixed; boundary="x"',
      '',
      '--x',
      'garbage',
      '',
    ].join('\r\n');
    await dovecot.append(box, unreadable);
    await expectEventually(
      async () => expect(Number((await t.db.query(`SELECT count(*) FROM quarantine`)).rows[0].count)).toBe(1),
      { timeoutMs: 30_000 },
    );
    // The channel's editor reads its quarantine when it opens.
    await admin.getByRole('button', { name: 'Fermer' }).click();
    await admin.getByRole('button', { name: 'Modifier Urbanisme — courriel' }).click();
    const quarantine = admin.getByRole('table', { name: 'Messages illisibles (quarantaine)' });
    await quarantine.getByText(/expéditeur/).waitFor({ timeout: 10_000 });
    const downloading = admin.waitForEvent('download');
    await quarantine.getByRole('link', { name: /^Message brut \(\.eml\)/ }).click();
    const download = await downloading;
    expect(download.suggestedFilename()).toMatch(/^quarantaine-INBOX-\d+\.eml$/);
    expect(readFileSync(await download.path(), 'utf8')).toBe(unreadable);

    await quarantine.getByRole('button', { name: /^Écarter/ }).click();
    const confirm = quarantine.getByRole('group', { name: /Écarter ce message \?/ });
    await confirm.waitFor();
    await checkScreen(admin, 'admin-channel-quarantine');
    // The confirmation takes the focus: Enter discards.
    await admin.keyboard.press('Enter');
    await admin.getByRole('status').filter({ hasText: 'Message écarté de la quarantaine.' }).waitFor();
    await admin.getByText('Aucun message en quarantaine.').waitFor();
    // Discarded means gone, raw copy and all (RGPD); the audit keeps who did it and which mail, never its content.
    expect((await t.db.query(`SELECT count(*)::int AS n FROM quarantine`)).rows).toEqual([{ n: 0 }]);
    expect(
      (await t.db.query(`SELECT data->>'uid' AS uid FROM audit_event WHERE action = 'channel.quarantine_discarded'`)).rows,
    ).toEqual([{ uid: expect.stringMatching(/^\d+$/) }]);
  });

  it('the admin names the agent supervisor from the agents screen, and cannot give up the last admin role', async () => {
    await adminSection(admin, 'Agents').click();
    expect(await agent.getByRole('link', { name: 'Administration' }).count()).toBe(0);
    await admin.getByLabel('Rôle de Nina Nouvelle').selectOption('supervisor');
    await expectEventually(async () =>
      expect((await t.db.query(`SELECT role FROM agent WHERE email = 'nina@bourg-essai.fr'`)).rows[0].role).toBe('supervisor'),
    );
    // Nina's open inbox takes her new role live (the socket says so): the administration appears, no new login.
    await agent.getByRole('link', { name: 'Administration' }).waitFor({ timeout: 10_000 });
    // Her capacity, changed in the list by keyboard (Enter saves); a number out of range is explained.
    const capacity = admin.getByRole('spinbutton', { name: 'Capacité (conversations) — Nina Nouvelle' });
    await capacity.fill('4');
    await capacity.press('Enter');
    await expectEventually(async () =>
      expect((await t.db.query(`SELECT capacity FROM agent WHERE email = 'nina@bourg-essai.fr'`)).rows[0].capacity).toBe(4),
    );
    await capacity.fill('5000');
    await capacity.press('Enter');
    await admin.getByText(/au plus 1000/i).waitFor();
    // Refused: the field shows the saved capacity again.
    await expectEventually(async () => expect(await capacity.inputValue()).toBe('4'));
    expect((await t.db.query(`SELECT capacity FROM agent WHERE email = 'nina@bourg-essai.fr'`)).rows[0].capacity).toBe(4);
    await admin.getByLabel('Rôle de Paule Première').selectOption('agent');
    await admin.getByText(/vous êtes le dernier administrateur actif/i).waitFor();
    expect(await admin.getByLabel('Rôle de Paule Première').inputValue()).toBe('admin');
    await checkScreen(admin, 'admin-agents-last-admin');
  });

  it('the first run’s admin runs the platform: adds a second town, whose first admin is invited', async () => {
    await adminSection(admin, 'Communes de la plateforme').click();
    await admin.getByRole('heading', { name: 'Communes de la plateforme', level: 2 }).waitFor();
    await admin.getByRole('rowheader', { name: /Ville de Bourg-Essai/ }).waitFor();
    await admin.getByRole('textbox', { name: 'Nom', exact: true }).fill('Saint-Val-sur-Lac');
    expect(await admin.getByRole('textbox', { name: 'Identifiant', exact: true }).inputValue()).toBe('saint-val-sur-lac');
    await admin.getByLabel('Nom et prénom').fill('Hugo Maire-Adjoint');
    await admin.getByRole('textbox', { name: 'Adresse e-mail', exact: true }).fill('pas-une-adresse');
    await admin.getByRole('button', { name: 'Créer la commune et inviter son administrateur' }).click();
    await admin.getByText(/adresse e-mail invalide/i).waitFor();
    await admin.getByRole('textbox', { name: 'Adresse e-mail', exact: true }).fill('hugo@saint-val.fr');
    await admin.getByRole('button', { name: 'Créer la commune et inviter son administrateur' }).click();
    await admin.getByText('Commune « Saint-Val-sur-Lac » créée ; invitation envoyée à hugo@saint-val.fr.').waitFor();
    await admin.getByRole('rowheader', { name: /Saint-Val-sur-Lac/ }).waitFor();
    await admin.getByText('invitation en attente', { exact: false }).waitFor();
    await checkScreen(admin, 'admin-platform-towns');
    // The platform's own organization cannot be archived from its row; another town can, after a confirmation.
    expect(await admin.getByRole('button', { name: 'Archiver Ville de Bourg-Essai' }).count()).toBe(0);
    await admin.getByRole('button', { name: 'Archiver Saint-Val-sur-Lac' }).click();
    await admin.getByText(/Archiver « Saint-Val-sur-Lac » \? Ses agents sont déconnectés/).waitFor();
    await checkScreen(admin, 'admin-platform-archive-confirm');
    await admin.getByRole('button', { name: 'Confirmer l’archivage Saint-Val-sur-Lac' }).click();
    await admin.getByRole('row', { name: /Saint-Val-sur-Lac.*Archivée le/ }).waitFor();
    expect(
      (await t.db.query(`SELECT archived_at IS NOT NULL AS archived FROM organization WHERE slug = 'saint-val-sur-lac'`)).rows,
    ).toEqual([{ archived: true }]);
    await checkScreen(admin, 'admin-platform-archived');
    await admin.getByRole('button', { name: 'Remettre en service Saint-Val-sur-Lac' }).click();
    await admin.getByRole('row', { name: /Saint-Val-sur-Lac.*En service/ }).waitFor();
    // The invitation left through this organization's mail, listed among its mails.
    await adminSection(admin, 'Courriels').click();
    await admin.getByText(/hugo@saint-val\.fr — Invitation à Guichet — Saint-Val-sur-Lac/).waitFor();
    // Nina, supervisor of Bourg-Essai only, has no platform screen.
    await agent.goto(`${t.url}/#/admin/communes`);
    await agent.reload();
    await agent.getByRole('heading', { name: 'Organisation', level: 2 }).waitFor({ timeout: 15_000 });
    expect(await adminSection(agent, 'Communes de la plateforme').count()).toBe(0);
  });
  it('the platform admin appoints another platform admin by e-mail and removes them after a confirmation, never the last one', async () => {
    await adminSection(admin, 'Administrateurs de la plateforme').click();
    await admin.getByRole('heading', { name: 'Administrateurs de la plateforme', level: 2 }).waitFor();
    await admin.getByRole('rowheader', { name: 'Paule Première (vous)' }).waitFor();
    await admin
      .getByText(/La plateforme doit toujours garder au moins un administrateur : pour retirer Paule Première/)
      .waitFor();
    // The last one: confirmed, the API refuses (409) and the screen says why in French.
    await admin.getByRole('button', { name: 'Retirer Paule Première' }).click();
    await admin.getByText(/Vous retirer le rôle d’administrateur de la plateforme \?/).waitFor();
    await admin.getByRole('button', { name: 'Confirmer le retrait Paule Première' }).click();
    await admin.getByText('C’est le dernier administrateur de la plateforme : nommez-en un autre d’abord').waitFor();
    await checkScreen(admin, 'admin-platform-admins-last-one');
    // Nobody with that address, then a bad address: French reasons, nothing granted.
    const email = admin.getByRole('textbox', { name: 'Adresse e-mail de l’agent' });
    await email.fill('personne@nulle-part.fr');
    await admin.getByRole('button', { name: 'Nommer administrateur de la plateforme' }).click();
    await admin
      .getByText(/Aucun agent actif n’a l’adresse personne@nulle-part\.fr : invitez-le d’abord dans sa commune/)
      .waitFor();
    await email.fill('hugo@');
    await admin.getByRole('button', { name: 'Nommer administrateur de la plateforme' }).click();
    await admin.getByText('Adresse e-mail invalide').waitFor();
    // Hugo, invited as Saint-Val-sur-Lac's first admin, appointed with the keyboard only.
    await email.fill('Hugo@Saint-Val.fr');
    await email.press('Enter');
    await admin.getByText('Hugo Maire-Adjoint (Saint-Val-sur-Lac) est maintenant administrateur de la plateforme.').waitFor();
    await admin.getByRole('row', { name: /Hugo Maire-Adjoint.*hugo@saint-val\.fr.*Saint-Val-sur-Lac/ }).waitFor();
    expect((await t.db.query(`SELECT platform_admin FROM agent WHERE email = 'hugo@saint-val.fr'`)).rows).toEqual([
      { platform_admin: true },
    ]);
    expect(await admin.getByText(/La plateforme doit toujours garder au moins un administrateur/).count()).toBe(0);
    await checkScreen(admin, 'admin-platform-admins-two');
    // Removed with the keyboard: « Retirer » opens the confirmation, whose button has the focus.
    await admin.getByRole('button', { name: 'Retirer Hugo Maire-Adjoint' }).focus();
    await admin.keyboard.press('Enter');
    await admin
      .getByText(
        'Retirer à Hugo Maire-Adjoint le rôle d’administrateur de la plateforme ? Son compte reste actif dans sa commune.',
      )
      .waitFor();
    await checkScreen(admin, 'admin-platform-admins-confirm');
    expect(await admin.evaluate(() => document.activeElement?.textContent)).toBe('Confirmer le retrait Hugo Maire-Adjoint');
    await admin.keyboard.press('Enter');
    await admin.getByText('Hugo Maire-Adjoint n’est plus administrateur de la plateforme.').waitFor();
    // The notice comes with the answer; the row goes with the list's refetch just after.
    await admin.getByRole('rowheader', { name: /Hugo Maire-Adjoint/ }).waitFor({ state: 'detached' });
    expect((await t.db.query(`SELECT platform_admin, active FROM agent WHERE email = 'hugo@saint-val.fr'`)).rows).toEqual([
      { platform_admin: false, active: true },
    ]);
    expect(await admin.evaluate(() => document.activeElement?.textContent)).toBe('Administrateurs de la plateforme');
  });
});
