import { launchBrowserPool, type BrowserPool } from '@guichet/testing';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { startTestApp, type TestApp } from '../../api/test/harness';
import { expectAccessible as accessible, signInDemo, webPaths } from './demo-session';

/**
 * Contact merge in real Chromium (issue 16): a Scolarité agent proposes merging two files of the
 * same citizen from the citizen panel; the supervisor opens both files side by side, keeps the
 * absorbed file's name and leaves out an old address, confirms; the citizen's other request shows
 * in the panel; the supervisor undoes it and each file is as before. Screens checked with axe and shot.
 */
describe('contact merge in Chromium', () => {
  const { dist, shots } = webPaths();
  let t: TestApp;
  let pool: BrowserPool;
  const stamp = Date.now();
  const FIRST = `Cantine de Léa ${stamp}`;
  const SECOND = `Garderie de Léa ${stamp}`;
  const SECOND_EMAIL = `nadia.benali.${stamp}@example.net`;
  const FIRST_EMAIL = `nadia.benali.${stamp}@example.fr`;
  let first = '';
  let second = '';

  const expectAccessible = accessible;
  const signIn = (email: string): Promise<Page> => signInDemo(pool, t.url, email);

  beforeAll(async () => {
    t = await startTestApp({ webDistDir: dist, seedDemo: true });
    pool = await launchBrowserPool();
    const org = await t.http('GET', '/api/v1/public/organizations/demo');
    const team = (org.body.teams as { id: string; name: string }[]).find((x) => x.name === 'Scolarité')!;
    for (const [i, [subject, email, name]] of [
      [FIRST, FIRST_EMAIL, 'N. Benali'],
      [SECOND, SECOND_EMAIL, 'Nadia Benali'],
    ].entries()) {
      const created = await t.http('POST', '/api/v1/public/organizations/demo/requests', {
        body: { teamId: team.id, name, email, subject, body: 'Bonjour' },
        headers: { 'x-forwarded-for': `10.9.1.${i + 1}` },
      });
      expect(created.status).toBe(201);
    }
    const { rows } = await t.db.query(`SELECT id, subject FROM conversation WHERE subject = ANY($1)`, [[FIRST, SECOND]]);
    first = rows.find((r) => r.subject === FIRST)!.id;
    second = rows.find((r) => r.subject === SECOND)!.id;
  });
  afterAll(async () => {
    await pool?.close();
    await t?.close();
  });

  it('an agent proposes; the supervisor compares both files side by side, chooses the name and addresses kept, confirms, then undoes it', async () => {
    const agent = await signIn('camille.perrin@demo.guichet.fr');
    await agent.goto(`${t.url}/#/conversations/${first}?view=all&status=open`);
    const panel = agent.locator('#citizen-panel');
    await panel.getByRole('heading', { name: 'Fusion de fiches' }).waitFor({ timeout: 15_000 });
    await panel.getByText('Aucune fusion pour cette fiche.').waitFor();
    await panel.getByRole('button', { name: 'Proposer une fusion…' }).click();
    await panel.getByLabel('Valeur (e-mail, numéro…)').fill(SECOND_EMAIL);
    await panel.getByLabel('Motif').fill('Même parent, deux adresses e-mail');
    await agent.screenshot({ path: join(shots, 'merge-propose-form.png') });
    await panel.getByLabel('Motif').press('Enter');
    await panel.getByText('Fusion proposée : un superviseur doit la confirmer.').waitFor();
    await panel.getByText(/Fiche de Nadia Benali — À confirmer/).waitFor();
    expect(await panel.getByRole('link', { name: 'Comparer les deux fiches et décider' }).count()).toBe(0);
    // Agents propose; they do not confirm.
    expect(await panel.getByRole('button', { name: 'Confirmer la fusion' }).count()).toBe(0);
    await expectAccessible(agent, 'citizen panel with a merge proposed');
    await agent.screenshot({ path: join(shots, 'merge-proposed.png') });

    const supervisor = await signIn('superviseur@demo.guichet.fr');
    await supervisor.goto(`${t.url}/#/conversations/${first}?view=all&status=open`);
    const sPanel = supervisor.locator('#citizen-panel');
    // The supervisor decides with both files side by side.
    const compare = sPanel.getByRole('link', { name: 'Comparer les deux fiches et décider' });
    await compare.waitFor({ timeout: 15_000 });
    await compare.focus();
    await supervisor.keyboard.press('Enter');
    await supervisor.getByRole('heading', { name: 'Fusion de deux fiches d’usager', level: 1 }).waitFor({ timeout: 15_000 });
    const kept = supervisor.getByRole('region', { name: 'Fiche gardée' });
    const absorbed = supervisor.getByRole('region', { name: 'Fiche absorbée' });
    await kept.getByText('N. Benali', { exact: true }).waitFor();
    await kept.getByText(FIRST_EMAIL).waitFor();
    await kept.getByRole('link', { name: FIRST }).waitFor();
    await absorbed.getByText('Nadia Benali', { exact: true }).waitFor();
    await absorbed.getByText(SECOND_EMAIL).waitFor();
    await absorbed.getByRole('link', { name: SECOND }).waitFor();
    await supervisor.getByText(/proposée par .* « Même parent, deux adresses e-mail »/).waitFor();
    await expectAccessible(supervisor, 'merge side by side');
    await supervisor.screenshot({ path: join(shots, 'merge-side-by-side.png'), fullPage: true });
    // Leaving out every contact detail is refused by the form itself, before the API (400).
    const box = (email: string) => supervisor.getByRole('checkbox', { name: new RegExp(email.replace(/\./g, '\\.')) });
    await box(FIRST_EMAIL).uncheck();
    await box(SECOND_EMAIL).uncheck();
    const keepOne = 'Gardez au moins une coordonnée de l’usager : cochez-en une pour confirmer la fusion.';
    await supervisor.getByText(keepOne).waitFor();
    expect(await box(FIRST_EMAIL).getAttribute('aria-invalid')).toBe('true');
    // The button says it cannot act (aria-disabled); pressed with the keyboard anyway:
    await supervisor.getByRole('button', { name: 'Confirmer la fusion' }).focus();
    await supervisor.keyboard.press('Enter');
    // Nothing sent: the first detail has the focus, the merge is still to decide.
    expect(await box(FIRST_EMAIL).evaluate((el) => el === document.activeElement)).toBe(true);
    const mergeId = /#\/fusions\/([^/?]+)/.exec(supervisor.url())![1]!;
    expect((await t.db.query(`SELECT status FROM contact_merge WHERE id = $1`, [mergeId])).rows[0].status).toBe('proposed');
    await expectAccessible(supervisor, 'merge with no contact detail kept');
    await supervisor.screenshot({ path: join(shots, 'merge-keep-one.png'), fullPage: true });
    await box(FIRST_EMAIL).check();
    await box(SECOND_EMAIL).check();
    expect(await supervisor.getByText(keepOne).count()).toBe(0);
    // The absorbed file's full name, and the old address left out, chosen with the keyboard.
    await supervisor.getByRole('radio', { name: /Nadia Benali \(fiche absorbée\)/ }).check();
    await supervisor
      .getByRole('checkbox', { name: new RegExp(`${FIRST_EMAIL.replace(/\./g, '\\.')} \\(fiche gardée\\)`) })
      .focus();
    await supervisor.keyboard.press('Space');
    expect(await supervisor.getByRole('checkbox', { name: new RegExp(FIRST_EMAIL.replace(/\./g, '\\.')) }).isChecked()).toBe(
      false,
    );
    await supervisor.screenshot({ path: join(shots, 'merge-choices.png'), fullPage: true });
    await supervisor.getByRole('button', { name: 'Confirmer la fusion' }).click();
    await supervisor.getByText('Fusion confirmée.').waitFor();
    await supervisor
      .getByText(/1 coordonnée\(s\) et 1 demande\(s\) déplacées\. 1 coordonnée retirée\. Annulable jusqu’au/)
      .waitFor();
    await expectAccessible(supervisor, 'merge confirmed side by side');
    await supervisor.screenshot({ path: join(shots, 'merge-confirmed.png'), fullPage: true });
    const { rows } = await t.db.query(`SELECT contact_id FROM conversation WHERE id = ANY($1) GROUP BY contact_id`, [
      [first, second],
    ]);
    expect(rows).toHaveLength(1);
    const merged = rows[0].contact_id as string;
    const identities = async (contactId: string) =>
      (await t.db.query(`SELECT value FROM contact_identity WHERE contact_id = $1 ORDER BY value`, [contactId])).rows.map(
        (r) => r.value,
      );
    expect((await t.db.query(`SELECT name FROM contact WHERE id = $1`, [merged])).rows[0].name).toBe('Nadia Benali');
    expect(await identities(merged)).toEqual([SECOND_EMAIL]);
    // The kept file, in the panel: both requests, the address kept.
    await supervisor.goto(`${t.url}/#/conversations/${first}?view=all&status=open`);
    await sPanel.getByText(/Fiche de Nadia Benali — Fusionnée/).waitFor({ timeout: 15_000 });
    await sPanel.getByRole('link', { name: new RegExp(SECOND) }).waitFor();
    await sPanel.getByText(SECOND_EMAIL).waitFor();

    // Undone from the side-by-side page: each file exactly as before.
    await supervisor.goBack();
    await supervisor.getByRole('heading', { name: 'Fusion de deux fiches d’usager', level: 1 }).waitFor({ timeout: 15_000 });
    await supervisor.getByRole('button', { name: 'Annuler la fusion' }).click();
    await supervisor.getByText('Fusion annulée : les deux fiches sont de nouveau séparées.').waitFor();
    await supervisor.getByText(/^Annulée/).waitFor();
    await supervisor.screenshot({ path: join(shots, 'merge-undone.png'), fullPage: true });
    const { rows: after } = await t.db.query(`SELECT id, contact_id FROM conversation WHERE id = ANY($1)`, [[first, second]]);
    expect(after).toHaveLength(2);
    const contactOf = (id: string) => after.find((r) => r.id === id)!.contact_id as string;
    expect(contactOf(first)).not.toBe(contactOf(second));
    expect(await identities(contactOf(first))).toEqual([FIRST_EMAIL]);
    expect(await identities(contactOf(second))).toEqual([SECOND_EMAIL]);
    expect((await t.db.query(`SELECT name FROM contact WHERE id = $1`, [contactOf(first)])).rows[0].name).toBe('N. Benali');
    await agent.context().close();
    await supervisor.context().close();
  });
});
