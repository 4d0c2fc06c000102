import { startSmtpCapture, type SmtpCapture } from '@guichet/testing';
import { setupToken } from '../../src/modules/organizations/setup.service';
import { orgSmtpSettings, seedTown, startTestApp, type TestApp } from '../harness';

const GOOD = 'la-mairie-ouvre-a-8h30';

/**
 * The link's token in a mail's text: as stored (plain text) or, when the text is a raw
 * quoted-printable body (soft breaks, `=3D`), once that is undone. Decoding plain text would turn
 * a token starting with two upper-case hex digits (« jeton=B4… ») into another character.
 */
function linkToken(text: string): string {
  const link = /#\/mot-de-passe\?jeton=([A-Za-z0-9_-]+)/;
  const flat = /=\r?\n|=3D/.test(text)
    ? text.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)))
    : text;
  const match = link.exec(flat);
  if (!match) throw new Error(`no link in:\n${flat}`);
  return match[1]!;
}

describe('first run on an empty database', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  const body = (token?: string, password = GOOD) => ({
    token,
    organization: { name: 'Ville de Premier-Jour', slug: 'premier-jour', siret: '21750001600019', phone: '01 23 45 67 89' },
    admin: { name: 'Paule Première', email: 'Paule@Premier-Jour.fr', password },
  });

  it('asks for the setup token, checks the password policy, creates the town and its admin once', async () => {
    expect(await t.http('GET', '/api/v1/setup')).toMatchObject({ status: 200, body: { needed: true } });
    expect(await t.http('POST', '/api/v1/setup', { body: body() })).toMatchObject({ status: 403 });
    expect(await t.http('POST', '/api/v1/setup', { body: body('pas-le-bon-jeton') })).toMatchObject({
      status: 403,
      body: { message: 'jeton d’installation incorrect : recopiez celui affiché dans le journal du serveur' },
    });
    const weak = await t.http('POST', '/api/v1/setup', { body: body(setupToken(t.config), 'motdepasse123') });
    expect(weak).toMatchObject({
      status: 400,
      body: { details: ['admin.password: ce mot de passe est trop courant : choisissez-en un autre'] },
    });
    expect(await t.count('organization')).toBe(0);

    const created = await t.http('POST', '/api/v1/setup', { body: body(setupToken(t.config)) });
    expect(created).toMatchObject({
      status: 201,
      body: { organization: { slug: 'premier-jour' }, adminEmail: 'paule@premier-jour.fr' },
    });
    expect(await t.http('GET', '/api/v1/setup')).toMatchObject({ body: { needed: false } });
    const again = await t.http('POST', '/api/v1/setup', {
      body: { ...body(setupToken(t.config)), admin: { ...body().admin, email: 'x@y.fr' } },
    });
    expect(again.status).toBe(409);
    const login = await t.http('POST', '/api/v1/auth/login', { body: { email: 'paule@premier-jour.fr', password: GOOD } });
    expect(login.body.agent).toMatchObject({ role: 'admin', organization: { name: 'Ville de Premier-Jour' } });
    const settings = await t.http('GET', '/api/v1/organization/settings', { token: login.body.token });
    expect(settings.body).toMatchObject({ siret: '21750001600019', phone: '01 23 45 67 89' });
  });
});

/**
 * What the server prints while it starts (the first-run announcement goes to stdout through
 * console.log), its structured logs sent elsewhere; `restore()` puts console.log back.
 */
function captureConsole(): { text(): string; restore(): void } {
  const printed: string[] = [];
  const original = console.log;
  console.log = (...args: unknown[]) => void printed.push(args.map(String).join(' '));
  return { text: () => printed.join('\n'), restore: () => void (console.log = original) };
}

const QUIET_LOGS = { write: () => undefined };
const REFUSED = 'jeton d’installation incorrect : recopiez celui affiché dans le journal du serveur';

