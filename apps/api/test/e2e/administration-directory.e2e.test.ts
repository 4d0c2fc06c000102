import { randomBytes, randomUUID } from 'node:crypto';
import { parseEmail } from '@guichet/channels';
import type { ConversationDto, ExternalAdministrationDto, MessageDto, PublicRequestCreated } from '@guichet/contracts';
import { expectEventually, startSmtpCapture, type SmtpCapture } from '@guichet/testing';
import { orgSmtpSettings, seedTown, startTestApp, type TestApp } from '../harness';

const CAF = {
  kind: 'caf',
  name: 'Caisse d’allocations familiales du Val-de-Test',
  email: 'accueil@caf.val-de-test.example',
  address: '4 rue des Allocations, 99010 Test Cedex',
  phone: '01 23 45 20 00',
  website: 'https://www.caf.val-de-test.example',
};

/**
 * CRPA L114-2 (issue 13): the town's directory of external administrations (admins keep it, every
 * change audited; agents pick from it when they forward a request), and the withdrawal of a
 * transfer (the file reopened: the administration told once by e-mail, through the SMTP capture).
 */
describe('directory of administrations and withdrawn transfers (L114-2)', () => {
  let t: TestApp;
  let smtp: SmtpCapture;
  let town: Awaited<ReturnType<typeof seedTown>>;
  let other: Awaited<ReturnType<typeof seedTown>>;

  const api = <T = any>(method: string, path: string, token: string, body?: unknown) =>
    t.http<T>(method, `/api/v1${path}`, { token, ...(body !== undefined ? { body } : {}) });
  const form = async () => {
    const email = `usager.${randomBytes(3).toString('hex')}@exemple.fr`;
    const res = await t.http('POST', `/api/v1/public/organizations/${town.org.slug}/requests`, {
      body: {
        teamId: town.etatCivil.id,
        name: 'Léa Martin',
        email,
        subject: 'Prime d’activité',
        body: 'Bonjour, comment demander la prime d’activité ?',
      },
      headers: { 'x-forwarded-for': `10.14.0.${Math.floor(Math.random() * 250)}` },
    });
    expect(res.status).toBe(201);
    const { rows } = await t.db.query(`SELECT id FROM conversation WHERE reference = $1`, [res.body.reference]);
    return { ...(res.body as PublicRequestCreated), id: rows[0].id as string, email };
  };
  const conversation = async (id: string) => (await api<ConversationDto>('GET', `/conversations/${id}`, town.agentEC.token)).body;
  const messagesOf = async (id: string): Promise<MessageDto[]> =>
    (await api('GET', `/conversations/${id}/messages?limit=100`, town.agentEC.token)).body.items;
  const mailsTo = (to: string, subject: string) => smtp.messages.filter((m) => m.to.includes(to) && m.text.includes(subject));
  /** The withdrawal e-mails received at `to`, parsed. */
  const withdrawalsTo = async (to: string) =>
    (
      await Promise.all(
        smtp.messages.filter((m) => m.to.includes(to)).map(async (m) => (await parseEmail(m.raw, { channelId: 'x' })).inbound),
      )
    ).filter((m) => m.subject?.startsWith('Retrait d’une transmission'));

  beforeAll(async () => {
    [smtp, t] = await Promise.all([startSmtpCapture(), startTestApp()]);
    [town, other] = [await seedTown(t), await seedTown(t)];
    const put = await api(
      'PUT',
      '/organization/mail-settings',
      town.admin.token,
      orgSmtpSettings(smtp, 'mairie@ville-annuaire.fr'),
    );
    expect(put.status).toBe(200);
  });
  afterAll(async () => {
    await t?.close();
    await smtp?.close();
  });

  it('lets admins keep the directory (audited), agents read it, other towns never see it', async () => {
    const created = await api<ExternalAdministrationDto>('POST', '/administrations', town.admin.token, CAF);
    expect(created.status).toBe(201);
    expect(created.body).toEqual({ id: expect.any(String), ...CAF });
    const bare = await api('POST', '/administrations', town.admin.token, {
      kind: 'intercommunalite',
      name: 'Communauté de communes Test Agglo',
      email: 'dechets@test-agglo.example',
      website: '',
    });
    expect(bare.status).toBe(201);
    expect(bare.body).toMatchObject({ address: null, phone: null, website: null });

    // Refused: an agent or supervisor writing, a second entry of the same name (any case), a bad site or kind.
    expect((await api('POST', '/administrations', town.agentEC.token, CAF)).status).toBe(403);
    expect((await api('POST', '/administrations', town.supervisor.token, CAF)).status).toBe(403);
    const twice = await api('POST', '/administrations', town.admin.token, { ...CAF, name: CAF.name.toUpperCase() });
    expect(twice.status).toBe(409);
    expect(twice.body.message).toContain('l’annuaire a déjà une administration');
    expect((await api('POST', '/administrations', town.admin.token, { ...CAF, name: 'X Y', website: 'ftp://caf' })).status).toBe(
      400,
    );
    expect((await api('POST', '/administrations', town.admin.token, { ...CAF, name: 'X Y', kind: 'mairie' })).status).toBe(400);

    // Agents read it by name; another town's agents see only theirs.
    const listed = await api<ExternalAdministrationDto[]>('GET', '/administrations', town.agentEC.token);
    expect(listed.body.map((a) => a.name)).toEqual([CAF.name, 'Communauté de communes Test Agglo']);
    expect((await api('GET', '/administrations', other.agentEC.token)).body).toEqual([]);
    expect((await api('PATCH', `/administrations/${created.body.id}`, other.admin.token, { phone: '00' })).status).toBe(404);

    // Changed: a field left out is kept, one emptied is cleared.
    const changed = await api('PATCH', `/administrations/${bare.body.id}`, town.admin.token, {
      phone: '01 23 45 40 00',
      address: '8 rue des Tilleuls, 99000 Test',
    });
    expect(changed.status).toBe(200);
    expect(changed.body).toMatchObject({ email: 'dechets@test-agglo.example', phone: '01 23 45 40 00' });
    const cleared = await api('PATCH', `/administrations/${bare.body.id}`, town.admin.token, { phone: '' });
    expect(cleared.body).toMatchObject({ phone: null, address: '8 rue des Tilleuls, 99000 Test' });
    expect((await api('DELETE', `/administrations/${bare.body.id}`, town.admin.token)).status).toBe(204);
    expect((await api('DELETE', `/administrations/${bare.body.id}`, town.admin.token)).status).toBe(404);

    const { rows } = await t.db.query(
      `SELECT action, data FROM audit_event WHERE organization_id = $1 AND action LIKE 'administration.%' ORDER BY id`,
      [town.org.id],
    );
    expect(rows.map((r) => r.action)).toEqual([
      'administration.created',
      'administration.created',
      'administration.updated',
      'administration.updated',
      'administration.deleted',
    ]);
    expect(rows[3].data).toMatchObject({ before: { phone: '01 23 45 40 00' }, after: { phone: null } });
  });

  it('forwards to an entry picked in the directory: its e-mail, and its details given to the citizen', async () => {
    const [caf] = (await api<ExternalAdministrationDto[]>('GET', '/administrations', town.agentEC.token)).body;
    const created = await form();
    const body = {
      // The typed fields are ignored when an entry is picked.
      administration: { name: 'Autre nom', email: 'autre@exemple.fr' },
      administrationId: caf!.id,
      note: 'Prime d’activité : compétence de la CAF.',
      version: (await conversation(created.id)).version,
    };
    const unknown = await api('POST', `/conversations/${created.id}/transfer-administration`, town.agentEC.token, {
      ...body,
      administrationId: randomUUID(),
    });
    expect(unknown.status).toBe(400);
    const res = await api('POST', `/conversations/${created.id}/transfer-administration`, town.agentEC.token, body);
    expect(res.status).toBe(201);
    expect(res.body.administration).toEqual({ name: CAF.name, email: CAF.email });
    await expectEventually(async () => expect(mailsTo(CAF.email, created.reference).length).toBe(1));
    expect(smtp.messages.some((m) => m.to.includes('autre@exemple.fr'))).toBe(false);
    const notice = (await messagesOf(created.id)).find((m) => m.id === res.body.citizenMessageId)!;
    expect(notice.body).toContain(`relève de la compétence de : ${CAF.name}.`);
    expect(notice.body).toContain(`Adresse postale : ${CAF.address}`);
    expect(notice.body).toContain(`Téléphone : ${CAF.phone}`);
    expect(notice.body).toContain(`Site internet : ${CAF.website}`);
    const { rows } = await t.db.query(`SELECT administration_id FROM administration_transfer WHERE conversation_id = $1`, [
      created.id,
    ]);
    expect(rows).toEqual([{ administration_id: caf!.id }]);
  });

  it('tells the administration once when the town takes a transmitted request back, and the timeline shows it', async () => {
    const created = await form();
    const admin = { name: 'Préfecture du Val-de-Test', email: 'pref@prefecture.val-de-test.example' };
    const sent = await api('POST', `/conversations/${created.id}/transfer-administration`, town.agentEC.token, {
      administration: admin,
      note: 'Titre de séjour.',
      version: (await conversation(created.id)).version,
    });
    expect(sent.status).toBe(201);
    await expectEventually(async () => expect(mailsTo(admin.email, created.reference).length).toBe(1));
    const reopen = async () =>
      api('PATCH', `/conversations/${created.id}`, town.agentEC.token, {
        status: 'open',
        version: (await conversation(created.id)).version,
      });

    // The citizen's e-mails (acknowledgement, transfer notice) gone first: the refusal below is the withdrawal's.
    await expectEventually(async () => {
      const { rows } = await t.db.query(
        `SELECT count(*)::int AS n FROM pgboss.job WHERE name = 'outbound-send' AND state IN ('created', 'retry', 'active')`,
      );
      expect(rows[0].n).toBe(0);
      expect(smtp.messages.filter((m) => m.to.includes(created.email)).length).toBeGreaterThan(0);
    });
    // The SMTP server refuses: the file stays « transmise » (the administration must be told).
    smtp.refuseNext(550, 'Mailbox unavailable');
    const refused = await reopen();
    expect(refused.status).toBe(503);
    expect(await conversation(created.id)).toMatchObject({ status: 'closed', transmittedTo: admin.name });

    const reopened = await reopen();
    expect(reopened.status).toBe(200);
    expect(reopened.body).toMatchObject({ status: 'open', transmittedTo: null });
    const mail = await expectEventually(async () => {
      const m = await withdrawalsTo(admin.email);
      expect(m.length).toBe(1);
      return m[0]!;
    });
    expect(mail.subject).toBe(
      `Retrait d’une transmission (article L114-2 du CRPA) — ${created.reference} — Ville ${town.org.slug}`,
    );
    expect(mail.text).toContain(`Référence chez nous : ${created.reference}`);
    expect(mail.text).toContain('Cette transmission est retirée');
    expect(mail.text).toContain('Marie Dupont');
    const line = (await messagesOf(created.id)).find((m) => m.kind === 'event' && m.body.startsWith('Transmission à'))!;
    expect(line.body).toBe(
      `Transmission à ${admin.name} retirée : la demande est reprise par la commune ; ${admin.name} en est informée par courriel (${admin.email}, référence ${created.reference}).`,
    );

    // Closed and reopened again: nothing more to withdraw, no second e-mail.
    const closed = await api('PATCH', `/conversations/${created.id}`, town.agentEC.token, {
      status: 'closed',
      version: (await conversation(created.id)).version,
    });
    expect(closed.status).toBe(200);
    expect((await reopen()).status).toBe(200);
    await new Promise((r) => setTimeout(r, 300));
    expect((await withdrawalsTo(admin.email)).length).toBe(1);
    expect((await messagesOf(created.id)).filter((m) => m.body.startsWith('Transmission à')).length).toBe(1);
    const { rows } = await t.db.query(
      `SELECT withdrawn_at IS NOT NULL AS withdrawn, withdrawn_by FROM administration_transfer WHERE conversation_id = $1`,
      [created.id],
    );
    expect(rows).toEqual([{ withdrawn: true, withdrawn_by: town.agentEC.id }]);
    const audit = await t.db.query(
      `SELECT count(*)::int AS n FROM audit_event WHERE action = 'conversation.administration_transfer_withdrawn' AND conversation_id = $1`,
      [created.id],
    );
    expect(audit.rows[0].n).toBe(1);
  });
});
