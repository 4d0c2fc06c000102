import { twilioSignature } from '@guichet/channels';
import {
  expectEventually,
  launchBrowserPool,
  startSmtpCapture,
  startTwilioServer,
  type BrowserPool,
  type SmtpCapture,
  type TwilioServer,
} from '@guichet/testing';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { startTestApp, type TestApp } from '../../api/test/harness';
import { seriousAxeViolations } from './axe';

const ACCOUNT = 'AC' + 'e'.repeat(32);
const TOKEN = 'auth-token-form-reply-web';
const TOWN_NUMBER = '+33700000055';
const CITIZEN_EMAIL = 'lucie.moreau@example.fr';
const CITIZEN_PHONE = '+33698765432';

/**
 * Issue 21 item 5 in Chromium on the demo town: the citizen sends the form with an e-mail and a
 * phone and is told when and how the answer will come; the agent sees those channels in the
 * composer, answers on the form, and the thread shows the notices that left by e-mail (the town's
 * SMTP, here the capture) and SMS (the Twilio stand-in), « Distribué » once Twilio says so.
 */
describe('a web form’s citizen told of the answer, in Chromium', () => {
  const dist = join(__dirname, '..', 'dist');
  const shots = join(__dirname, '..', '..', '..', '.test-data', 'screenshots');
  let t: TestApp;
  let pool: BrowserPool;
  let smtp: SmtpCapture;
  let twilio: TwilioServer;
  let smsChannel = '';
  let conversationId = '';
  let reference = '';
  let admin = '';

  async function signIn(page: Page, email: string): Promise<void> {
    await page.goto(t.url);
    await page.getByLabel('Adresse e-mail').fill(email);
    await page.getByLabel('Mot de passe').fill('guichet-demo');
    await page.getByRole('button', { name: 'Se connecter' }).click();
    await page.getByRole('navigation', { name: 'Vues de la boîte de réception' }).waitFor({ timeout: 10_000 });
  }

  async function expectAccessible(page: Page, screen: string): Promise<void> {
    expect({ screen, violations: await seriousAxeViolations(page) }).toEqual({ screen, violations: [] });
  }

  beforeAll(async () => {
    if (!existsSync(join(dist, 'index.html')))
      throw new Error('apps/web/dist is missing: `pnpm --filter @guichet/web build` first');
    mkdirSync(shots, { recursive: true });
    delete process.env.HTTP_PROXY;
    delete process.env.HTTPS_PROXY;
    [smtp, twilio, t, pool] = await Promise.all([
      startSmtpCapture(),
      startTwilioServer(),
      startTestApp({ webDistDir: dist, seedDemo: true }),
      launchBrowserPool(),
    ]);
    twilio.addAccount(ACCOUNT, TOKEN);
    // The admin connects the town's outgoing mail and an SMS number (the demo's point nowhere).
    admin = (await t.http('POST', '/api/v1/auth/login', { body: { email: 'admin@demo.guichet.fr', password: 'guichet-demo' } }))
      .body.token as string;
    const { rows } = await t.db.query(`SELECT id FROM team WHERE name = 'État civil'`);
    const mail = await t.http('PUT', '/api/v1/organization/mail-settings', {
      token: admin,
      body: {
        mode: 'smtp',
        fromAddress: 'ne-pas-repondre@demo.guichet.fr',
        fromName: 'Ville de Démo',
        host: smtp.host,
        port: smtp.port,
        secure: false,
        user: smtp.user,
        password: smtp.password,
      },
    });
    expect(mail.status).toBe(200);
    await t.db.query(`UPDATE channel SET enabled = false WHERE kind = 'sms'`);
    const sms = await t.http('POST', '/api/v1/channels', {
      token: admin,
      body: {
        kind: 'sms',
        name: 'SMS de la mairie',
        teamId: rows[0].id,
        config: { accountSid: ACCOUNT, authToken: TOKEN, apiBaseUrl: twilio.url, phoneNumber: TOWN_NUMBER },
      },
    });
    expect(sms.status).toBe(201);
    smsChannel = sms.body.id;
  });
  afterAll(async () => {
    await pool?.close();
    await t?.close();
    await Promise.all([smtp?.close(), twilio?.close()]);
  });

  it('the confirmation page says when the answer comes and that it will be told by e-mail and SMS', async () => {
    const page = await pool.newPage({ viewport: { width: 1280, height: 720 } });
    await page.goto(`${t.url}/demandes/demo`);
    await page.getByLabel('Service concerné').selectOption({ label: 'État civil' });
    await page.getByLabel('Vos nom et prénom').fill('Lucie Moreau');
    // Issue 21 item 9: an address the browser lets through but the town cannot write to is
    // pointed at on its field, with a French reason (not « requête invalide »).
    await page.getByLabel('Adresse e-mail').fill('lucie.moreau@exemple');
    await page.getByLabel('Numéro de téléphone').fill('06 98 76 54 32');
    await page.getByLabel('Objet de votre demande').fill('Livret de famille');
    await page.getByLabel('Votre message').fill('Bonjour, comment obtenir un second livret de famille ?');
    await page.getByRole('button', { name: 'Envoyer ma demande' }).click();
    await page.locator('#err-email').getByText('Adresse e-mail invalide', { exact: false }).waitFor({ timeout: 10_000 });
    expect(await page.getByLabel('Adresse e-mail').getAttribute('aria-invalid')).toBe('true');
    expect(await page.getByLabel('Objet de votre demande').inputValue()).toBe('Livret de famille');
    await expectAccessible(page, 'form with a wrong e-mail');
    await page.getByLabel('Adresse e-mail').fill(CITIZEN_EMAIL);
    await page.getByRole('button', { name: 'Envoyer ma demande' }).click();
    await page.getByRole('heading', { name: 'Votre demande est bien envoyée' }).waitFor({ timeout: 10_000 });
    const how = page.getByTestId('done-how');
    await how.getByText('Sa réponse sera publiée sur votre page de suivi.', { exact: false }).waitFor();
    await how.getByText(`Vous serez prévenu par courriel à ${CITIZEN_EMAIL} dès qu’elle sera là.`).waitFor();
    await how.getByText(`Vous serez prévenu par SMS au ${CITIZEN_PHONE} dès qu’elle sera là.`).waitFor();
    reference = (await page.getByTestId('public-reference').innerText()).trim();
    await expectAccessible(page, 'form confirmation');
    await page.screenshot({ path: join(shots, 'form-reply-confirmation.png'), fullPage: true });
    await page.close();
    const { rows } = await t.db.query(`SELECT id FROM conversation WHERE reference = $1`, [reference]);
    conversationId = rows[0].id;
  });

  it('the agent answers on the form; the thread shows the reply published and the notices sent, the SMS « Distribué » on Twilio’s word', async () => {
    const sophie = await pool.newPage({ viewport: { width: 1280, height: 720 } });
    await signIn(sophie, 'sophie.marchand@demo.guichet.fr');
    await sophie.goto(`${t.url}/#/conversations/${conversationId}?view=all&status=open`);
    await sophie.getByTestId('conversation-detail').getByText('second livret de famille').waitFor({ timeout: 10_000 });

    // The composer offers the citizen's phone besides the form (the form stays the default).
    await sophie.getByTestId('composer-input').click();
    const channel = sophie.getByLabel('Canal');
    await expectEventually(async () =>
      expect(await channel.locator('option').allInnerTexts()).toEqual([
        "Formulaire en ligne (dernier utilisé par l'usager)",
        `SMS — ${CITIZEN_PHONE}`,
      ]),
    );
    await sophie.getByTestId('composer-input').fill('Bonjour, faites la demande en ligne sur le site de la mairie.');
    await sophie.getByTestId('composer-input').press('Control+Enter');

    const reply = sophie.getByTestId('message').filter({ hasText: 'faites la demande en ligne' }).first();
    await reply.getByTestId('delivery-status').getByText('Publié sur la page de suivi').waitFor({ timeout: 15_000 });
    const emailNotice = sophie
      .getByTestId('message')
      .filter({ hasText: `Avis de réponse envoyé par Guichet à ${CITIZEN_EMAIL}` });
    const smsNotice = sophie
      .getByTestId('message')
      .filter({ hasText: `Avis de réponse envoyé par Guichet par SMS au ${CITIZEN_PHONE}` });
    await emailNotice.getByTestId('delivery-status').getByText('Envoyé').waitFor({ timeout: 15_000 });
    await smsNotice.getByTestId('delivery-status').getByText('Envoyé').waitFor({ timeout: 15_000 });
    expect(smtp.messages.filter((m) => m.to.includes(CITIZEN_EMAIL))).toHaveLength(1);
    const sent = twilio.creates().filter((r) => r.form.To === CITIZEN_PHONE);
    expect(sent).toHaveLength(1);
    expect(sent[0]!.form.Body).toContain(`/suivi/${reference}?token=`);

    // Twilio reports the SMS delivered: the thread says so, live.
    const { rows } = await t.db.query(
      `SELECT external_id FROM message WHERE meta->'formNotice'->>'via' = 'sms' AND conversation_id = $1`,
      [conversationId],
    );
    const path = `/webhooks/twilio/${smsChannel}/status`;
    const params = { MessageSid: rows[0].external_id as string, MessageStatus: 'delivered', AccountSid: ACCOUNT };
    const callback = await fetch(t.url + path, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        'x-twilio-signature': twilioSignature(TOKEN, t.config.publicUrl + path, params),
      },
      body: new URLSearchParams(params).toString(),
    });
    expect(callback.status).toBe(204);
    await smsNotice.getByTestId('delivery-status').getByText('Distribué').waitFor({ timeout: 10_000 });
    await sophie.keyboard.press('Escape');
    await expectAccessible(sophie, 'thread with notices');
    for (const size of [
      { width: 1280, height: 720 },
      { width: 1366, height: 768 },
      { width: 1920, height: 1080 },
    ]) {
      await sophie.setViewportSize(size);
      await smsNotice.scrollIntoViewIfNeeded();
      await sophie.screenshot({ path: join(shots, `form-reply-thread-${size.width}x${size.height}.png`) });
    }
    await sophie.close();
  });

  it('labels (issue 21 item 4): « Étiquettes » sits in the row of actions and opens over the thread; a label set shows on the header’s line of facts and on the list row', async () => {
    const created = await t.http('POST', '/api/v1/labels', { token: admin, body: { name: 'Pièce manquante' } });
    expect(created.status).toBe(201);
    const sophie = await pool.newPage({ viewport: { width: 1280, height: 720 } });
    await signIn(sophie, 'sophie.marchand@demo.guichet.fr');
    await sophie.goto(`${t.url}/#/conversations/${conversationId}?view=all&status=open`);
    const detail = sophie.getByTestId('conversation-detail');
    await detail.getByText('second livret de famille').waitFor({ timeout: 10_000 });
    const toggle = detail.getByTestId('labels-toggle');
    // No row of its own: the button is on a line of the action buttons.
    const [labelsBox, handOverBox] = await Promise.all([
      toggle.boundingBox(),
      detail.getByTestId('action-handover').boundingBox(),
    ]);
    expect(Math.abs(labelsBox!.y - handOverBox!.y)).toBeLessThan(4);
    const headerBefore = (await detail.locator('.detail-header').boundingBox())!.height;
    await toggle.click();
    await detail.getByRole('checkbox', { name: 'Pièce manquante' }).waitFor();
    // Open over the thread: the header does not grow for the list of labels.
    expect((await detail.locator('.detail-header').boundingBox())!.height).toBeLessThanOrEqual(headerBefore + 4);
    // Saved at once: the box follows the file once the server answered (a controlled checkbox).
    await detail.getByRole('checkbox', { name: 'Pièce manquante' }).click();
    await detail
      .locator('.detail-header__meta')
      .getByTestId('label-chip')
      .filter({ hasText: 'Pièce manquante' })
      .waitFor({ timeout: 10_000 });
    await sophie
      .getByTestId('conversation-row')
      .filter({ hasText: 'Livret de famille' })
      .getByTestId('label-chip')
      .filter({ hasText: 'Pièce manquante' })
      .waitFor({ timeout: 10_000 });
    await expectAccessible(sophie, 'labels open');
    await sophie.screenshot({ path: join(shots, 'labels-open-1280x720.png') });
    await sophie.keyboard.press('Escape');
    await toggle.click();
    await sophie.screenshot({ path: join(shots, 'labels-set-1280x720.png') });
    await sophie.close();
  });
});