describe('first run: the setup token the server prints, or the one the operator set', () => {
  const body = (token: string, slug: string) => ({
    token,
    organization: { name: `Ville de ${slug}`, slug },
    admin: { name: 'Paule Première', email: `paule@${slug}.fr`, password: GOOD },
  });

  it('prints a token on an empty database, and setup succeeds with exactly that one', async () => {
    const printed = captureConsole();
    const t = await startTestApp({ logLevel: 'info', logDestination: QUIET_LOGS }).finally(() => printed.restore());
    try {
      const log = printed.text();
      expect(log).toContain('Première installation');
      const match = /saisissez ce jeton d'installation : ([A-Za-z0-9_-]+)/.exec(log);
      expect(match).not.toBeNull();
      const token = match![1]!;
      expect(token).toHaveLength(32);

      const wrong = await t.http('POST', '/api/v1/setup', { body: body(`${token.slice(1)}x`, 'jeton-lu') });
      expect(wrong).toMatchObject({ status: 403, body: { message: REFUSED } });
      expect(await t.count('organization')).toBe(0);
      const created = await t.http('POST', '/api/v1/setup', { body: body(token, 'jeton-lu') });
      expect(created).toMatchObject({ status: 201, body: { organization: { slug: 'jeton-lu' } } });
    } finally {
      await t.close();
    }
  });

  it('with GUICHET_SETUP_TOKEN: that value is accepted, the derived one refused, and it is not printed', async () => {
    const chosen = 'jeton-choisi-par-l-exploitant-2026';
    const before = process.env.GUICHET_SETUP_TOKEN;
    process.env.GUICHET_SETUP_TOKEN = chosen;
    const printed = captureConsole();
    let t: TestApp | undefined;
    try {
      t = await startTestApp({ logLevel: 'info', logDestination: QUIET_LOGS }).finally(() => printed.restore());
      // The token the server would derive from its secret without GUICHET_SETUP_TOKEN.
      const derived = setupToken(t.config, {});
      const log = printed.text();
      expect(log).not.toContain(chosen);
      expect(log).not.toContain(derived);
      expect(log).toContain('Première installation');
      expect(log).toContain('GUICHET_SETUP_TOKEN');

      const refused = await t.http('POST', '/api/v1/setup', { body: body(derived, 'jeton-choisi') });
      expect(refused).toMatchObject({ status: 403, body: { message: REFUSED } });
      expect(await t.count('organization')).toBe(0);
      const created = await t.http('POST', '/api/v1/setup', { body: body(chosen, 'jeton-choisi') });
      expect(created).toMatchObject({ status: 201, body: { organization: { slug: 'jeton-choisi' } } });
    } finally {
      if (before === undefined) delete process.env.GUICHET_SETUP_TOKEN;
      else process.env.GUICHET_SETUP_TOKEN = before;
      await t?.close();
    }
  });
});

