import { randomBytes } from 'node:crypto';
import { expectEventually, launchBrowserPool, startSmtpCapture, type BrowserPool, type SmtpCapture } from '@guichet/testing';
import { join } from 'node:path';
import { tokenHash } from '../../api/src/modules/auth/auth.repository';
import { orgSmtpSettings, startTestApp, type TestApp } from '../../api/test/harness';
import { expectAccessible, signInDemo, webPaths } from './demo-session';

/** Issue 13 in Chromium: a service change needs a note; a request forwarded to the competent administration (L114-2). */
describe('transfers in Chromium', () => {
  const { dist, shots } = webPaths();
  let t: TestApp;
  let pool: BrowserPool;
  let smtp: SmtpCapture;

  beforeAll(async () => {
    [smtp, t] = await Promise.all([startSmtpCapture(), startTestApp({ webDistDir: dist, seedDemo: true })]);
    pool = await launchBrowserPool();
    // The town's outgoing mail goes through the SMTP capture (set by the demo admin, through the API).
    const token = randomBytes(32).toString('base64url');
    await t.db.query(
      `INSERT INTO agent_session (token_hash, agent_id, expires_at)
       SELECT $1, id, now() + interval '1 hour' FROM agent WHERE email = 'admin@demo.guichet.fr'`,
      [tokenHash(token)],
    );
    const put = await t.http('PUT', '/api/v1/organization/mail-settings', {
      token,
      body: orgSmtpSettings(smtp, 'mairie@demo.guichet.fr'),
    });
    expect(put.status).toBe(200);
  });
  afterAll(async () => {
    await pool?.close();
    await t?.close();
    await smtp?.close();
  });

  it('asks for a note when a file moves to another service, and forwards one to a préfecture with the citizen told', async () => {
    const page = await signInDemo(pool, t.url, 'sophie.marchand@demo.guichet.fr');
    const { rows } = await t.db.query(
      `SELECT c.id, c.reference FROM conversation c JOIN agent a ON a.id = c.assignee_id
        WHERE a.email = 'sophie.marchand@demo.guichet.fr' AND c.status = 'open'
          AND (SELECT ch.kind FROM message m JOIN channel ch ON ch.id = m.channel_id
                WHERE m.conversation_id = c.id AND m.direction = 'inbound' ORDER BY m.created_at DESC LIMIT 1)
              IN ('email', 'webform')
        LIMIT 1`,
    );
    const file = rows[0];
    await page.goto(`${t.url}/#/conversations/${file.id}?view=mine&status=open`);
    await page.getByTestId('conversation-detail').waitFor({ timeout: 10_000 });

    // Another service: the note for it is required.
    await page.getByTestId('action-handover').click();
    await page.getByTestId('handover-team').selectOption({ label: 'Scolarité' });
    await page.getByRole('button', { name: 'Transmettre', exact: true }).click();
    await page.getByText('Écrivez une note pour le service qui reçoit la conversation.').waitFor({ timeout: 5000 });
    // The field says it is required for another service, and is marked invalid (the API refuses it too).
    const noteField = page.getByTestId('handover-note');
    expect(await noteField.getAttribute('aria-required')).toBe('true');
    expect(await noteField.getAttribute('aria-invalid')).toBe('true');
    await page.getByTestId('handover-team').selectOption({ label: 'Même service' });
    expect(await noteField.getAttribute('aria-required')).toBe('false');

    // L114-2: offered in the same « Transmettre… » panel.
    await page.getByTestId('action-transfer-administration').click();
    const form = page.getByTestId('administration-transfer-form');
    const name = form.getByLabel('Administration compétente');
    await expectEventually(async () => expect(await name.evaluate((e) => e === document.activeElement)).toBe(true));
    await page.keyboard.type('Préfecture de la Loire-Atlantique');
    await form.getByLabel('Son adresse e-mail').fill('pref-etrangers@loire-atlantique.gouv.fr');
    await form.getByRole('button', { name: 'Transmettre la demande' }).click();
    await form.getByText('un mot pour l’administration qui reçoit la demande est obligatoire').waitFor({ timeout: 5000 });
    await form
      .getByLabel('Message pour cette administration (obligatoire)')
      .fill('Titre de séjour : compétence de la préfecture.');
    await expectAccessible(page, 'administration transfer form');
    await page.screenshot({ path: join(shots, 'administration-transfer-form.png') });
    await form.getByRole('button', { name: 'Transmettre la demande' }).click();

    await page
      .getByText(/Demande transmise à Préfecture de la Loire-Atlantique \(pref-etrangers@loire-atlantique\.gouv\.fr\)/)
      .waitFor({
        timeout: 10_000,
      });
    await expectEventually(async () => {
      const { rows: now } = await t.db.query(`SELECT status, due_at FROM conversation WHERE id = $1`, [file.id]);
      expect(now[0]).toEqual({ status: 'closed', due_at: null });
    });
    await expectEventually(async () =>
      expect(smtp.messages.some((m) => m.to.includes('pref-etrangers@loire-atlantique.gouv.fr'))).toBe(true),
    );
    await page
      .getByText(/relève de la compétence de : Préfecture de la Loire-Atlantique/)
      .first()
      .waitFor({ timeout: 10_000 });
    await page
      .getByTestId('conversation-detail')
      .locator('.status-pill', { hasText: 'Transmise à Préfecture de la Loire-Atlantique' })
      .waitFor({ timeout: 5000 });
    await page.screenshot({ path: join(shots, 'administration-transfer-timeline.png') });
    await expectAccessible(page, 'conversation transferred to an administration');

    // The citizen writes again quoting the closed file: a new file, whose citizen panel names who held the old one.
    const { rows: from } = await t.db.query(
      `SELECT i.value, ch.id AS channel_id FROM conversation c
         JOIN contact_identity i ON i.contact_id = c.contact_id AND i.kind = 'email'
         JOIN channel ch ON ch.organization_id = c.organization_id AND ch.kind = 'email'
        WHERE c.id = $1 LIMIT 1`,
      [file.id],
    );
    const { conversationId: again } = await t.ingest.ingest({
      channelId: from[0].channel_id,
      externalId: `<${randomBytes(8).toString('hex')}@example.fr>`,
      from: { kind: 'email', value: from[0].value },
      subject: `Re: [${file.reference}] ma demande`,
      text: 'Bonjour, où en est ma demande ?',
    });
    const supervisor = await signInDemo(pool, t.url, 'superviseur@demo.guichet.fr');
    await supervisor.goto(`${t.url}/#/conversations/${again}?view=all&status=open`);
    await supervisor.getByTestId('conversation-detail').waitFor({ timeout: 10_000 });
    const showCitizen = supervisor.getByRole('button', { name: 'Afficher la fiche usager' });
    if (await showCitizen.isVisible()) await showCitizen.click();
    await supervisor
      .getByTestId('previous-assignee')
      .getByText(`Son dossier clos ${file.reference} était suivi par Sophie Marchand.`)
      .waitFor({ timeout: 10_000 });
    await expectAccessible(supervisor, 'returning citizen');
  });
});
