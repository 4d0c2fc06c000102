import { launchBrowserPool, type BrowserPool } from '@guichet/testing';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { startTestApp, type TestApp } from '../../api/test/harness';
import { expectAccessible as accessible, signInDemo, webPaths } from './demo-session';

/**
 * A limitation of processing in real Chromium (RGPD art. 18, issue 16): a supervisor marks the
 * request a limitation request and grants it with a reason; the banner shows on the file's header
 * and on the citizen card, in French, with the lift button; axe-clean.
 */
describe('limitation of processing in Chromium', () => {
  const { dist, shots } = webPaths();
  let t: TestApp;
  let pool: BrowserPool;
  let page: Page;
  let conversationId = '';
  const SUBJECT = `Gel de mes données ${Date.now()}`;

  beforeAll(async () => {
    t = await startTestApp({ webDistDir: dist, seedDemo: true });
    pool = await launchBrowserPool();
    const org = await t.http('GET', '/api/v1/public/organizations/demo');
    const team = (org.body.teams as { id: string; name: string }[]).find((x) => x.name === 'État civil')!;
    const created = await t.http('POST', '/api/v1/public/organizations/demo/requests', {
      body: {
        teamId: team.id,
        name: 'Odile Marchand',
        email: `odile.marchand.${Date.now()}@example.fr`,
        subject: SUBJECT,
        body: 'Je conteste l’exactitude de mon adresse : merci de geler mes données le temps de vérifier (article 18 du RGPD).',
      },
      headers: { 'x-forwarded-for': '10.9.3.1' },
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

  it('grants the limitation; the banner shows on the file and the citizen card', async () => {
    await page.goto(`${t.url}/#/conversations/${conversationId}?view=all&status=open`);
    const panel = page.locator('#citizen-panel');
    await panel.getByRole('heading', { name: 'Demande d’exercice de droits (RGPD)' }).waitFor({ timeout: 15_000 });
    await panel.getByLabel('Type de demande').selectOption({ label: 'Limitation du traitement' });
    await panel.getByRole('heading', { name: 'Accorder la demande' }).waitFor();
    await panel.getByLabel('Motif', { exact: true }).fill('Exactitude de l’adresse contestée, vérification en cours');
    await panel.getByLabel('Jusqu’au (facultatif)').fill('2027-01-31');
    await panel.getByRole('button', { name: 'Accorder la limitation' }).click();
    await panel.getByText('Accordée : le dossier de l’usager l’indique désormais.').waitFor();
    const header = page.locator('.detail-header [data-testid="restriction-banner"]');
    await header.getByText(/Traitement limité \(RGPD art\. 18\) depuis le .*, accordé par /).waitFor();
    await header.getByText(/Prévue jusqu’au 31 janvier 2027/).waitFor();
    await panel
      .locator('[data-testid="restriction-banner"]')
      .getByText(/Traitement limité \(RGPD art\. 18\)/)
      .waitFor();
    await panel.getByRole('button', { name: 'Lever la limitation (l’usager est prévenu)' }).waitFor();
    await accessible(page, 'limitation banner and citizen card');
    await page.screenshot({ path: join(shots, 'processing-restriction.png') });
    const { rows } = await t.db.query(
      `SELECT kind, reason, to_char(until, 'YYYY-MM-DD') AS until FROM processing_restriction WHERE conversation_id = $1`,
      [conversationId],
    );
    expect(rows).toEqual([
      { kind: 'limitation', reason: 'Exactitude de l’adresse contestée, vérification en cours', until: '2027-01-31' },
    ]);
  });
});
