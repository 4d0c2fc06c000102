import { launchBrowserPool, type BrowserPool } from '@guichet/testing';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { startTestApp, type TestApp } from '../../api/test/harness';
import { expectAccessible as accessible, signInDemo, webPaths } from './demo-session';

/**
 * Contact merge in real Chromium (issue 16): a Scolarité agent proposes merging two files of the
 * same citizen from the citizen panel, the supervisor confirms it there; the citizen's other
 * request shows in the panel; the supervisor undoes it. Screens checked with axe and shot.
 */
describe('contact merge in Chromium', () => {
  const { dist, shots } = webPaths();
  let t: TestApp;
  let pool: BrowserPool;
  const stamp = Date.now();
  const FIRST = `Cantine de Léa ${stamp}`;
  const SECOND = `Garderie de Léa ${stamp}`;
  const SECOND_EMAIL = `nadia.benali.${stamp}@example.net`;
  let first = '';
  let second = '';

  const expectAccessible = accessible;
  const signIn = (email: string): Promise<Page> => signInDemo(pool, t.url, email);

  beforeAll(async () => {
    t = await startTestApp({ webDistDir: dist, seedDemo: true });
    pool = await launchBrowserPool();
    const org = await t.http('GET', '/api/v1/public/organizations/demo');
    const team = (org.body.teams as { id: string; name: string }[]).find((x) => x.name === 'Scolarité')!;
    for (const [i, [subject, email]] of [
      [FIRST, `nadia.benali.${stamp}@example.fr`],
      [SECOND, SECOND_EMAIL],
    ].entries()) {
      const created = await t.http('POST', '/api/v1/public/organizations/demo/requests', {
        body: { teamId: team.id, name: 'Nadia Benali', email, subject, body: 'Bonjour' },
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

  it('an agent proposes, the supervisor confirms, the other request joins the file, then the supervisor undoes it', async () => {
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
    // Agents propose; they do not confirm.
    expect(await panel.getByRole('button', { name: 'Confirmer la fusion' }).count()).toBe(0);
    await expectAccessible(agent, 'citizen panel with a merge proposed');
    await agent.screenshot({ path: join(shots, 'merge-proposed.png') });

    const supervisor = await signIn('superviseur@demo.guichet.fr');
    await supervisor.goto(`${t.url}/#/conversations/${first}?view=all&status=open`);
    const sPanel = supervisor.locator('#citizen-panel');
    const confirm = sPanel.getByRole('button', { name: 'Confirmer la fusion' });
    await confirm.waitFor({ timeout: 15_000 });
    // With the keyboard.
    await confirm.focus();
    await supervisor.keyboard.press('Enter');
    await sPanel.getByText('Fusion confirmée.').waitFor();
    await sPanel.getByText(/Fiche de Nadia Benali — Fusionnée/).waitFor();
    await sPanel.getByText(/1 coordonnée\(s\) et 1 demande\(s\) déplacées\. Annulable jusqu’au/).waitFor();
    // The other request of the citizen is now in this file, with both e-mail addresses.
    await sPanel.getByRole('link', { name: new RegExp(SECOND) }).waitFor();
    await sPanel.getByText(SECOND_EMAIL).waitFor();
    await expectAccessible(supervisor, 'citizen panel after the merge');
    await supervisor.screenshot({ path: join(shots, 'merge-confirmed.png') });
    const { rows } = await t.db.query(`SELECT contact_id FROM conversation WHERE id = ANY($1) GROUP BY contact_id`, [
      [first, second],
    ]);
    expect(rows).toHaveLength(1);

    await sPanel.getByRole('button', { name: 'Annuler la fusion' }).click();
    await sPanel.getByText('Fusion annulée : les deux fiches sont de nouveau séparées.').waitFor();
    await sPanel.getByText(/— Annulée/).waitFor();
    await sPanel.getByText('Aucune autre conversation.').waitFor();
    await supervisor.screenshot({ path: join(shots, 'merge-undone.png') });
    const { rows: after } = await t.db.query(`SELECT DISTINCT contact_id FROM conversation WHERE id = ANY($1)`, [
      [first, second],
    ]);
    expect(after).toHaveLength(2);
    await agent.context().close();
    await supervisor.context().close();
  });
});