describe('administration: services, agents, invitations, settings', () => {
  let t: TestApp;
  let smtp: SmtpCapture;
  let town: Awaited<ReturnType<typeof seedTown>>;
  let other: Awaited<ReturnType<typeof seedTown>>;

  beforeAll(async () => {
    [t, smtp] = await Promise.all([startTestApp(), startSmtpCapture()]);
    town = await seedTown(t);
    other = await seedTown(t);
  });
  afterAll(async () => {
    await t.close();
    await smtp.close();
  });

  const admin = () => town.admin.token;
  const audit = async (action: string) =>
    (
      await t.db.query(`SELECT agent_id, data FROM audit_event WHERE action = $1 AND organization_id = $2 ORDER BY created_at`, [
        action,
        town.org.id,
      ])
    ).rows;

  it('creates, renames, describes and archives a service, never deletes it, audited before and after', async () => {
    const created = await t.http('POST', '/api/v1/teams', { token: admin(), body: { name: 'Urbanisme' } });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ id: expect.any(String), name: 'Urbanisme', slug: 'urbanisme', archived: false });
    expect((await t.http('POST', '/api/v1/teams', { token: town.supervisor.token, body: { name: 'X' } })).status).toBe(403);
    expect(await t.http('POST', '/api/v1/teams', { token: admin(), body: { name: '  ' } })).toMatchObject({
      status: 400,
      body: { details: ['name: nom du service : obligatoire'] },
    });
    const id = created.body.id;
    const patched = await t.http('PATCH', `/api/v1/teams/${id}`, {
      token: admin(),
      body: {
        name: 'Urbanisme et permis',
        description: 'Permis de construire, déclarations préalables',
        contact: { email: 'urbanisme@ville.fr', phone: '01 02 03 04 05' },
        memberIds: [town.agentEC.id],
      },
    });
    expect(patched.body).toMatchObject({
      name: 'Urbanisme et permis',
      contact: { email: 'urbanisme@ville.fr' },
      memberIds: [town.agentEC.id],
    });
    expect((await t.http('GET', '/api/v1/auth/me', { token: town.agentEC.token })).body.teamIds).toContain(id);
    // Citizens read the description and the contact details: the public API and the request form.
    const described = (await t.http('GET', `/api/v1/public/organizations/${town.org.slug}`)).body.teams;
    expect(described.find((x: { id: string }) => x.id === id)).toEqual({
      id,
      name: 'Urbanisme et permis',
      description: 'Permis de construire, déclarations préalables',
      contact: { email: 'urbanisme@ville.fr', phone: '01 02 03 04 05' },
      // No hours of its own: citizens are shown the town's.
      openingHours: null,
      requestTypes: [],
    });
    const form = (await t.http('GET', `/demandes/${town.org.slug}`)).body as string;
    const section = form.slice(form.indexOf('<section class="public-services"'));
    expect(section).toMatch(
      /^<section class="public-services" aria-labelledby="services-title">\s*<h2[^>]*>Les services et leurs coordonnées<\/h2>/,
    );
    expect(section).toContain('<h3 class="public-services__name">Urbanisme et permis</h3>');
    expect(section).toContain('<p>Permis de construire, déclarations préalables</p>');
    expect(section).toContain('<li>E-mail : <a href="mailto:urbanisme@ville.fr">urbanisme@ville.fr</a></li>');
    expect(section).toContain('<li>Téléphone : <a href="tel:0102030405">01 02 03 04 05</a></li>');
    expect(
      (await t.http('PATCH', `/api/v1/teams/${id}`, { token: admin(), body: { memberIds: [other.agentEC.id] } })).status,
    ).toBe(400);
    expect((await t.http('PATCH', `/api/v1/teams/${id}`, { token: other.admin.token, body: { name: 'Volé' } })).status).toBe(404);

    const archived = await t.http('PATCH', `/api/v1/teams/${id}`, { token: admin(), body: { archived: true } });
    expect(archived.body).toMatchObject({ archived: true, name: 'Urbanisme et permis' });
    expect((await t.db.query(`SELECT 1 FROM team WHERE id = $1`, [id])).rowCount).toBe(1);
    const publicForm = await t.http('GET', `/api/v1/public/organizations/${town.org.slug}`);
    expect(publicForm.status).toBe(200);
    expect(JSON.stringify(publicForm.body)).not.toContain('Urbanisme');
    const list = await t.http('GET', '/api/v1/teams/manage', { token: town.supervisor.token });
    expect(list.body.at(-1)).toMatchObject({ id, archived: true });

    const [update] = await audit('team.updated');
    expect(update).toMatchObject({
      agent_id: town.admin.id,
      data: { teamId: id, before: { name: 'Urbanisme' }, after: { name: 'Urbanisme et permis' } },
    });
  });

  it('invites an agent by mail through the organization’s SMTP: a 72-hour link to choose a password, then login', async () => {
    const put = await t.http('PUT', '/api/v1/organization/mail-settings', {
      token: admin(),
      body: orgSmtpSettings(smtp, 'ne-pas-repondre@ville.fr'),
    });
    expect(put.body).toEqual({
      mode: 'smtp',
      fromAddress: 'ne-pas-repondre@ville.fr',
      fromName: 'Mairie',
      host: smtp.host,
      port: smtp.port,
      secure: false,
      user: smtp.user,
      passwordSet: true,
    });
    expect(JSON.stringify(await audit('organization.mail_updated'))).not.toContain(smtp.password);

    const res = await t.http('POST', '/api/v1/agents', {
      token: admin(),
      body: { name: 'Nina Nouvelle', email: 'nina@ville.fr', role: 'agent', teamIds: [town.scolarite.id], capacity: 7 },
    });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      name: 'Nina Nouvelle',
      email: 'nina@ville.fr',
      role: 'agent',
      teamIds: [town.scolarite.id],
      capacity: 7,
      active: true,
      invited: true,
    });
    const mail = smtp.messages.at(-1)!;
    expect(mail.to).toEqual(['nina@ville.fr']);
    expect(mail.text).toContain('Subject: =?UTF-8?Q?Invitation_=C3=A0_Guichet');
    expect(mail.text).toContain('vous invite =C3=A0 rejoindre Guichet');
    const token = linkToken(mail.text);
    // No password yet: the account cannot log in.
    expect((await t.http('POST', '/api/v1/auth/login', { body: { email: 'nina@ville.fr', password: '!invited' } })).status).toBe(
      401,
    );
    expect(await t.http('POST', '/api/v1/account/password', { body: { token, password: 'nina@ville.fr' } })).toMatchObject({
      status: 400,
    });
    expect(await t.http('POST', '/api/v1/account/password', { body: { token, password: 'azertyuiop' } })).toMatchObject({
      status: 400,
    });
    expect(await t.http('POST', '/api/v1/account/password', { body: { token, password: GOOD } })).toMatchObject({
      status: 200,
      body: { email: 'nina@ville.fr' },
    });
    expect((await t.http('POST', '/api/v1/account/password', { body: { token, password: GOOD } })).status).toBe(400);
    const login = await t.http('POST', '/api/v1/auth/login', { body: { email: 'nina@ville.fr', password: GOOD } });
    expect(login.body.agent).toMatchObject({ name: 'Nina Nouvelle', teamIds: [town.scolarite.id] });

    // The agent changes their own name.
    expect((await t.http('PATCH', '/api/v1/account', { token: login.body.token, body: { name: 'Nina Martin' } })).status).toBe(
      204,
    );
    expect((await t.http('GET', '/api/v1/auth/me', { token: login.body.token })).body.name).toBe('Nina Martin');
  });

  it('a refused invitation mail leaves no account, and a taken address is a clear 409', async () => {
    smtp.refuseNext(550, 'mailbox unavailable');
    const res = await t.http('POST', '/api/v1/agents', { token: admin(), body: { name: 'Refusé', email: 'refuse@ville.fr' } });
    expect(res.status).toBe(503);
    expect(res.body.message).toContain('le courriel à refuse@ville.fr n’a pas pu être envoyé');
    expect((await t.db.query(`SELECT 1 FROM agent WHERE email = 'refuse@ville.fr'`)).rowCount).toBe(0);
    const dup = await t.http('POST', '/api/v1/agents', { token: admin(), body: { name: 'X', email: town.agentEC.email } });
    expect(dup).toMatchObject({ status: 409, body: { message: `un compte existe déjà avec l’adresse ${town.agentEC.email}` } });
  });

  it('an invitation link lasts 72 hours and a reset link 2 hours; an expired one sets nothing and says so in French', async () => {
    await t.http('PUT', '/api/v1/organization/mail-settings', { token: admin(), body: { mode: 'log' } });
    const invited = await t.http('POST', '/api/v1/agents', {
      token: admin(),
      body: { name: 'Lou Lente', email: 'lou.lente@ville.fr', teamIds: [town.etatCivil.id] },
    });
    expect(invited.status).toBe(201);
    await t.http('POST', '/api/v1/account/password-reset', { body: { email: town.agentEC.email } });
    const lifetimes = (
      await t.db.query(
        `SELECT t.agent_id, t.purpose, extract(epoch FROM t.expires_at - t.created_at)::int AS seconds
           FROM agent_token t WHERE t.agent_id = ANY($1::uuid[]) AND t.used_at IS NULL`,
        [[invited.body.id, town.agentEC.id]],
      )
    ).rows;
    expect(lifetimes).toEqual(
      expect.arrayContaining([
        { agent_id: invited.body.id, purpose: 'invitation', seconds: 72 * 3600 },
        { agent_id: town.agentEC.id, purpose: 'reset', seconds: 2 * 3600 },
      ]),
    );

    // 72 hours later (the clock moved back on the link): refused, nothing set, the account still waits.
    await t.db.query(`UPDATE agent_token SET expires_at = now() - interval '1 second' WHERE agent_id = $1`, [invited.body.id]);
    const mails = (await t.http('GET', '/api/v1/organization/mails', { token: admin() })).body;
    const mail = mails.find((m: { to: string }) => m.to === 'lou.lente@ville.fr');
    expect(
      await t.http('POST', '/api/v1/account/password', { body: { token: linkToken(mail.text), password: GOOD } }),
    ).toMatchObject({
      status: 400,
      body: { message: 'ce lien n’est plus valable (déjà utilisé ou expiré) : demandez-en un nouveau' },
    });
    expect((await t.http('POST', '/api/v1/auth/login', { body: { email: 'lou.lente@ville.fr', password: GOOD } })).status).toBe(
      401,
    );
    const listed = (await t.http('GET', '/api/v1/agents/manage', { token: admin() })).body;
    expect(listed.find((a: { id: string }) => a.id === invited.body.id)).toMatchObject({ invited: true, active: true });
  });

  it('without SMTP the mails go to the log and stay readable by the admin; a reset link sets a new password', async () => {
    await t.http('PUT', '/api/v1/organization/mail-settings', { token: admin(), body: { mode: 'log' } });
    const agent = await t.newAgent({ organizationId: town.org.id, teamIds: [town.etatCivil.id], name: 'Rémi Reset' });
    const asked = await t.http('POST', '/api/v1/account/password-reset', { body: { email: agent.email } });
    expect(asked.status).toBe(202);
    expect((await t.http('POST', '/api/v1/account/password-reset', { body: { email: 'personne@nulle-part.fr' } })).status).toBe(
      202,
    );
    const mails = await t.http('GET', '/api/v1/organization/mails', { token: admin() });
    const mail = mails.body.find((m: { to: string }) => m.to === agent.email);
    expect(mail).toMatchObject({ status: 'logged', subject: expect.stringContaining('Nouveau mot de passe') });
    expect((await t.http('GET', '/api/v1/organization/mails', { token: town.agentEC.token })).status).toBe(403);
    await t.http('POST', '/api/v1/account/password', {
      body: { token: linkToken(mail.text), password: 'un-nouveau-secret-2026' },
    });
    expect(
      (await t.http('POST', '/api/v1/auth/login', { body: { email: agent.email, password: 'un-nouveau-secret-2026' } })).status,
    ).toBe(200);
    // The reset ended the sessions the account had.
    expect((await t.http('GET', '/api/v1/auth/me', { token: agent.token })).status).toBe(401);
  });

  it('deactivation ends the sessions at once and reactivation lets the agent back in', async () => {
    const agent = await t.newAgent({ organizationId: town.org.id, teamIds: [town.etatCivil.id], password: GOOD });
    expect((await t.http('PATCH', `/api/v1/agents/${agent.id}`, { token: admin(), body: { active: false } })).status).toBe(200);
    expect((await t.http('GET', '/api/v1/auth/me', { token: agent.token })).status).toBe(401);
    expect((await t.http('POST', '/api/v1/auth/login', { body: { email: agent.email, password: GOOD } })).status).toBe(401);
    expect((await t.http('GET', '/api/v1/agents/manage', { token: town.supervisor.token })).status).toBe(200);
    expect((await t.http('GET', '/api/v1/agents/manage', { token: town.agentEC.token })).status).toBe(403);
    const list = await t.http('GET', '/api/v1/agents/manage', { token: admin() });
    expect(list.body.find((a: { id: string }) => a.id === agent.id)).toMatchObject({ active: false });
    await t.http('PATCH', `/api/v1/agents/${agent.id}`, { token: admin(), body: { active: true } });
    expect((await t.http('POST', '/api/v1/auth/login', { body: { email: agent.email, password: GOOD } })).status).toBe(200);
  });

  it('keeps the organization’s identity, opening hours and closures, with French public holidays computed', async () => {
    const res = await t.http('PATCH', '/api/v1/organization/settings', {
      token: admin(),
      body: {
        address: '1 place de la Mairie, 67000 Strasbourg',
        openingHours: {
          monday: [
            { opens: '08:30', closes: '12:00' },
            { opens: '13:30', closes: '17:00' },
          ],
          tuesday: [],
          wednesday: [],
          thursday: [],
          friday: [],
          saturday: [],
          sunday: [],
        },
        closures: [{ from: '2026-12-24', to: '2026-12-31', reason: 'Fêtes de fin d’année' }],
        alsaceMoselle: true,
        signature: 'Le service accueil',
        legalFooter: 'Vos données sont traitées par la mairie (RGPD).',
      },
    });
    expect(res.status).toBe(200);
    expect(res.body.openingHours.monday).toHaveLength(2);
    const year = new Date().getFullYear();
    expect(res.body.holidays.map((h: { name: string }) => h.name)).toEqual(
      expect.arrayContaining(['Lundi de Pâques', 'Ascension', 'Lundi de Pentecôte', 'Vendredi saint']),
    );
    expect(res.body.holidays[0].date).toBe(`${year}-01-01`);
    const bad = await t.http('PATCH', '/api/v1/organization/settings', {
      token: admin(),
      body: {
        openingHours: {
          monday: [{ opens: '18:00', closes: '08:00' }],
          tuesday: [],
          wednesday: [],
          thursday: [],
          friday: [],
          saturday: [],
          sunday: [],
        },
      },
    });
    expect(bad).toMatchObject({
      status: 400,
      body: { details: ['openingHours.monday.0: l’ouverture doit précéder la fermeture'] },
    });
    expect(
      (await t.http('PATCH', '/api/v1/organization/settings', { token: town.supervisor.token, body: { signature: 'x' } })).status,
    ).toBe(403);
    const [entry] = await audit('organization.updated');
    expect(entry).toMatchObject({
      agent_id: town.admin.id,
      data: { before: { signature: '' }, after: { signature: 'Le service accueil' } },
    });
  });

  it('documents the administration in the OpenAPI document', async () => {
    const doc = (await t.http('GET', '/api/docs/openapi.json')).body;
    for (const path of [
      '/api/v1/teams',
      '/api/v1/teams/{id}',
      '/api/v1/agents',
      '/api/v1/agents/{id}',
      '/api/v1/organization/settings',
      '/api/v1/organization/mail-settings',
      '/api/v1/setup',
      '/api/v1/account/password',
    ]) {
      expect(Object.keys(doc.paths)).toContain(path);
    }
  });
});
