import { expectEventually, launchBrowser, type LaunchedBrowser } from '@guichet/testing';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { startTestApp, type TestApp } from '../../api/test/harness';
import { seriousAxeViolations } from './axe';

/** Issue 13 in Chromium: the admin's « Démarches » and « Routage » screens, from the keyboard. */
describe('request types and routing rules administration in Chromium', () => {
  const dist = join(__dirname, '..', 'dist');
  const shots = join(__dirname, '..', '..', '..', '.test-data', 'screenshots');
  let t: TestApp;
  let browser: LaunchedBrowser;

  beforeAll(async () => {
    if (!existsSync(join(dist, 'index.html'))) throw new Error('apps/web/dist is missing: `pnpm test` builds it first');
    mkdirSync(shots, { recursive: true });
    t = await startTestApp({ webDistDir: dist, seedDemo: true });
    browser = await launchBrowser();
    const { page } = browser;
    // At 1280 px the admin's header lays the language switch under the name (see acknowledgements.e2e): wider.
    await page.setViewportSize({ width: 1600, height: 1000 });
    await page.goto(t.url);
    await page.getByLabel('Adresse e-mail').fill('admin@demo.guichet.fr');
    await page.getByLabel('Mot de passe').fill('guichet-demo');
    await page.getByRole('button', { name: 'Se connecter' }).click();
    await page.getByRole('navigation', { name: 'Vues de la boîte de réception' }).waitFor({ timeout: 10_000 });
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  it('lists a service’s démarches, refuses an implicit decision without a deadline, creates and withdraws one', async () => {
    const { page } = browser;
    await page.goto(`${t.url}/#/admin/demarches`);
    await page.getByRole('heading', { name: 'Démarches', exact: true }).waitFor({ timeout: 10_000 });
    await page.getByLabel('Service', { exact: true }).selectOption({ label: 'Développement économique' });
    const aot = page.getByRole('row', { name: /Autorisation d’occupation du domaine public/ });
    await aot.waitFor();
    expect(await aot.innerText()).toMatch(/Le silence vaut rejet\s+2 mois/);
    expect(await seriousAxeViolations(page)).toEqual([]);
    await page.screenshot({ path: join(shots, 'admin-request-types.png'), fullPage: true });

    // Keyboard only: the button opens the form with the focus on the name.
    await page.getByRole('button', { name: 'Nouvelle démarche' }).focus();
    await page.keyboard.press('Enter');
    const name = page.getByRole('textbox', { name: 'Nom de la démarche' });
    await expectEventually(async () => expect(await name.evaluate((e) => e === document.activeElement)).toBe(true));
    await page.keyboard.type('Autorisation de vente au déballage');
    await page.keyboard.press('Tab');
    await page.keyboard.type('Vide-greniers et ventes au déballage sur la voie publique.');
    // The regime's radio group: Tab enters it, arrows choose.
    await page.keyboard.press('Tab');
    await page.keyboard.press('ArrowUp');
    expect(await page.getByRole('radio', { name: 'Le silence vaut rejet' }).isChecked()).toBe(true);
    await page.getByRole('textbox', { name: 'Pièces à fournir' }).fill('Pièce d’identité\nAttestation sur l’honneur');
    await page.getByRole('checkbox', { name: /exception de l’article R112-4/ }).check();
    await page.getByRole('button', { name: 'Enregistrer', exact: true }).click();
    await page.getByText('Une décision implicite (acceptation ou rejet) demande un délai').waitFor({ timeout: 10_000 });
    const before = await t.db.query(
      `SELECT count(*)::int AS n FROM request_type WHERE name = 'Autorisation de vente au déballage'`,
    );
    expect(before.rows[0].n).toBe(0);

    await page.getByRole('spinbutton', { name: 'Durée' }).fill('15');
    await page.getByLabel('Unité').selectOption('working_days');
    await page.getByRole('button', { name: 'Enregistrer', exact: true }).click();
    const row = page.getByRole('row', { name: /Autorisation de vente au déballage/ });
    await row.waitFor({ timeout: 10_000 });
    expect(await row.innerText()).toMatch(
      /Le silence vaut rejet\s+15 jours ouvrés\s+Pièce d’identité, Attestation sur l’honneur\s+Non \(R112-4\)/,
    );
    const { rows } = await t.db.query(
      `SELECT rt.decision_regime, rt.acknowledgement_exempt, rt.active, team.name AS team
         FROM request_type rt JOIN team ON team.id = rt.team_id WHERE rt.name = 'Autorisation de vente au déballage'`,
    );
    expect(rows).toEqual([
      { decision_regime: 'rejection', acknowledgement_exempt: true, active: true, team: 'Développement économique' },
    ]);

    await row.getByRole('button', { name: 'Retirer Autorisation de vente au déballage' }).click();
    await expectEventually(async () => expect(await row.innerText()).toContain('(retirée)'));
    const after = await t.db.query(`SELECT active FROM request_type WHERE name = 'Autorisation de vente au déballage'`);
    expect(after.rows[0].active).toBe(false);
    expect(await seriousAxeViolations(page)).toEqual([]);
  });

  it('creates routing rules, moves one from the keyboard, and dry-runs a pasted message', async () => {
    const { page } = browser;
    await page.goto(`${t.url}/#/admin/routage`);
    await page.getByRole('heading', { name: 'Routage', exact: true }).waitFor({ timeout: 10_000 });

    const rules = page.getByRole('list', { name: 'Règles, dans l’ordre où elles sont essayées' }).getByRole('listitem');
    const addRule = async (rule: { name: string; words: string; team: string; priority?: string }) => {
      await page.getByRole('button', { name: 'Nouvelle règle' }).click();
      const name = page.getByRole('textbox', { name: 'Nom de la règle' });
      await expectEventually(async () => expect(await name.evaluate((e) => e === document.activeElement)).toBe(true));
      await page.keyboard.type(rule.name);
      await page.getByRole('textbox', { name: 'Mots' }).fill(rule.words);
      const actions = page.getByRole('group', { name: 'Actions' });
      await actions.getByLabel('Service', { exact: true }).selectOption({ label: rule.team });
      if (rule.priority) await actions.getByLabel('Priorité').selectOption({ label: rule.priority });
      await page.getByRole('button', { name: 'Enregistrer', exact: true }).click();
      await rules.filter({ hasText: rule.name }).waitFor({ timeout: 10_000 });
    };

    // A rule with no action is refused with the API's reason, nothing written.
    await page.getByRole('button', { name: 'Nouvelle règle' }).click();
    await page.getByRole('textbox', { name: 'Nom de la règle' }).fill('Sans action');
    await page.getByRole('button', { name: 'Enregistrer', exact: true }).click();
    await page.getByText('Une règle fait au moins une action').waitFor({ timeout: 10_000 });
    await page.getByRole('button', { name: 'Annuler' }).click();
    expect((await t.db.query(`SELECT count(*)::int AS n FROM routing_rule`)).rows[0].n).toBe(0);

    await addRule({ name: 'Écoles', words: 'cantine\ninscription', team: 'Scolarité' });
    await addRule({ name: 'Voirie', words: 'nid de poule\ntrottoir', team: 'Services techniques', priority: 'Urgente' });
    const voirie = rules.filter({ hasText: 'Voirie' });
    expect(await voirie.innerText()).toMatch(
      /Si Mots : « nid de poule », « trottoir »\s+Alors Service : Services techniques ; Priorité : Urgente/,
    );

    // Keyboard: « Monter » on the second rule, Enter; the focus stays on the moved rule's button.
    const up = page.getByRole('button', { name: 'Monter Voirie' });
    await up.focus();
    await page.keyboard.press('Enter');
    await expectEventually(async () => {
      const { rows } = await t.db.query(`SELECT name FROM routing_rule ORDER BY position`);
      expect(rows.map((r) => r.name)).toEqual(['Voirie', 'Écoles']);
    });
    await expectEventually(async () => expect(await rules.first().innerText()).toMatch(/^Voirie/));
    expect(await page.evaluate(() => document.activeElement?.textContent ?? '')).toMatch(/^(Monter|Modifier) Voirie/);

    const routed = async () => (await t.db.query(`SELECT count(*)::int AS n FROM conversation_routing`)).rows[0].n as number;
    const routedBefore = await routed();
    // Dry run: accents, case and endings are ignored, as in routing itself.
    await page.getByRole('textbox', { name: 'Objet' }).fill('Trottoirs abîmés');
    await page.getByRole('textbox', { name: 'Message' }).fill('Bonjour, il y a des NIDS DE POULES rue Pasteur.');
    await page.getByRole('button', { name: 'Tester' }).click();
    const result = page.getByTestId('routing-dry-result');
    await expectEventually(async () => expect(await result.innerText()).toContain('Règle appliquée : n° 1, « Voirie ».'));
    expect(await result.innerText()).toContain('Écoles : non remplie : Mots');
    // What the rule would do, action by action.
    const outcome = page.getByTestId('routing-dry-outcome');
    expect(await outcome.innerText()).toMatch(/^Service : Services techniques\s+Priorité : Urgente$/);
    // A citizen who chose a démarche of État civil on the form keeps it and its service: the dry run says so.
    await page
      .getByLabel('Démarche choisie (formulaire ou courrier)')
      .selectOption({ label: "Copie intégrale d'acte de naissance" });
    await page.getByRole('button', { name: 'Tester' }).click();
    await expectEventually(async () =>
      expect(await outcome.innerText()).toMatch(
        /^Service « Services techniques » : ne s’applique pas, la démarche choisie par l’usager sur le formulaire l’emporte, avec son service : la demande reste au service État civil\s+Priorité : Urgente$/,
      ),
    );
    expect(await routed()).toBe(routedBefore);
    expect(await seriousAxeViolations(page)).toEqual([]);
    await page.screenshot({ path: join(shots, 'admin-routing.png'), fullPage: true });
    await result.scrollIntoViewIfNeeded();
    await page.screenshot({ path: join(shots, 'admin-routing-dry-run.png') });

    // Editing a rule: disable « Écoles » from its form, then delete it (two presses).
    await page.getByRole('button', { name: 'Modifier Écoles' }).click();
    await page.getByRole('checkbox', { name: 'Règle active' }).uncheck();
    expect(await seriousAxeViolations(page)).toEqual([]);
    await page.getByRole('group', { name: 'Actions' }).scrollIntoViewIfNeeded();
    await page.screenshot({ path: join(shots, 'admin-routing-editor.png') });
    await page.getByRole('button', { name: 'Enregistrer', exact: true }).click();
    await rules.filter({ hasText: 'Écoles (désactivée)' }).waitFor({ timeout: 10_000 });
    await page.getByRole('button', { name: 'Supprimer Écoles' }).click();
    await page.getByRole('button', { name: 'Confirmer la suppression Écoles' }).click();
    await expectEventually(async () => {
      const { rows } = await t.db.query(`SELECT name, position FROM routing_rule ORDER BY position`);
      expect(rows).toEqual([{ name: 'Voirie', position: 1 }]);
    });
  });
});
