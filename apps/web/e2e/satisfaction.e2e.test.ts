import { expectEventually, launchBrowserPool, type BrowserPool } from '@guichet/testing';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { startTestApp, type TestApp } from '../../api/test/harness';
import { SatisfactionService } from '../../api/src/modules/satisfaction/satisfaction.service';
import { trackingToken } from '../../api/src/modules/public/tracking-token';
import { seriousAxeViolations } from './axe';

/**
 * Issue 15 in Chromium on a phone: the tracking page offers the survey of a resolved request, the
 * citizen answers it from the keyboard without an account, and the agent reads the answer in the
 * file's timeline.
 */
describe('satisfaction survey in Chromium', () => {
  const dist = join(__dirname, '..', 'dist');
  const shots = join(__dirname, '..', '..', '..', '.test-data', 'screenshots');
  const PHONE = { width: 390, height: 844 };
  let t: TestApp;
  let pool: BrowserPool;

  async function expectAccessible(page: Page, screen: string): Promise<void> {
    const violations = await seriousAxeViolations(page);
    expect({ screen, violations }).toEqual({ screen, violations: [] });
  }

  beforeAll(async () => {
    if (!existsSync(join(dist, 'citizen.html')))
      throw new Error('apps/web/dist/citizen.html is missing: `pnpm --filter @guichet/web build` first');
    mkdirSync(shots, { recursive: true });
    t = await startTestApp({ webDistDir: dist, seedDemo: true });
    pool = await launchBrowserPool();
  });
  afterAll(async () => {
    await pool?.close();
    await t?.close();
  });

  it('is offered on the tracking page and answered on a phone from the keyboard; the agent sees it in the timeline', async () => {
    // A web-form request of the demo town that had an answer, in a service that asks at resolution.
    const { rows } = await t.db.query(
      `SELECT c.id, c.reference, c.team_id, c.version FROM conversation c
        WHERE c.status IN ('open', 'pending') AND c.first_response_at IS NOT NULL
          AND (SELECT ch.kind FROM message m JOIN channel ch ON ch.id = m.channel_id
                WHERE m.conversation_id = c.id AND m.direction = 'inbound' AND m.kind = 'message'
                ORDER BY m.created_at DESC LIMIT 1) = 'webform'
          AND NOT EXISTS (SELECT 1 FROM satisfaction_survey s WHERE s.conversation_id = c.id)
        ORDER BY c.created_at LIMIT 1`,
    );
    const c = rows[0] as { id: string; reference: string; team_id: string; version: number };
    expect(c).toBeDefined();
    const admin = (
      await t.http('POST', '/api/v1/auth/login', { body: { email: 'admin@demo.guichet.fr', password: 'guichet-demo' } })
    ).body.token as string;
    expect((await t.http('PUT', `/api/v1/teams/${c.team_id}/satisfaction`, { token: admin, body: { mode: 'on' } })).status).toBe(
      200,
    );
    const resolved = await t.http('PATCH', `/api/v1/conversations/${c.id}`, {
      token: admin,
      body: { status: 'resolved', version: c.version },
    });
    expect(resolved.status).toBe(200);
    const link = await expectEventually(async () => {
      const l = await t.app.get(SatisfactionService).trackingLink(c.id);
      expect(l).not.toBeNull();
      return l!;
    });

    const page = await pool.newPage({ viewport: PHONE });
    await page.goto(`${t.url}/suivi/${c.reference}?token=${trackingToken(t.config.appSecret, c.id)}`);
    const invite = page.getByTestId('survey-link');
    await invite.waitFor();
    expect(await invite.getAttribute('href')).toBe(link.url);
    await expectAccessible(page, 'tracking page with the survey');
    await page.getByRole('heading', { name: 'Votre avis compte' }).scrollIntoViewIfNeeded();
    await page.screenshot({ path: join(shots, 'citizen-tracking-survey.png'), fullPage: true });

    // The link names the public address (guichet.test in tests): the same path on this server.
    await page.goto(`${t.url}${new URL(link.url).pathname}`);
    await page.getByRole('group', { name: 'Globalement, êtes-vous satisfait de la qualité de service ?' }).waitFor();
    expect(await page.locator('html').getAttribute('lang')).toBe('fr');
    await expectAccessible(page, 'survey');
    // Nothing wider than the phone.
    expect(await page.evaluate(() => document.documentElement.scrollWidth <= document.documentElement.clientWidth)).toBe(true);
    await page.screenshot({ path: join(shots, 'citizen-survey-phone.png'), fullPage: true });

    // Sent without a score: the reason, and the page stays accessible.
    await page
      .getByRole('button', { name: 'Envoyer mon avis' })
      .evaluate((b) => void ((b.closest('form') as HTMLFormElement).noValidate = true));
    await page.getByRole('button', { name: 'Envoyer mon avis' }).click();
    await page.getByRole('alert').filter({ hasText: 'Choisissez une note de 0 à 10.' }).waitFor();
    await expectAccessible(page, 'survey with an error');

    // Keyboard only: to the scale, arrows to 8, a comment, send.
    await page.getByRole('radio', { name: 'Note de 0 sur 10' }).focus();
    for (let i = 0; i < 8; i++) await page.keyboard.press('ArrowRight');
    expect(await page.getByRole('radio', { name: 'Note de 8 sur 10' }).isChecked()).toBe(true);
    await page.screenshot({ path: join(shots, 'citizen-survey-chosen.png'), fullPage: true });
    await page.keyboard.press('Tab');
    await page.keyboard.type('Réponse claire, merci.');
    await page.keyboard.press('Tab');
    await page.keyboard.press('Enter');
    await page.getByTestId('survey-done').waitFor();
    expect(await page.getByTestId('survey-done').innerText()).toContain('Votre note : 8 sur 10.');
    await expectAccessible(page, 'survey answered');
    await page.screenshot({ path: join(shots, 'citizen-survey-thanks.png'), fullPage: true });
    await page.context().close();

    // The agent's side: the score in the timeline.
    const agent = await pool.newPage({ viewport: { width: 1600, height: 900 } });
    await agent.goto(t.url);
    await agent.getByLabel('Adresse e-mail').fill('admin@demo.guichet.fr');
    await agent.getByLabel('Mot de passe').fill('guichet-demo');
    await agent.getByRole('button', { name: 'Se connecter' }).click();
    await agent.getByRole('navigation', { name: 'Vues de la boîte de réception' }).waitFor({ timeout: 10_000 });
    await agent.goto(`${t.url}/#/conversations/${c.id}?status=resolved`);
    const answer = agent.getByRole('article', { name: /Avis de satisfaction du citoyen/ });
    await answer.waitFor({ timeout: 10_000 });
    expect(await answer.innerText()).toContain('Avis du citoyen : 8/10 — « Réponse claire, merci. »');
    await expectAccessible(agent, 'timeline with the answer');
    await answer.scrollIntoViewIfNeeded();
    await agent.screenshot({ path: join(shots, 'agent-timeline-survey.png') });
    await agent.context().close();
  });
});
