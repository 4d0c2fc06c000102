import { expectEventually, launchBrowser, type LaunchedBrowser } from '@guichet/testing';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { startTestApp, type TestApp } from '../../api/test/harness';

/**
 * Issue 20 in Chromium: an agent's own changes (take, reply, resolve) move the inbox counters
 * from the socket's event (the state before beside the file), without asking GET /counts again.
 */
describe('live counters of an agent’s own changes in Chromium', () => {
  const dist = join(__dirname, '..', 'dist');
  const SOPHIE = 'sophie.marchand@demo.guichet.fr';
  let t: TestApp;
  let browser: LaunchedBrowser;

  beforeAll(async () => {
    if (!existsSync(join(dist, 'index.html')))
      throw new Error('apps/web/dist is missing: `pnpm --filter @guichet/web build` first');
    t = await startTestApp({ webDistDir: dist, seedDemo: true });
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  /** The server's counters for Sophie, recounted from the conversations. */
  async function recount(): Promise<{ mine: number; unassigned: number }> {
    const { rows } = await t.db.query<{ mine: number; unassigned: number }>(
      `SELECT count(*) FILTER (WHERE c.assignee_id = a.id AND c.status IN ('open', 'pending'))::int AS mine,
              count(*) FILTER (WHERE c.assignee_id IS NULL AND c.status = 'open'
                                 AND c.team_id IN (SELECT team_id FROM agent_team WHERE agent_id = a.id))::int AS unassigned
         FROM agent a JOIN conversation c ON c.organization_id = a.organization_id
        WHERE a.email = $1`,
      [SOPHIE],
    );
    return rows[0]!;
  }

  it('takes a file, replies and resolves it: the counters follow, no request for them', async () => {
    const { page } = browser;
    // A web form's file of her service, nobody's (the reply goes to the tracking page: the demo town's SMS channel is not connected).
    const { rows } = await t.db.query<{ id: string }>(
      `UPDATE conversation SET assignee_id = NULL
        WHERE id = (SELECT c.id FROM conversation c JOIN agent_team at ON at.team_id = c.team_id JOIN agent a ON a.id = at.agent_id
                     WHERE a.email = $1 AND c.status = 'open' AND c.last_channel_kind = 'webform'
                     ORDER BY c.last_message_at DESC LIMIT 1)
        RETURNING id`,
      [SOPHIE],
    );
    const id = rows[0]!.id;
    const counterRequests: string[] = [];
    page.on('request', (r) => {
      if (new URL(r.url()).pathname === '/api/v1/conversations/counts') counterRequests.push(r.url());
    });

    await page.goto(t.url);
    await page.getByLabel('Adresse e-mail').fill(SOPHIE);
    await page.getByLabel('Mot de passe').fill('guichet-demo');
    await page.getByRole('button', { name: 'Se connecter' }).click();
    const nav = page.getByRole('navigation', { name: 'Vues de la boîte de réception' });
    const count = async (name: RegExp) =>
      Number.parseInt(await nav.getByRole('link', { name }).getByTestId('nav-count').innerText(), 10);
    const shown = async () => ({ mine: await count(/^Mes conversations/), unassigned: await count(/^Non assignées/) });
    await nav
      .getByRole('link', { name: /^Mes conversations/ })
      .getByTestId('nav-count')
      .waitFor({ timeout: 10_000 });
    const start = await recount();
    await expectEventually(async () => expect(await shown()).toEqual(start), { timeoutMs: 10_000 });
    await page.goto(`${t.url}/#/conversations/${id}?view=all&status=open`);
    await page.getByTestId('conversation-detail').waitFor({ timeout: 10_000 });
    // The socket is connected (the page loaded the file): from here on, only events move the counters.
    await page.waitForTimeout(1500);
    counterRequests.length = 0;

    // "a" takes the file: one more of mine, one fewer unassigned.
    await page.locator('body').press('a');
    await page.getByTestId('detail-assignee').getByText('Assignée à vous').waitFor({ timeout: 5000 });
    await expectEventually(
      async () => expect(await shown()).toEqual({ mine: start.mine + 1, unassigned: start.unassigned - 1 }),
      {
        timeoutMs: 5000,
      },
    );

    // A reply, then "e" resolves it: it leaves "mine".
    await page.getByTestId('composer-input').fill('Bonjour, votre demande est traitée.');
    await page.getByTestId('composer-input').press('Control+Enter');
    await page.getByTestId('message').filter({ hasText: 'Bonjour, votre demande est traitée.' }).waitFor({ timeout: 5000 });
    // Out of the composer (letters typed there are text), then the shortcut.
    await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
    await page.locator('body').press('e');
    await expectEventually(
      async () => {
        const { rows: status } = await t.db.query(`SELECT status FROM conversation WHERE id = $1`, [id]);
        expect(status[0].status).toBe('resolved');
      },
      { timeoutMs: 5000 },
    );
    await expectEventually(async () => expect(await shown()).toEqual({ mine: start.mine, unassigned: start.unassigned - 1 }), {
      timeoutMs: 5000,
    });
    expect(await shown()).toEqual(await recount());
    // Past the throttle of the refetch (1 s): none was asked.
    await page.waitForTimeout(1500);
    expect(counterRequests).toEqual([]);
  });
});
