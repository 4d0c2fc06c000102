import { expectEventually, launchBrowserPool, type BrowserPool } from '@guichet/testing';
import { existsSync, mkdirSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { startTestApp, type TestApp } from '../../api/test/harness';
import { seriousAxeViolations } from './axe';

/**
 * The whole front desk in real Chromium against the real API on a seeded demo town: a citizen
 * writes through the public form, two agents and a supervisor work on it side by side, each in
 * their own browser context, and every screen passes axe-core without serious or critical issues.
 */
describe('front desk in Chromium: citizen, agents, supervisor', () => {
  const dist = join(__dirname, '..', 'dist');
  const shots = join(__dirname, '..', '..', '..', '.test-data', 'screenshots');
  let t: TestApp;
  let pool: BrowserPool;
  let citizen: Page;
  let sophie: Page;
  let julien: Page;
  let supervisor: Page;
  let trackingHref = '';
  let reference = '';
  let conversationId = '';
  /** Any alert() that ever opens (hostile HTML running) lands here. */
  const dialogs: string[] = [];

  const SUBJECT = 'Acte de naissance pour un mariage';
  const BODY = 'Bonjour, je me marie en juin et il me faut une copie intégrale de mon acte de naissance. Merci.';
  /** A 2×2 red PNG: the attachment sent through the multipart form and previewed by the agent. */
  const PNG = Buffer.from(
    'iVBORw0KGgoAAAANSUhEUgAAAAIAAAACCAIAAAD91JpzAAAAFklEQVR4nGP8z8DAwMDAxMDAwMDAAAANHQEDasKb6QAAAABJRU5ErkJggg==',
    'base64',
  );
  const REPLY = 'Bonjour Mme Lefèvre, votre copie intégrale est prête : passez la retirer à l’accueil.';

  async function shot(page: Page, name: string): Promise<void> {
    await page.screenshot({ path: join(shots, `${name}.png`) });
  }

  /** axe-core injected into the page: no serious or critical violation allowed on any screen. */
  async function expectAccessible(page: Page, screen: string): Promise<void> {
    const violations = await seriousAxeViolations(page);
    expect({ screen, violations }).toEqual({ screen, violations: [] });
  }

  async function login(page: Page, email: string): Promise<void> {
    await page.goto(t.url);
    await page.getByLabel('Adresse e-mail').fill(email);
    await page.getByLabel('Mot de passe').fill('guichet-demo');
    await page.getByRole('button', { name: 'Se connecter' }).click();
    await page.getByRole('navigation', { name: 'Vues de la boîte de réception' }).waitFor({ timeout: 10_000 });
  }

  function row(page: Page, subject: string) {
    return page.getByTestId('conversation-row').filter({ hasText: subject });
  }

  beforeAll(async () => {
    if (!existsSync(join(dist, 'index.html')))
      throw new Error('apps/web/dist is missing: `pnpm --filter @guichet/web build` first');
    mkdirSync(shots, { recursive: true });
    t = await startTestApp({ webDistDir: dist, seedDemo: true });
    pool = await launchBrowserPool();
    [citizen, sophie, julien, supervisor] = await Promise.all([
      pool.newPage({ viewport: { width: 390, height: 844 } }),
      pool.newPage(),
      pool.newPage(),
      pool.newPage(),
    ]);
    for (const page of [citizen, sophie, julien, supervisor]) {
      page.on('dialog', (dialog) => {
        dialogs.push(dialog.message());
        void dialog.dismiss();
      });
    }
  });
  afterAll(async () => {
    await pool?.close();
    await t?.close();
  });

  it('the login screen and the inbox pass axe', async () => {
    await sophie.goto(t.url);
    await sophie.getByLabel('Adresse e-mail').waitFor();
    await expectAccessible(sophie, 'login');
    await login(sophie, 'sophie.marchand@demo.guichet.fr');
    await sophie
      .getByRole('navigation', { name: 'Vues de la boîte de réception' })
      .getByRole('link', { name: /État civil/ })
      .first()
      .click();
    await sophie.getByTestId('conversation-row').first().waitFor({ timeout: 10_000 });
    // Live counters are in the navigation.
    await expectEventually(async () => expect(await sophie.getByTestId('nav-count').count()).toBeGreaterThan(0), {
      timeoutMs: 5000,
    });
    await expectAccessible(sophie, 'inbox');
    await shot(sophie, 'inbox-etat-civil');
  });

  it('a citizen submits the public form and the request appears in the agent’s list without reload', async () => {
    await citizen.goto(`${t.url}/demandes/demo`);
    await citizen.getByRole('heading', { name: /Écrire à Ville de Démo/ }).waitFor({ timeout: 10_000 });
    await expectAccessible(citizen, 'public form');
    // Submitting empty: the errors are listed and the form is not sent.
    await citizen.getByRole('button', { name: 'Envoyer ma demande' }).click();
    await citizen.getByText('Choisissez le service concerné.').first().waitFor();
    await expectAccessible(citizen, 'public form with errors');
    await shot(citizen, 'public-form-errors');

    await citizen.getByLabel('Service concerné').selectOption({ label: 'État civil' });
    await citizen.getByLabel('Vos nom et prénom').fill('Élodie Lefèvre');
    await citizen.getByLabel('Adresse e-mail').fill('elodie.lefevre@example.fr');
    await citizen.getByLabel('Objet de votre demande').fill(SUBJECT);
    await citizen.getByLabel('Votre message').fill(BODY);
    await citizen
      .getByLabel('Pièces jointes (facultatif)')
      .setInputFiles({ name: 'livret-de-famille.png', mimeType: 'image/png', buffer: PNG });
    await shot(citizen, 'public-form');
    await citizen.getByRole('button', { name: 'Envoyer ma demande' }).click();
    reference = (await citizen.getByTestId('public-reference').textContent({ timeout: 10_000 }))!.trim();
    expect(reference).toMatch(/^GU-/);
    trackingHref = (await citizen.getByTestId('tracking-link').getAttribute('href'))!;
    expect(trackingHref).toContain(`/suivi/${reference}?token=`);
    await expectAccessible(citizen, 'public form sent');
    await shot(citizen, 'public-form-sent');

    // Sophie's État civil list got it live: no reload happened on her page.
    await row(sophie, SUBJECT).waitFor({ timeout: 5000 });
    conversationId = (await row(sophie, SUBJECT).getAttribute('data-conversation-id'))!;
    const { rows } = await t.db.query(`SELECT reference FROM conversation WHERE id = $1`, [conversationId]);
    expect(rows[0].reference).toBe(reference);
  });

  it('the agent opens it, takes it with the keyboard, and a second agent shows as viewing', async () => {
    await row(sophie, SUBJECT).click();
    await sophie.getByTestId('conversation-detail').getByText(BODY).waitFor({ timeout: 5000 });
    await sophie.getByRole('img', { name: 'livret-de-famille.png' }).waitFor({ timeout: 5000 });
    // "a" assigns the conversation to me.
    await sophie.locator('body').press('a');
    await sophie.getByTestId('detail-assignee').getByText('Assignée à vous').waitFor({ timeout: 5000 });

    await login(julien, 'julien.roche@demo.guichet.fr');
    await julien.goto(`${t.url}/#/conversations/${conversationId}?view=all&status=open`);
    await julien.getByTestId('conversation-detail').getByText(BODY).waitFor({ timeout: 5000 });
    await sophie.getByTestId('presence').getByText('Julien Roche consulte').waitFor({ timeout: 5000 });
    await julien.getByTestId('presence').getByText('Sophie Marchand consulte').waitFor({ timeout: 5000 });
    // The list row says it too, for whoever scans the inbox.
    await row(sophie, SUBJECT).getByTestId('row-presence').getByText('Julien Roche consulte').waitFor({ timeout: 5000 });

    // Sophie writes: Julien sees it.
    await sophie.getByTestId('composer-input').fill('Bonjour');
    await julien.getByTestId('presence').getByText('Sophie Marchand écrit…').waitFor({ timeout: 5000 });
    // Julien is warned before he writes a second answer.
    await julien.getByTestId('composer-warning').getByText('Sophie Marchand est en train de répondre').waitFor({ timeout: 5000 });
    await expectAccessible(sophie, 'conversation');
    await shot(sophie, 'conversation-presence');
  });

  it('keeps the draft across a reload, then sends the reply with Ctrl+Enter and the tracking page shows it', async () => {
    await sophie.getByTestId('composer-input').fill(REPLY);
    await sophie.waitForTimeout(500); // the draft is written after a 300 ms pause
    await sophie.reload();
    await expectEventually(async () => expect(await sophie.getByTestId('composer-input').inputValue()).toBe(REPLY), {
      timeoutMs: 10_000,
    });

    // Julien starts an answer of his own before Sophie sends hers.
    await julien.getByTestId('composer-input').fill('Je regarde votre dossier.');
    await sophie.getByTestId('composer-input').press('Control+Enter');
    await sophie.getByTestId('message').filter({ hasText: REPLY }).waitFor({ timeout: 5000 });
    // The socket may show the message a moment before the POST answer empties the box.
    await expectEventually(async () => expect(await sophie.getByTestId('composer-input').inputValue()).toBe(''), {
      timeoutMs: 5000,
    });
    await sophie
      .getByTestId('message')
      .filter({ hasText: REPLY })
      .getByTestId('delivery-status')
      .getByText('Publié sur la page de suivi')
      .waitFor({ timeout: 15_000 });
    // Julien saw the reply arrive in his open timeline.
    await julien.getByTestId('message').filter({ hasText: REPLY }).waitFor({ timeout: 5000 });
    await shot(sophie, 'conversation-replied');

    // His send is refused by the API (409): he is told what changed and keeps his draft.
    await julien.getByTestId('composer-input').press('Control+Enter');
    await julien.getByTestId('composer-conflict').getByText('Sophie Marchand a répondu.').waitFor({ timeout: 5000 });
    expect(await julien.getByTestId('composer-input').inputValue()).toBe('Je regarde votre dossier.');
    await expectAccessible(julien, 'conversation conflict');
    await shot(julien, 'conversation-conflict');
    await julien.getByRole('button', { name: 'Continuer à modifier' }).click();
    await julien.getByTestId('composer-input').fill('');
    const { rows: replies } = await t.db.query(
      // Agents' replies only: Guichet's own acknowledgement (CRPA) is an outbound message too.
      `SELECT count(*)::int AS n FROM message WHERE conversation_id = $1 AND direction = 'outbound' AND author_agent_id IS NOT NULL`,
      [conversationId],
    );
    expect(replies[0].n).toBe(1);

    await citizen.goto(`${t.url}${trackingHref}`);
    await citizen.getByTestId('public-message').filter({ hasText: REPLY }).waitFor({ timeout: 10_000 });
    await expectAccessible(citizen, 'tracking');
    // The citizen answers from the tracking page and the agent sees it live.
    await citizen.getByLabel('Répondre à la mairie').fill('Merci beaucoup, je passe demain.');
    await citizen.getByRole('button', { name: 'Envoyer ma réponse' }).click();
    await citizen
      .getByTestId('public-message')
      .filter({ hasText: 'Merci beaucoup, je passe demain.' })
      .waitFor({ timeout: 5000 });
    await shot(citizen, 'tracking');
    await sophie.getByTestId('message').filter({ hasText: 'Merci beaucoup, je passe demain.' }).waitFor({ timeout: 5000 });
  });

  it('a supervisor reassigns it from the board and the first agent’s list updates live', async () => {
    // Sophie watches "Mes conversations": the request is there since she took it.
    await sophie.getByRole('link', { name: /Mes conversations/ }).click();
    await row(sophie, SUBJECT).waitFor({ timeout: 5000 });

    // Its due date passed an hour ago: the board counts it among its service's overdue files.
    await t.db.query(`UPDATE conversation SET decision_due_at = now() - interval '1 hour' WHERE id = $1`, [conversationId]);
    await login(supervisor, 'superviseur@demo.guichet.fr');
    await supervisor.getByTestId('nav-board').click();
    await supervisor.getByTestId('board-row').first().waitFor({ timeout: 10_000 });
    // Overdue files per service (issue 13), as the database has them.
    const { rows: late } = await t.db.query<{ id: string; n: number }>(
      `SELECT t.id, count(c.id)::int AS n
         FROM team t LEFT JOIN conversation c
           ON c.team_id = t.id AND c.due_at < now() AND c.status IN ('open', 'pending', 'snoozed')
        WHERE t.organization_id = (SELECT organization_id FROM conversation WHERE id = $1)
        GROUP BY t.id`,
      [conversationId],
    );
    expect(late.some((r) => r.n > 0)).toBe(true);
    for (const r of late)
      expect(await supervisor.getByTestId(`board-overdue-${r.id}`).textContent()).toMatch(new RegExp(`^${r.n}(\\s|$)`));
    // Sophie and Julien are connected: the board shows them online.
    await supervisor
      .locator('.load-list__item', { hasText: 'Sophie Marchand' })
      .getByText('en ligne', { exact: true })
      .waitFor({ timeout: 5000 });
    await supervisor
      .locator('.load-list__item', { hasText: 'Camille Perrin' })
      .getByText('hors ligne', { exact: true })
      .waitFor({ timeout: 5000 });
    await expectAccessible(supervisor, 'board');
    await shot(supervisor, 'board');
    const boardRow = supervisor.locator(`[data-testid="board-row"][data-conversation-id="${conversationId}"]`);
    await boardRow.getByRole('checkbox').check();
    await supervisor.getByTestId('board-target').selectOption({ label: 'Julien Roche' });
    await supervisor.getByRole('button', { name: /Réassigner la sélection \(1\)/ }).click();
    await supervisor.getByText('1 conversation réassignée.').first().waitFor({ timeout: 5000 });
    await boardRow.getByText('Julien Roche').waitFor({ timeout: 5000 });

    // Without any reload, the row leaves Sophie's "Mes conversations".
    await row(sophie, SUBJECT).waitFor({ state: 'detached', timeout: 5000 });
    await shot(sophie, 'inbox-after-reassign');
    const { rows } = await t.db.query(`SELECT a.name FROM conversation c JOIN agent a ON a.id = c.assignee_id WHERE c.id = $1`, [
      conversationId,
    ]);
    expect(rows[0].name).toBe('Julien Roche');
  });

  it('shows an email with hostile HTML in a sandbox where nothing runs', async () => {
    const { rows } = await t.db.query(
      `SELECT ch.id, ch.team_id FROM channel ch JOIN organization o ON o.id = ch.organization_id WHERE o.slug = 'demo' AND ch.kind = 'email'`,
    );
    const html =
      '<p>Bonjour, voici <b>ma facture</b>.</p>' +
      '<script>window.parent.__pwned = "script"; alert(1)</script>' +
      '<img src="x" onerror="window.parent.__pwned = \'onerror\'; alert(2)">' +
      '<a href="javascript:window.parent.__pwned = \'link\'; alert(3)">Cliquez ici</a>' +
      '<img src="https://tracker.example/pixel.png" alt="logo">';
    await t.ingest.ingest(
      {
        channelId: rows[0].id,
        externalId: `<hostile-${Date.now()}@example.fr>`,
        from: { kind: 'email', value: 'pirate@example.fr', name: 'Pirate Malveillant' },
        subject: 'Facture piégée',
        text: 'Bonjour, voici ma facture.',
        html,
      },
      { teamId: rows[0].team_id },
    );
    await sophie
      .getByRole('navigation', { name: 'Vues de la boîte de réception' })
      .getByRole('link', { name: /État civil/ })
      .first()
      .click();
    await row(sophie, 'Facture piégée').click();
    const frame = sophie.locator('iframe.email-frame__iframe');
    await frame.waitFor({ timeout: 5000 });
    expect(await frame.getAttribute('sandbox')).toBe('');
    const srcdoc = (await frame.getAttribute('srcdoc')) ?? '';
    expect(srcdoc).toContain('ma facture');
    expect(srcdoc).not.toMatch(/<script|onerror|javascript:/i);
    expect(srcdoc).not.toMatch(/\ssrc="https:\/\/tracker/); // kept as data-remote-src until asked for
    await sophie
      .frameLocator('iframe.email-frame__iframe')
      .getByText('Cliquez ici')
      .click({ timeout: 5000 })
      .catch(() => undefined);
    await sophie.getByRole('button', { name: 'Afficher les images' }).waitFor();
    await expectAccessible(sophie, 'hostile email');
    await shot(sophie, 'conversation-email');
    await sophie.getByRole('button', { name: 'Afficher les images' }).click();
    expect(await frame.getAttribute('srcdoc')).toMatch(/\ssrc="https:\/\/tracker\.example\/pixel\.png"/);
    expect(await sophie.evaluate(() => (window as unknown as { __pwned?: string }).__pwned)).toBeUndefined();
    expect(dialogs).toEqual([]);
  });

  it('renders an e-mail inside its sandbox under the page’s CSP, remote images fetched only once asked for', async () => {
    const hits: string[] = [];
    const images = createServer((req, res) => {
      hits.push(req.url ?? '');
      res.writeHead(200, { 'content-type': 'image/png' }).end(PNG);
    });
    await new Promise<void>((resolve) => images.listen(0, '127.0.0.1', resolve));
    try {
      const pixel = `http://127.0.0.1:${(images.address() as AddressInfo).port}/logo.png`;
      const { rows } = await t.db.query(
        `SELECT ch.id, ch.team_id FROM channel ch JOIN organization o ON o.id = ch.organization_id WHERE o.slug = 'demo' AND ch.kind = 'email'`,
      );
      await t.ingest.ingest(
        {
          channelId: rows[0].id,
          externalId: `<releve-${Date.now()}@example.fr>`,
          from: { kind: 'email', value: 'comptable@example.fr', name: 'Cabinet Comptable' },
          subject: 'Relevé de la régie',
          text: 'Relevé en pièce jointe.',
          html: `<p style="color: rgb(138, 28, 28)">Relevé de la <b>régie</b> ci-joint.</p><img src="${pixel}" alt="Logo du cabinet" width="2" height="2">`,
        },
        { teamId: rows[0].team_id },
      );
      await sophie
        .getByRole('navigation', { name: 'Vues de la boîte de réception' })
        .getByRole('link', { name: /État civil/ })
        .first()
        .click();
      await row(sophie, 'Relevé de la régie').click();
      const body = sophie.frameLocator('iframe.email-frame__iframe').locator('body');
      const paragraph = body.getByText('ci-joint');
      await paragraph.waitFor({ timeout: 5000 });
      // The e-mail's inline styles pass the page's CSP, which a srcdoc document inherits.
      expect(await paragraph.evaluate((p) => getComputedStyle(p).color)).toBe('rgb(138, 28, 28)');
      expect(hits).toEqual([]);
      await sophie.getByRole('button', { name: 'Afficher les images' }).click();
      await expectEventually(async () => expect(hits).toEqual(['/logo.png']), { timeoutMs: 5000 });
      await expectEventually(
        async () =>
          expect(
            await body.getByRole('img', { name: 'Logo du cabinet' }).evaluate((i) => (i as HTMLImageElement).naturalWidth),
          ).toBe(2),
        {
          timeoutMs: 5000,
        },
      );
    } finally {
      await new Promise((resolve) => images.close(resolve));
    }
  });

  it('shows an e-mail’s inline (cid:) image in place under both CSPs, fetched from this origin, and does not list it again', async () => {
    const { rows } = await t.db.query(
      `SELECT ch.id, ch.team_id FROM channel ch JOIN organization o ON o.id = ch.organization_id WHERE o.slug = 'demo' AND ch.kind = 'email'`,
    );
    await t.ingest.ingest(
      {
        channelId: rows[0].id,
        externalId: `<nid-${Date.now()}@example.fr>`,
        from: { kind: 'email', value: 'anne.roux@example.fr', name: 'Anne Roux' },
        subject: 'Nid de poule rue des Lilas',
        text: 'Voici le trou.',
        html: '<p>Voici le trou :</p><img src="cid:part1.nid@example.fr" alt="Photo du trou">',
        attachments: [{ fileName: 'image.png', contentType: 'image/png', content: new Uint8Array(PNG) }],
        meta: { inlineImages: { 'part1.nid@example.fr': 'image.png' } },
      },
      { teamId: rows[0].team_id },
    );
    await sophie
      .getByRole('navigation', { name: 'Vues de la boîte de réception' })
      .getByRole('link', { name: /État civil/ })
      .first()
      .click();
    await row(sophie, 'Nid de poule rue des Lilas').click();
    const frame = sophie.locator('iframe.email-frame__iframe');
    await expectEventually(
      async () =>
        expect(await frame.getAttribute('srcdoc')).toContain(`<img src="data:image/png;base64,${PNG.toString('base64')}"`),
      { timeoutMs: 5000 },
    );
    // The frame's document is replaced when the data: URL comes in (its first one may still hold
    // the broken cid: image): the image of the document that has it, once decoded (or failed).
    const photo = sophie
      .frameLocator('iframe.email-frame__iframe')
      .locator(`img[alt="Photo du trou"][src^="data:image/png;base64,"]`);
    await photo.waitFor({ state: 'attached', timeout: 5000 });
    const decoded = await photo.evaluate(
      (img: HTMLImageElement) =>
        new Promise<{ complete: boolean; width: number }>((resolve) => {
          const done = () => resolve({ complete: img.complete, width: img.naturalWidth });
          if (img.complete) return done();
          img.addEventListener('load', done, { once: true });
          img.addEventListener('error', done, { once: true });
        }),
    );
    expect(decoded).toEqual({ complete: true, width: 2 });
    const message = sophie
      .locator('[data-testid="message"]')
      .filter({ has: sophie.locator('iframe.email-frame__iframe') })
      .last();
    expect(await message.locator('.message__attachments').count()).toBe(0);
  });

  it('logs a counter visit in the timeline', async () => {
    await sophie.getByRole('button', { name: 'Consigner un appel…' }).click();
    await sophie.getByLabel('Type', { exact: true }).first().selectOption({ label: "Visite à l'accueil" });
    await sophie.getByLabel('Sens').selectOption({ value: 'inbound' });
    await sophie.getByLabel('Résumé').fill('Venu déposer la facture papier');
    await expectAccessible(sophie, 'log call form');
    await sophie.getByRole('button', { name: 'Consigner', exact: true }).click();
    await sophie.getByTestId('message').filter({ hasText: 'Venu déposer la facture papier' }).waitFor({ timeout: 5000 });
    await shot(sophie, 'conversation-call-logged');
  });

  it('lists the keyboard shortcuts with "?" and moves through the list with j/k', async () => {
    await sophie.locator('body').press('?');
    await sophie.getByTestId('shortcuts-dialog').getByRole('heading', { name: 'Raccourcis clavier' }).waitFor();
    await expectAccessible(sophie, 'shortcuts');
    await shot(sophie, 'shortcuts');
    await sophie.keyboard.press('Escape');
    const before = sophie.url();
    await sophie.locator('body').press('j');
    await expectEventually(async () => expect(sophie.url()).not.toBe(before), { timeoutMs: 3000 });
    await sophie.locator('body').press('k');
    await expectEventually(async () => expect(sophie.url()).toBe(before), { timeoutMs: 3000 });
    // "/" goes to the search box; a search narrows the list. The conversation opened by "k" may
    // still be loading and take the focus for its title (only when nothing else has it), so the
    // key is pressed again until the search box keeps the focus.
    const focused = () => sophie.evaluate(() => document.activeElement?.id);
    await expectEventually(
      async () => {
        if ((await focused()) !== 'inbox-search') await sophie.keyboard.press('/');
        await sophie.waitForTimeout(200);
        expect(await focused()).toBe('inbox-search');
      },
      { timeoutMs: 5000 },
    );
    await sophie.keyboard.type('facture');
    await sophie.keyboard.press('Enter');
    await row(sophie, 'Facture piégée').waitFor({ timeout: 5000 });
    await shot(sophie, 'search');
  });

  it('shows a failed reply with its reason and sends it again with "Renvoyer"', async () => {
    // A permanent failure, as the outbound worker records it.
    await t.db.query(
      `UPDATE message SET status = 'failed', error = 'Adresse refusée par le serveur' WHERE conversation_id = $1 AND direction = 'outbound' AND kind = 'message'`,
      [conversationId],
    );
    await sophie.goto(`${t.url}/#/conversations/${conversationId}?view=all&status=open`);
    await sophie.reload();
    const reply = sophie.getByTestId('message').filter({ hasText: REPLY });
    await reply.getByText("Échec de l'envoi : Adresse refusée par le serveur").waitFor({ timeout: 10_000 });
    await expectAccessible(sophie, 'failed reply');
    await shot(sophie, 'conversation-failed');
    await reply.getByRole('button', { name: 'Renvoyer' }).click();
    await reply.getByTestId('delivery-status').getByText('Publié sur la page de suivi').waitFor({ timeout: 10_000 });
    expect(await reply.getByRole('button', { name: 'Renvoyer' }).count()).toBe(0);
  });

  it('starts a new conversation by e-mail, assigned to the agent', async () => {
    // The demo's provider channels are seeded disabled (no real server): connect the e-mail one.
    await t.db.query(`UPDATE channel SET enabled = true WHERE kind = 'email'`);
    await sophie.getByTestId('nav-new').click();
    await sophie.getByRole('heading', { name: 'Nouvelle conversation' }).waitFor();
    await expectAccessible(sophie, 'new conversation');
    await sophie.getByLabel("Adresse e-mail de l'usager").fill('gaspard.morel@example.fr');
    await sophie.getByLabel("Nom de l'usager (facultatif)").fill('Gaspard Morel');
    await sophie.getByLabel('Objet').fill('Votre demande de passeport');
    await sophie.getByLabel('Message', { exact: true }).fill('Bonjour, votre passeport est arrivé en mairie.');
    await shot(sophie, 'new-conversation');
    await sophie.getByRole('button', { name: 'Envoyer', exact: true }).click();
    const detail = sophie.getByTestId('conversation-detail');
    await detail.getByRole('heading', { name: 'Votre demande de passeport' }).waitFor({ timeout: 5000 });
    await detail.getByText('Assignée à vous').waitFor();
    await detail.getByTestId('message').filter({ hasText: 'votre passeport est arrivé' }).waitFor();
    await row(sophie, 'Votre demande de passeport').waitFor({ timeout: 5000 });
    const { rows } = await t.db.query(
      `SELECT ci.value FROM contact_identity ci JOIN contact c ON c.id = ci.contact_id WHERE c.name = 'Gaspard Morel'`,
    );
    expect(rows).toEqual([{ value: 'gaspard.morel@example.fr' }]);
  });
});
