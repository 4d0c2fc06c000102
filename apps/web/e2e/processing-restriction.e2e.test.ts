import { launchBrowserPool, type BrowserPool } from '@guichet/testing';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { startTestApp, type TestApp } from '../../api/test/harness';
import { expectAccessible as accessible, signInDemo, webPaths } from './demo-session';

/**
 * A limitation of processing in real Chromium (RGPD art. 18, issue 16): a supervisor marks the
 * request a limitation request and grants it with a reason; the banner shows on the file's header
 * and on the citizen card, in French, with the lift button — a warning on the citizen's earlier
 * file, which it freezes (its composer closed, said why), a lighter notice on the request itself,
 * still processed; axe-clean.
 */
describe('limitation of processing in Chromium', () => {
  const { dist, shots } = webPaths();
  let t: TestApp;
  let pool: BrowserPool;
  let page: Page;
  let conversationId = '';
  let earlierId = '';
  const SUBJECT = `Gel de mes données ${Date.now()}`;
  const EARLIER = `Copie d’acte ${Date.now()}`;

  beforeAll(async () => {
    t = await startTestApp({ webDistDir: dist, seedDemo: true });
    pool = await launchBrowserPool();
    const org = await t.http('GET', '/api/v1/public/organizations/demo');
    const team = (org.body.teams as { id: string; name: string }[]).find((x) => x.name === 'État civil')!;
    const email = `odile.marchand.${Date.now()}@example.fr`;
    // The same citizen's earlier request (the limitation freezes it), then the rights request.
    for (const [subject, body] of [
      [EARLIER, 'Bonjour, je voudrais une copie de mon acte de naissance.'],
      [
        SUBJECT,
        'Je conteste l’exactitude de mon adresse : merci de geler mes données le temps de vérifier (article 18 du RGPD).',
      ],
    ]) {
      const created = await t.http('POST', '/api/v1/public/organizations/demo/requests', {
        body: { teamId: team.id, name: 'Odile Marchand', email, subject, body },
        headers: { 'x-forwarded-for': '10.9.3.1' },
      });
      expect(created.status).toBe(201);
    }
    const { rows } = await t.db.query(`SELECT id, contact_id FROM conversation WHERE subject = ANY($1) ORDER BY subject = $2`, [
      [EARLIER, SUBJECT],
      SUBJECT,
    ]);
    expect(rows[0].contact_id).toBe(rows[1].contact_id);
    [earlierId, conversationId] = [rows[0].id, rows[1].id];
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
    // The rights request is still processed: a lighter notice, and the composer as usual.
    await header.getByText(/pour les dossiers antérieurs de l’usager\. Ce dossier-ci reste traité/).waitFor();
    expect(await header.getAttribute('data-frozen')).toBe('false');
    expect(await page.getByTestId('composer-frozen').count()).toBe(0);
    expect(await page.getByTestId('composer-input').getAttribute('readonly')).toBeNull();
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

  it('on the earlier file it freezes: the warning, and a composer that says why nothing can be added', async () => {
    await page.goto(`${t.url}/#/conversations/${earlierId}?view=all&status=open`);
    const messages = async () =>
      (await t.db.query(`SELECT count(*)::int AS n FROM message WHERE conversation_id = $1`, [earlierId])).rows[0].n as number;
    const before = await messages();
    const header = page.locator('.detail-header [data-testid="restriction-banner"]');
    await header.getByText(/Traitement limité \(RGPD art\. 18\) depuis le .*, accordé par .* : ce dossier est gelé\./).waitFor();
    expect(await header.getAttribute('data-frozen')).toBe('true');
    const frozen = page.getByTestId('composer-frozen');
    await frozen.getByText(/ni réponse ni note ne peuvent y être ajoutées/).waitFor();
    // Read-only yet reachable by keyboard, the reason as its description; sending is disabled, said why.
    const box = page.getByTestId('composer-input');
    // Its placeholder says the file is frozen, not « Répondre… » or « Note… ».
    expect(await box.getAttribute('placeholder')).toBe('Dossier gelé (RGPD art. 18) : rien ne peut y être ajouté');
    await box.focus();
    expect(await box.evaluate((el) => el === document.activeElement && (el as HTMLTextAreaElement).readOnly)).toBe(true);
    const describedBy = async (selector: string) =>
      page.evaluate(
        (sel) =>
          (document.querySelector(sel)?.getAttribute('aria-describedby') ?? '')
            .split(' ')
            .map((id) => document.getElementById(id)?.textContent ?? '')
            .join(' '),
        selector,
      );
    expect(await describedBy('[data-testid="composer-input"]')).toContain('gelé par la limitation du traitement');
    const send = page.locator('.composer button[type="submit"]');
    expect(await send.getAttribute('aria-disabled')).toBe('true');
    expect(await describedBy('.composer button[type="submit"]')).toContain('ni réponse ni note');
    expect(await page.getByTestId('composer-canned').count()).toBe(0);
    // Enter on the button sends nothing.
    await send.focus();
    await page.keyboard.press('Enter');
    // No call can be logged there either: the form gives way to why.
    await page.getByRole('button', { name: 'Consigner un appel…' }).click();
    await page
      .getByTestId('log-call-frozen')
      .getByText(/aucun appel ni passage à l’accueil ne peut y être consigné/)
      .waitFor();
    expect(await page.getByRole('button', { name: 'Consigner', exact: true }).count()).toBe(0);
    await accessible(page, 'frozen file and its composer');
    await page.screenshot({ path: join(shots, 'processing-restriction-frozen.png') });
    expect(await messages()).toBe(before);
  });
});
