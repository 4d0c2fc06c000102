import { expectEventually, launchBrowserPool, startSmtpCapture, type BrowserPool, type SmtpCapture } from '@guichet/testing';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { tokenHash } from '../../api/src/modules/auth/auth.repository';
import { orgSmtpSettings, startTestApp, type TestApp } from '../../api/test/harness';
import { expectAccessible, signInDemo, webPaths } from './demo-session';

/**
 * Issue 13, letters in Chromium on the demo town: an agent of État civil registers a paper letter
 * from the keyboard (« c »), with its scan; the file opens on the letter, its acknowledgement is a
 * letter to print, the agent answers on paper, prints the answer and marks it posted; forwarded to
 * another administration (L114-2), the answer not posted yet is withdrawn, no longer offered for printing.
 */
describe('letters (courrier papier) in Chromium', () => {
  let t: TestApp;
  let pool: BrowserPool;
  let page: Page;
  let smtp: SmtpCapture;
  const { dist, shots } = webPaths();

  /** A bearer token of the demo agent with this address (what the API calls of a test use). */
  async function tokenOf(email: string): Promise<string> {
    const token = randomBytes(32).toString('base64url');
    await t.db.query(
      `INSERT INTO agent_session (token_hash, agent_id, expires_at) SELECT $1, id, now() + interval '1 hour' FROM agent WHERE email = $2`,
      [tokenHash(token), email],
    );
    return token;
  }

  beforeAll(async () => {
    [t, pool, smtp] = await Promise.all([
      startTestApp({ webDistDir: dist, seedDemo: true }),
      launchBrowserPool(),
      startSmtpCapture(),
    ]);
    // The demo town acknowledges requests (its admin's setting), and signs replies (L111-2).
    await t.db.query(`UPDATE organization SET acknowledgements = '{"enabled": true}', sign_replies = true WHERE slug = 'demo'`);
    page = await signInDemo(pool, t.url, 'sophie.marchand@demo.guichet.fr');
  });
  afterAll(async () => {
    await pool?.close();
    await t?.close();
    await smtp?.close();
  });

  it('registers a letter from the keyboard, opens its file, and prints and posts its acknowledgement', async () => {
    // « c » from anywhere but a text field (the shortcuts' rule).
    await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
    await page.keyboard.press('c');
    const title = page.getByRole('heading', { name: 'Enregistrer un courrier reçu' });
    await title.waitFor({ timeout: 10_000 });
    await page.getByLabel('Nom et prénom').fill('Odette Lettre');
    await page.getByLabel('Adresse postale').fill('5 chemin des Vignes\n99000 Démo');
    await page.getByLabel('Objet').fill('Copie d’acte de mariage');
    await page.getByLabel('Résumé du courrier').fill('Demande une copie intégrale de son acte de mariage, célébré en 1987.');
    await page
      .getByLabel('Scan du courrier (PDF, JPEG ou PNG)')
      .setInputFiles([{ name: 'courrier-odette.pdf', mimeType: 'application/pdf', buffer: Buffer.from('%PDF-1.4\n% scan\n') }]);
    await page.screenshot({ path: join(shots, 'letters-register.png'), fullPage: true });
    await expectAccessible(page, 'register a letter');
    await page.getByRole('button', { name: 'Enregistrer le courrier' }).click();

    const from = page.getByTestId('letter-from');
    await from.waitFor({ timeout: 10_000 });
    expect(await from.innerText()).toMatch(
      /^Courrier reçu le \d{1,2}(er)? \p{L}+ \d{4} — expéditeur : Odette Lettre, 5 chemin des Vignes, 99000 Démo$/u,
    );
    // No démarche given: the paper acknowledgement of the letter (no electronic registration text).
    const ack = page.getByTestId('message').filter({ hasText: 'votre courrier, enregistré sous la référence' });
    await ack.waitFor({ timeout: 15_000 });
    expect(await ack.getByTestId('delivery-status').innerText()).toContain('À imprimer et à poster');
    const href = await ack.getByTestId('print-letter').getAttribute('href');
    expect(href).toMatch(/^\/api\/v1\/conversations\/[0-9a-f-]{36}\/messages\/[0-9a-f-]{36}\/letter$/);
    await page.screenshot({ path: join(shots, 'letters-file.png') });
    await expectAccessible(page, 'letter file');

    // The printable letter, in a page of its own (the session cookie opens it).
    const printable = await page.context().newPage();
    await printable.goto(`${t.url}${href}`);
    await printable.getByText('Odette Lettre').first().waitFor({ timeout: 10_000 });
    expect(await printable.locator('.facts').innerText()).toContain('Objet : Accusé de réception de votre courrier');
    const letterText = await printable.locator('main').innerText();
    expect(letterText).toMatch(/Nous avons bien reçu le \d{1,2}(er)? \p{L}+ \d{4} votre courrier/u);
    expect(letterText).toContain('Il a été confié au service État civil');
    expect(letterText).toContain('article L112-6');
    expect(letterText).toContain('article L112-3');
    expect(letterText).not.toMatch(/L112-8|L112-11|électronique|d’enregistrement/);
    await printable.screenshot({ path: join(shots, 'letters-printable-acknowledgement.png'), fullPage: true });
    await printable.close();

    await ack.getByTestId('mark-posted').focus();
    await page.keyboard.press('Enter');
    await expectEventually(
      async () => expect(await ack.getByTestId('delivery-status').innerText()).toMatch(/^Envoyé par courrier le /),
      {
        timeoutMs: 10_000,
      },
    );
    expect(await ack.getByTestId('mark-posted').count()).toBe(0);
  });

  it('answers on paper: the reply waits to be printed and posted', async () => {
    await page.getByTestId('composer-input').fill('Madame,\n\nvous trouverez ci-joint la copie demandée.');
    await page.getByTestId('composer-input').press('Control+Enter');
    const reply = page.getByTestId('message').filter({ hasText: 'vous trouverez ci-joint la copie demandée.' });
    await reply.waitFor({ timeout: 10_000 });
    await expectEventually(
      async () => expect(await reply.getByTestId('delivery-status').innerText()).toContain('À imprimer et à poster'),
      {
        timeoutMs: 10_000,
      },
    );
    await page.screenshot({ path: join(shots, 'letters-reply.png') });
    await expectAccessible(page, 'letter reply');
  });

  it('withdraws the answer not posted when the request goes to the competent administration: no longer offered for printing', async () => {
    const reply = page.getByTestId('message').filter({ hasText: 'vous trouverez ci-joint la copie demandée.' });
    expect(await reply.getByTestId('print-letter').count()).toBe(1);
    // The town's outgoing mail through the SMTP capture; the transfer made through the API, the
    // agent's screen open on the file.
    const put = await t.http('PUT', '/api/v1/organization/mail-settings', {
      token: await tokenOf('admin@demo.guichet.fr'),
      body: orgSmtpSettings(smtp, 'mairie@demo.guichet.fr'),
    });
    expect(put.status).toBe(200);
    const id = /#\/conversations\/([0-9a-f-]{36})/.exec(page.url())![1]!;
    const token = await tokenOf('sophie.marchand@demo.guichet.fr');
    const { body: file } = await t.http<{ version: number }>('GET', `/api/v1/conversations/${id}`, { token });
    const res = await t.http<{ citizenMessageId: string }>('POST', `/api/v1/conversations/${id}/transfer-administration`, {
      token,
      body: {
        administration: { name: 'Préfecture du Val-de-Démo', email: 'pref-etat-civil@val-de-demo.gouv.fr' },
        note: 'Acte de mariage célébré hors de la commune : à instruire par vos services.',
        version: file.version,
      },
    });
    expect(res.status).toBe(201);

    // Live: the answer says it will not be posted, and why; nothing offers to print or post it.
    await expectEventually(
      async () =>
        expect(await reply.getByTestId('delivery-status').innerText()).toMatch(
          /^Non posté, à ne pas envoyer : demande transmise à Préfecture du Val-de-Démo le \d{1,2}(er)? \p{L}+ \d{4} \(article L114-2 du CRPA\)$/u,
        ),
      { timeoutMs: 10_000 },
    );
    expect(await reply.getByTestId('print-letter').count()).toBe(0);
    expect(await reply.getByTestId('mark-posted').count()).toBe(0);
    // The letter telling the citizen of the transfer is the one to print and post.
    const notice = page.locator(`[data-message-id="${res.body.citizenMessageId}"]`);
    await notice.waitFor({ timeout: 10_000 });
    expect(await notice.getByTestId('delivery-status').innerText()).toContain('À imprimer et à poster');
    expect(await notice.getByTestId('print-letter').count()).toBe(1);
    await reply.scrollIntoViewIfNeeded();
    await page.screenshot({ path: join(shots, 'letters-withdrawn.png') });
    await expectAccessible(page, 'letter withdrawn');
  });
});
