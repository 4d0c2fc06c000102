import { launchBrowserPool, type BrowserPool } from '@guichet/testing';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { startTestApp, type TestApp } from '../../api/test/harness';
import { expectAccessible as accessible, signInDemo, webPaths } from './demo-session';

/**
 * Rights requests in real Chromium (issue 16): a supervisor marks a conversation a request of the
 * right of access, extends it by two months (the citizen told in the thread), sends the export as
 * a reply, places and lifts a legal hold with a reason, and rectifies the citizen's name.
 */
describe('rights requests in Chromium', () => {
  const { dist, shots } = webPaths();
  let t: TestApp;
  let pool: BrowserPool;
  let page: Page;
  let conversationId = '';
  const SUBJECT = `Accès à mes données ${Date.now()}`;

  const expectAccessible = (screen: string) => accessible(page, screen);

  beforeAll(async () => {
    t = await startTestApp({ webDistDir: dist, seedDemo: true });
    pool = await launchBrowserPool();
    const org = await t.http('GET', '/api/v1/public/organizations/demo');
    const team = (org.body.teams as { id: string; name: string }[]).find((x) => x.name === 'État civil')!;
    const created = await t.http('POST', '/api/v1/public/organizations/demo/requests', {
      body: {
        teamId: team.id,
        name: 'Gérard Fontenelle',
        email: `gerard.fontenelle.${Date.now()}@example.fr`,
        subject: SUBJECT,
        body: 'Je demande la copie de toutes mes données (article 15 du RGPD).',
      },
      headers: { 'x-forwarded-for': '10.9.2.1' },
    });
    expect(created.status).toBe(201);
    const { rows } = await t.db.query(`SELECT id FROM conversation WHERE subject = $1`, [SUBJECT]);
    conversationId = rows[0].id;
    page = await signInDemo(pool, t.url, 'superviseur@demo.guichet.fr');
  });
  afterAll(async () => {
    await pool?.close();
    await t?.close();
  });

  it('marks the request, extends it with the citizen told, sends the export in the thread', async () => {
    await page.goto(`${t.url}/#/conversations/${conversationId}?view=all&status=open`);
    const panel = page.locator('#citizen-panel');
    await panel.getByRole('heading', { name: 'Demande d’exercice de droits (RGPD)' }).waitFor({ timeout: 15_000 });
    await panel.getByLabel('Type de demande').selectOption({ label: 'Droit d’accès' });
    await panel.getByText(/Réponse due avant le .* \(un mois après réception\)\./).waitFor();
    await panel.getByRole('button', { name: 'Prolonger de deux mois…' }).click();
    await panel.getByLabel('Motif (envoyé à l’usager)').fill('Recherche dans les archives papier');
    await panel.getByRole('button', { name: 'Prolonger et prévenir l’usager' }).click();
    await panel.getByText('Délai prolongé : l’usager a reçu un message avec le motif et la nouvelle date.').waitFor();
    await panel
      .getByText(/Réponse due avant le .* : délai prolongé de deux mois \(Recherche dans les archives papier\)\./)
      .waitFor();
    // The citizen's message in the thread.
    await page
      .getByText(/le délai de réponse est prolongé de deux mois/)
      .first()
      .waitFor();
    await panel.getByRole('button', { name: 'Envoyer ses données à l’usager (ZIP)' }).click();
    await panel.getByText('Export envoyé à l’usager dans la conversation.').waitFor();
    await page
      .getByText(/donnees-[0-9a-f]{8}\.zip/)
      .first()
      .waitFor();
    await expectAccessible('rights request in the citizen panel');
    await page.screenshot({ path: join(shots, 'rights-request.png') });
    const { rows } = await t.db.query(`SELECT kind, extension_reason FROM rights_request WHERE conversation_id = $1`, [
      conversationId,
    ]);
    expect(rows).toEqual([{ kind: 'access', extension_reason: 'Recherche dans les archives papier' }]);
  });

  it('places and lifts a legal hold with a reason; rectifies the citizen’s name', async () => {
    const panel = page.locator('#citizen-panel');
    await panel.getByLabel('Motif de la conservation').fill('Contentieux en cours');
    await panel.getByLabel('Motif de la conservation').press('Enter');
    await panel.getByText(/Conservée depuis le .* par Superviseur Démo/).waitFor();
    await panel.getByText(/« Contentieux en cours »/).waitFor();
    await expectAccessible('legal hold set');
    await page.screenshot({ path: join(shots, 'rights-legal-hold.png') });
    await panel.getByRole('button', { name: 'Lever la conservation légale' }).click();
    await panel.getByText('Pas de conservation légale : la règle de conservation s’applique.').waitFor();

    await panel.getByRole('button', { name: 'Rectifier le nom' }).click();
    await panel.getByLabel('Nom de l’usager').fill('Gérard Fontenelle-Rivière');
    await panel.getByRole('button', { name: 'Enregistrer la rectification' }).click();
    await panel.getByRole('heading', { name: 'Gérard Fontenelle-Rivière' }).waitFor();
    await expectAccessible('name rectified');
    const { rows } = await t.db.query(`SELECT citizen_name FROM conversation WHERE id = $1`, [conversationId]);
    expect(rows[0].citizen_name).toBe('Gérard Fontenelle-Rivière');
  });
});
