import { randomUUID } from 'node:crypto';
import { twilioSignature } from '@guichet/channels';
import { expectEventually, startDovecot } from '@guichet/testing';
import { MailboxWatcherService } from '../../src/modules/email/mailbox-watcher.service';
import { setupToken } from '../../src/modules/organizations/setup.service';
import { seedTown, startTestApp, type TestApp } from '../harness';

const GOOD = 'la-mairie-ouvre-a-8h30';
const login = (t: TestApp, email: string, password = GOOD) => t.http('POST', '/api/v1/auth/login', { body: { email, password } });

/**
 * A platform hosting several towns: the first run's administrator creates further towns, each
 * with its first administrator invited by e-mail; every town's admins stay within their town, and
 * the platform administrator reads no town's citizens or conversations.
 */
describe('platform: several towns on one installation', () => {
  let t: TestApp;
  let platform: string;
  let platformOrgId: string;

  beforeAll(async () => {
    t = await startTestApp();
    const created = await t.http('POST', '/api/v1/setup', {
      body: {
        token: setupToken(t.config),
        organization: { name: 'Syndicat informatique du Val', slug: 'si-du-val' },
        admin: { name: 'Paula Plateforme', email: 'paula@si-du-val.fr', password: GOOD },
      },
    });
    expect(created.status).toBe(201);
    platformOrgId = created.body.organization.id;
    const session = await login(t, 'paula@si-du-val.fr');
    expect(session.body.agent).toMatchObject({ role: 'admin', platformAdmin: true });
    platform = session.body.token;
  });
  afterAll(() => t.close());

  const createTown = (token: string, slug: string, email: string) =>
    t.http('POST', '/api/v1/platform/organizations', {
      token,
      body: {
        organization: { name: `Commune de ${slug}`, slug, siret: '21380001200013', phone: '04 76 00 00 00' },
        admin: { name: 'Hugo Maire-Adjoint', email },
      },
    });

  it('creates a town and invites its first admin, who sets a password from the mail and administers that town only', async () => {
    const created = await createTown(platform, 'saint-vallon', 'Hugo@Saint-Vallon.fr');
    expect(created).toMatchObject({
      status: 201,
      body: {
        name: 'Commune de saint-vallon',
        slug: 'saint-vallon',
        activeAgents: 1,
        admins: [{ name: 'Hugo Maire-Adjoint', email: 'hugo@saint-vallon.fr', invited: true }],
      },
    });
    const list = await t.http('GET', '/api/v1/platform/organizations', { token: platform });
    expect(list.body.map((o: { slug: string }) => o.slug)).toEqual(['saint-vallon', 'si-du-val']);
    expect(Object.keys(list.body[0]).sort()).toEqual(['activeAgents', 'admins', 'archivedAt', 'createdAt', 'id', 'name', 'slug']);

    // The invitation left through the platform's own mail (the new town has none yet), listed there.
    const mails = await t.http('GET', '/api/v1/organization/mails', { token: platform });
    const mail = mails.body.find((m: { to: string }) => m.to === 'hugo@saint-vallon.fr');
    expect(mail).toMatchObject({ subject: 'Invitation à Guichet — Commune de saint-vallon' });
    expect(mail.text).toContain('Paula Plateforme vous invite à rejoindre Guichet');
    expect(mail.text).toContain('valable 72 heures');
    const token = /#\/mot-de-passe\?jeton=([A-Za-z0-9_-]+)/.exec(mail.text)![1];
    expect((await t.http('POST', '/api/v1/account/password', { body: { token, password: GOOD } })).status).toBe(200);

    const hugo = await login(t, 'hugo@saint-vallon.fr');
    expect(hugo.body.agent).toMatchObject({
      role: 'admin',
      platformAdmin: false,
      organization: { id: created.body.id, slug: 'saint-vallon' },
    });
    // A town's admin is no platform admin: neither the list nor the creation of towns.
    expect((await t.http('GET', '/api/v1/platform/organizations', { token: hugo.body.token })).status).toBe(403);
    expect((await createTown(hugo.body.token, 'autre-ville', 'x@autre-ville.fr')).status).toBe(403);
    const settings = await t.http('GET', '/api/v1/organization/settings', { token: hugo.body.token });
    expect(settings.body).toMatchObject({ name: 'Commune de saint-vallon', siret: '21380001200013' });
    expect((await t.http('GET', '/api/v1/platform/organizations', { token: platform })).body[0].admins[0].invited).toBe(false);

    // Audited in both organizations: who created the town, and the platform's own log.
    const { rows } = await t.db.query(
      `SELECT organization_id, agent_id, action FROM audit_event WHERE action IN ('organization.created', 'platform.organization_created')
        AND data->>'via' = 'platform'`,
    );
    expect(rows).toEqual(
      expect.arrayContaining([
        { organization_id: created.body.id, agent_id: expect.any(String), action: 'organization.created' },
        { organization_id: platformOrgId, agent_id: expect.any(String), action: 'platform.organization_created' },
      ]),
    );
  });

  it('a taken identifier or address, or bad input, is refused in French and leaves nothing half-created', async () => {
    const before = { organizations: await t.count('organization'), agents: await t.count('agent') };
    expect(await createTown(platform, 'si-du-val', 'nouvelle@ailleurs.fr')).toMatchObject({
      status: 409,
      body: { message: 'l’identifiant « si-du-val » est déjà celui d’une autre organisation' },
    });
    expect(await createTown(platform, 'ville-libre', 'paula@si-du-val.fr')).toMatchObject({
      status: 409,
      body: { message: 'un compte existe déjà avec l’adresse paula@si-du-val.fr' },
    });
    const bad = await createTown(platform, 'Ville Mal Écrite', 'pas-une-adresse');
    expect(bad.status).toBe(400);
    expect(bad.body.details).toEqual(
      expect.arrayContaining([
        'organization.slug: identifiant : 2 à 63 caractères, minuscules, chiffres et tirets (ex. ville-exemple)',
        'admin.email: adresse e-mail invalide',
      ]),
    );
    expect({ organizations: await t.count('organization'), agents: await t.count('agent') }).toEqual(before);
  });

  it('each town’s admins are isolated, and the platform admin reads no other town’s citizens or conversations', async () => {
    const a = await seedTown(t);
    const b = await seedTown(t);
    const conversationOf = async (town: typeof a) =>
      (
        await t.ingest.ingest(
          {
            channelId: town.webform.id,
            externalId: randomUUID(),
            from: { kind: 'email', value: `${randomUUID().slice(0, 8)}@example.fr`, name: 'Camille Usagère' },
            subject: 'Demande d’acte de naissance',
            text: 'Bonjour, je souhaite un acte de naissance.',
          },
          { teamId: town.etatCivil.id },
        )
      ).conversationId;
    const inB = await conversationOf(b);
    const contactB = (await t.db.query(`SELECT contact_id FROM conversation WHERE id = $1`, [inB])).rows[0].contact_id;

    // An admin of A sees none of B: agents, services, settings, conversations, contacts.
    const listA = await t.http('GET', '/api/v1/agents/manage', { token: a.admin.token });
    expect(listA.body.every((agent: { id: string }) => agent.id !== b.agentEC.id)).toBe(true);
    expect(
      (await t.http('PATCH', `/api/v1/agents/${b.agentEC.id}`, { token: a.admin.token, body: { active: false } })).status,
    ).toBe(404);
    expect(
      (await t.http('PATCH', `/api/v1/teams/${b.etatCivil.id}`, { token: a.admin.token, body: { name: 'Pris' } })).status,
    ).toBe(404);
    expect((await t.http('GET', `/api/v1/conversations/${inB}`, { token: a.admin.token })).status).toBe(404);
    expect((await t.http('GET', `/api/v1/contacts/${contactB}`, { token: a.admin.token })).status).toBe(404);
    expect((await t.http('GET', '/api/v1/platform/organizations', { token: a.admin.token })).status).toBe(403);
    expect(
      (await t.db.query(`SELECT active FROM agent WHERE id = $1`, [b.agentEC.id])).rows[0].active &&
        (await t.db.query(`SELECT name FROM team WHERE id = $1`, [b.etatCivil.id])).rows[0].name,
    ).toBe('État civil');

    // The platform admin: B's conversation, contact and messages are out of reach, and so is B's administration.
    expect((await t.http('GET', `/api/v1/conversations/${inB}`, { token: platform })).status).toBe(404);
    expect((await t.http('GET', `/api/v1/conversations/${inB}/messages`, { token: platform })).status).toBe(404);
    expect((await t.http('GET', `/api/v1/contacts/${contactB}`, { token: platform })).status).toBe(404);
    const inbox = await t.http('GET', '/api/v1/conversations?limit=100', { token: platform });
    expect(inbox.body.items.map((c: { id: string }) => c.id)).not.toContain(inB);
    expect((await t.http('PATCH', `/api/v1/agents/${b.admin.id}`, { token: platform, body: { role: 'agent' } })).status).toBe(
      404,
    );
    // What the platform sees of B: its identity and its staff counts, no citizen's name or message.
    const listed = (await t.http('GET', '/api/v1/platform/organizations', { token: platform })).body.find(
      (o: { id: string }) => o.id === b.org.id,
    );
    expect(listed).toMatchObject({ slug: b.org.slug, activeAgents: 4 });
    expect(JSON.stringify(listed)).not.toMatch(/Camille|acte de naissance|example\.fr/);
  });

  it('archives a town: its agents are signed out and refused in French, its citizen pages say it is closed, nothing is deleted; unarchived, all works again', async () => {
    const town = await seedTown(t);
    const sent = await t.http('POST', `/api/v1/public/organizations/${town.org.slug}/requests`, {
      body: { teamId: town.etatCivil.id, name: 'Camille Roux', email: 'camille@exemple.fr', subject: 'Acte', body: 'Bonjour' },
      headers: { 'x-forwarded-for': '10.8.0.1' },
    });
    expect(sent.status).toBe(201);
    const tracking = `${sent.body.reference}?token=${sent.body.trackingToken}`;
    const event = await t.http('POST', '/api/v1/events', {
      token: town.agentSco.token,
      body: {
        teamId: town.scolarite.id,
        title: 'Atelier',
        place: 'Médiathèque',
        startsAt: new Date(Date.now() + 10 * 86_400_000).toISOString(),
        capacity: 10,
        published: true,
      },
    });
    expect(event.status).toBe(201);
    const pages = [`/demandes/${town.org.slug}`, `/evenements/${town.org.slug}`, `/evenements/${town.org.slug}/${event.body.id}`];
    const counts = async () =>
      (
        await t.db.query(
          `SELECT (SELECT count(*) FROM conversation WHERE organization_id = $1)::int AS conversations,
                  (SELECT count(*) FROM agent WHERE organization_id = $1 AND active)::int AS agents,
                  (SELECT count(*) FROM municipal_event WHERE organization_id = $1)::int AS events`,
          [town.org.id],
        )
      ).rows[0];
    const before = await counts();
    // The town's Twilio number (SMS and voice), signed as Twilio signs.
    const sms = await t.newChannel({
      organizationId: town.org.id,
      teamId: town.etatCivil.id,
      kind: 'sms',
      config: { accountSid: 'AC' + 'c'.repeat(32), authToken: 'jeton-twilio-ville', phoneNumber: '+33700000009' },
    });
    const voice = await t.newChannel({
      organizationId: town.org.id,
      teamId: town.etatCivil.id,
      kind: 'voice',
      config: { accountSid: 'AC' + 'c'.repeat(32), authToken: 'jeton-twilio-ville', phoneNumber: '+33700000009' },
    });
    const twilio = async (hook: string, params: Record<string, string>, channelId = sms.id) => {
      const path = `/webhooks/twilio/${channelId}/${hook}`;
      const res = await fetch(t.url + path, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          'x-twilio-signature': twilioSignature('jeton-twilio-ville', t.config.publicUrl + path, params),
        },
        body: new URLSearchParams(params).toString(),
      });
      const answer = { status: res.status, text: await res.text() };
      // Acknowledged once stored: filed right after.
      if (res.ok) await t.webhooksProcessed();
      return answer;
    };
    const inboundSms = (body: string) =>
      twilio('sms', {
        MessageSid: 'SM' + randomUUID().replace(/-/g, ''),
        AccountSid: 'AC' + 'c'.repeat(32),
        From: '+33612345678',
        To: '+33700000009',
        Body: body,
        NumMedia: '0',
      });

    // Only the platform administrator archives; a town's own admin cannot.
    expect(
      (await t.http('POST', `/api/v1/platform/organizations/${town.org.id}/archive`, { token: town.admin.token })).status,
    ).toBe(403);
    const archived = await t.http('POST', `/api/v1/platform/organizations/${town.org.id}/archive`, { token: platform });
    expect(archived).toMatchObject({ status: 200, body: { id: town.org.id, archivedAt: expect.any(String) } });
    const listed = (await t.http('GET', '/api/v1/platform/organizations', { token: platform })).body;
    expect(listed.find((o: { id: string }) => o.id === town.org.id).archivedAt).toBe(archived.body.archivedAt);

    // Its agents' sessions ended at once; signing in again is refused with the reason, once the password is right.
    expect((await t.http('GET', '/api/v1/auth/me', { token: town.agentEC.token })).status).toBe(401);
    const refused = await login(t, town.agentEC.email, 'mot-de-passe-test');
    expect(refused.status).toBe(403);
    expect(refused.body.message).toMatch(/^« .+ » est archivée sur cette plateforme : la connexion n’y est plus possible/);
    expect((await login(t, town.agentEC.email, 'pas-le-bon')).status).toBe(401);

    // Its channels are stopped: Twilio is answered (no retry, nothing sent back) and nothing is
    // stored; a caller hears that the number no longer reaches the service, nothing is filed.
    expect(await inboundSms('Bonjour, mon dossier ?')).toEqual({
      status: 200,
      text: expect.stringMatching(/^<\?xml.*<Response\/>$/),
    });
    const call = await twilio(
      'voice',
      { CallSid: 'CA' + 'a'.repeat(32), AccountSid: 'AC' + 'c'.repeat(32), From: '+33612345678', To: '+33700000009' },
      voice.id,
    );
    expect(call.status).toBe(200);
    expect(call.text).toContain('<Say language="fr-FR">Ce numéro de la mairie n’est plus relié à son service en ligne.');
    expect(call.text).toContain('<Hangup/>');
    expect(
      (await t.db.query(`SELECT count(*)::int AS n FROM message WHERE channel_id IN ($1, $2)`, [sms.id, voice.id])).rows[0].n,
    ).toBe(0);

    // The citizen still reads their own file, read-only, with the closure said: no reply box, no survey.
    const page = await fetch(`${t.url}/suivi/${tracking}`);
    const html = await page.text();
    expect(page.status).toBe(200);
    expect(html).toContain('Bonjour');
    expect(html).toContain('vous pouvez encore lire votre demande et ses échanges, mais plus y répondre ici');
    expect(html).not.toContain('id="tracking-reply"');
    const read = await t.http('GET', `/api/v1/public/requests/${tracking}`);
    expect(read).toMatchObject({
      status: 200,
      body: { organizationClosed: true, survey: null, messages: [{ body: 'Bonjour' }] },
    });
    // A reply is refused (410), the page showing the file and why; nothing stored.
    const posted = await fetch(`${t.url}/suivi/${tracking}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-forwarded-for': '10.8.0.4' },
      body: new URLSearchParams({ body: 'Une précision' }).toString(),
      redirect: 'manual',
    });
    expect(posted.status).toBe(410);
    const postedHtml = await posted.text();
    expect(postedHtml).toContain('plus y répondre ici');
    expect(postedHtml).not.toContain('id="tracking-reply"');
    const replied = await t.http('POST', `/api/v1/public/requests/${tracking}`, {
      body: { body: 'Une précision' },
      headers: { 'x-forwarded-for': '10.8.0.5' },
    });
    expect(replied.status).toBe(410);

    // Its citizen pages say the service is closed (410), and the form's API refuses.
    for (const path of pages) {
      const res = await fetch(t.url + path);
      expect([path, res.status]).toEqual([path, 410]);
      expect(await res.text()).toContain('Cette mairie a fermé ses services en ligne sur cette plateforme');
    }
    const again = await t.http('POST', `/api/v1/public/organizations/${town.org.slug}/requests`, {
      body: { teamId: town.etatCivil.id, name: 'Camille Roux', email: 'camille@exemple.fr', subject: 'Acte', body: 'Encore' },
      headers: { 'x-forwarded-for': '10.8.0.2' },
    });
    expect(again).toMatchObject({
      status: 410,
      body: { message: 'cette mairie a fermé ses services en ligne sur cette plateforme' },
    });
    expect((await t.http('GET', `/api/v1/public/organizations/${town.org.slug}/events`)).status).toBe(410);
    expect((await t.http('GET', `/api/v1/public/events/${event.body.id}`)).status).toBe(410);
    const registration = await t.http('POST', `/api/v1/public/events/${event.body.id}/registrations`, {
      body: { name: 'Camille Roux', email: 'camille@exemple.fr', places: 1, answers: {}, consentReminders: false },
      headers: { 'x-forwarded-for': '10.8.0.3' },
    });
    expect(registration).toMatchObject({
      status: 410,
      body: { message: 'cette mairie a fermé ses services en ligne sur cette plateforme' },
    });
    // Its accessibility statement stays readable (a legal page).
    expect((await fetch(`${t.url}/accessibilite/${town.org.slug}`)).status).toBe(200);
    // Nothing was deleted.
    expect(await counts()).toEqual(before);

    // Twice is refused; the platform's own organization never.
    expect((await t.http('POST', `/api/v1/platform/organizations/${town.org.id}/archive`, { token: platform })).status).toBe(409);
    const own = await t.http('POST', `/api/v1/platform/organizations/${platformOrgId}/archive`, { token: platform });
    expect(own).toMatchObject({
      status: 409,
      body: { message: 'vous ne pouvez pas archiver l’organisation de votre propre compte de plateforme' },
    });

    // Unarchived: the agents sign in, the pages open again; both steps audited in the town and the platform.
    const back = await t.http('POST', `/api/v1/platform/organizations/${town.org.id}/unarchive`, { token: platform });
    expect(back).toMatchObject({ status: 200, body: { archivedAt: null } });
    expect((await login(t, town.agentEC.email, 'mot-de-passe-test')).status).toBe(200);
    for (const path of [...pages, `/suivi/${tracking}`]) expect([path, (await fetch(t.url + path)).status]).toEqual([path, 200]);
    expect(await fetch(`${t.url}/suivi/${tracking}`).then((r) => r.text())).toContain('id="tracking-reply"');
    expect((await inboundSms('Me revoilà')).status).toBe(200);
    await expectEventually(async () =>
      expect((await t.db.query(`SELECT body FROM message WHERE channel_id = $1`, [sms.id])).rows).toEqual([
        { body: 'Me revoilà' },
      ]),
    );
    const { rows } = await t.db.query(
      `SELECT organization_id, action FROM audit_event WHERE action IN ('organization.archived', 'organization.unarchived') AND data->>'organizationId' = $1 ORDER BY id`,
      [town.org.id],
    );
    expect(rows.map((r) => [r.organization_id === town.org.id ? 'town' : 'platform', r.action])).toEqual([
      ['town', 'organization.archived'],
      ['platform', 'organization.archived'],
      ['town', 'organization.unarchived'],
      ['platform', 'organization.unarchived'],
    ]);
  });

  it('an archived town’s mailbox is released: mail delivered meanwhile stays in the town’s mailbox, and is read once the town is back', async () => {
    const town = await seedTown(t);
    const dovecot = await startDovecot();
    try {
      const box = await dovecot.addUser('mairie-archivee');
      const created = await t.http('POST', '/api/v1/channels', {
        token: town.admin.token,
        body: {
          kind: 'email',
          name: 'Accueil (e-mail)',
          teamId: town.etatCivil.id,
          config: {
            address: 'accueil@mairie-archivee.fr',
            imap: { host: '127.0.0.1', port: dovecot.port, secure: false, user: box.user, password: box.password },
            smtp: { host: '127.0.0.1', port: 2525, secure: false, user: 'x', password: 'y' },
            processed: 'seen',
          },
        },
      });
      expect(created.status).toBe(201);
      const channelId: string = created.body.id;
      const watchers = t.app.get(MailboxWatcherService);
      await expectEventually(() => expect(watchers.status(channelId)?.state).toBe('idle'), { timeoutMs: 15_000, intervalMs: 50 });
      expect((await t.http('POST', `/api/v1/platform/organizations/${town.org.id}/archive`, { token: platform })).status).toBe(
        200,
      );
      await expectEventually(() => expect(watchers.activeChannelIds()).not.toContain(channelId), { timeoutMs: 10_000 });
      const mail = (subject: string) =>
        dovecot.append(
          box,
          [
            'From: Camille Roux <camille@exemple.fr>',
            'To: accueil@mairie-archivee.fr',
            `Subject: ${subject}`,
            `Message-ID: <${randomUUID()}@exemple.fr>`,
            `Date: ${new Date().toUTCString()}`,
            'Content-Type: text/plain; charset=utf-8',
            '',
            'Bonjour, où en est mon dossier ?',
            '',
          ].join('\r\n'),
        );
      await mail('Pendant la fermeture');
      await new Promise((r) => setTimeout(r, 1500));
      const stored = async () =>
        (
          await t.db.query(
            `SELECT c.subject FROM message m JOIN conversation c ON c.id = m.conversation_id WHERE m.channel_id = $1 ORDER BY m.created_at`,
            [channelId],
          )
        ).rows.map((r) => r.subject);
      expect(await stored()).toEqual([]);
      // Back in service: the watcher takes the mailbox again and reads what arrived meanwhile, once.
      expect((await t.http('POST', `/api/v1/platform/organizations/${town.org.id}/unarchive`, { token: platform })).status).toBe(
        200,
      );
      await expectEventually(async () => expect(await stored()).toEqual(['Pendant la fermeture']), { timeoutMs: 15_000 });
    } finally {
      await dovecot.close();
    }
  });

  it('lists the platform administrators, grants and revokes the role, and never removes the last one', async () => {
    const town = await seedTown(t);
    const list = async (token = platform) => t.http('GET', '/api/v1/platform/admins', { token });
    const paula = (await list()).body;
    expect(paula).toEqual([
      {
        id: expect.any(String),
        name: 'Paula Plateforme',
        email: 'paula@si-du-val.fr',
        organization: { id: platformOrgId, name: 'Syndicat informatique du Val' },
      },
    ]);
    // A town's admin is no platform admin: no list, no grant.
    expect((await list(town.admin.token)).status).toBe(403);
    expect((await t.http('PUT', `/api/v1/platform/admins/${town.admin.id}`, { token: town.admin.token })).status).toBe(403);
    // The last one cannot step down.
    const last = await t.http('DELETE', `/api/v1/platform/admins/${paula[0].id}`, { token: platform });
    expect(last).toMatchObject({
      status: 409,
      body: { message: 'c’est le dernier administrateur de la plateforme : nommez-en un autre d’abord' },
    });
    // Granted to the town's admin: listed, and they reach the platform's screens at once.
    const granted = await t.http('PUT', `/api/v1/platform/admins/${town.admin.id}`, { token: platform });
    expect(granted.status).toBe(200);
    expect(granted.body.map((a: { email: string }) => a.email).sort()).toEqual(['paula@si-du-val.fr', town.admin.email].sort());
    expect((await list(town.admin.token)).status).toBe(200);
    expect((await t.http('PUT', `/api/v1/platform/admins/${randomUUID()}`, { token: platform })).status).toBe(404);
    // Revoked: gone from the list and from the screens; then Paula is the last again.
    const revoked = await t.http('DELETE', `/api/v1/platform/admins/${town.admin.id}`, { token: town.admin.token });
    expect(revoked.body.map((a: { email: string }) => a.email)).toEqual(['paula@si-du-val.fr']);
    expect((await list(town.admin.token)).status).toBe(403);
    expect((await t.http('DELETE', `/api/v1/platform/admins/${paula[0].id}`, { token: platform })).status).toBe(409);
    const { rows } = await t.db.query(
      `SELECT action, organization_id FROM audit_event WHERE action LIKE 'agent.platform_admin_%' AND data->>'agentId' = $1 ORDER BY id`,
      [town.admin.id],
    );
    expect(rows.map((r) => [r.action, r.organization_id === platformOrgId ? 'platform' : 'town'])).toEqual([
      ['agent.platform_admin_granted', 'platform'],
      ['agent.platform_admin_granted', 'town'],
      // Revoked by themselves: one row, in their town (the author's and the agent's organization).
      ['agent.platform_admin_revoked', 'town'],
    ]);
  });

  it('grants the role by e-mail (the screen knows addresses), in French when no active agent has it or their town is archived', async () => {
    const town = await seedTown(t);
    const grant = (email: unknown) => t.http('POST', '/api/v1/platform/admins', { token: platform, body: { email } });
    const unknown = await grant('personne@ailleurs.fr');
    expect(unknown).toMatchObject({
      status: 404,
      body: {
        message:
          'aucun agent actif n’a l’adresse personne@ailleurs.fr : invitez-le d’abord dans sa commune (Administration → Agents), puis nommez-le ici',
      },
    });
    expect(await grant('pas-une-adresse')).toMatchObject({ status: 400, body: { details: ['email: adresse e-mail invalide'] } });
    // Any case, spaces around: the address is the agent's.
    const granted = await grant(`  ${town.agentEC.email.toUpperCase()} `);
    expect(granted.status).toBe(200);
    expect(granted.body.map((a: { email: string }) => a.email).sort()).toEqual(['paula@si-du-val.fr', town.agentEC.email].sort());
    // Granted twice: the same list, one audit row per organization concerned, not two.
    expect((await grant(town.agentEC.email)).status).toBe(200);
    const { rows } = await t.db.query(
      `SELECT count(*)::int AS n FROM audit_event WHERE action = 'agent.platform_admin_granted' AND data->>'agentId' = $1`,
      [town.agentEC.id],
    );
    expect(rows[0].n).toBe(2);
    expect((await t.http('DELETE', `/api/v1/platform/admins/${town.agentEC.id}`, { token: platform })).status).toBe(200);
    // A deactivated agent is nobody to grant; an archived town's agent cannot sign in, so is refused.
    await t.db.query(`UPDATE agent SET active = false WHERE id = $1`, [town.agentSco.id]);
    expect((await grant(town.agentSco.email)).status).toBe(404);
    expect((await t.http('POST', `/api/v1/platform/organizations/${town.org.id}/archive`, { token: platform })).status).toBe(200);
    expect(await grant(town.supervisor.email)).toMatchObject({
      status: 409,
      body: { message: 'la commune de cet agent est archivée : il ne peut pas se connecter, remettez-la en service d’abord' },
    });
    expect(
      (await t.http('GET', '/api/v1/platform/admins', { token: platform })).body.map((a: { email: string }) => a.email),
    ).toEqual(['paula@si-du-val.fr']);
    // A town's admin grants nothing.
    const other = await seedTown(t);
    expect(
      (await t.http('POST', '/api/v1/platform/admins', { token: other.admin.token, body: { email: other.agentEC.email } }))
        .status,
    ).toBe(403);
  });

  it('documents the platform routes in the OpenAPI document', async () => {
    const doc = await t.http('GET', '/api/docs/openapi.json');
    expect(doc.body.paths['/api/v1/platform/organizations']).toHaveProperty('post');
    expect(doc.body.paths['/api/v1/platform/organizations']).toHaveProperty('get');
    expect(doc.body.paths['/api/v1/platform/organizations/{id}/archive']).toHaveProperty('post');
    expect(doc.body.paths['/api/v1/platform/organizations/{id}/unarchive']).toHaveProperty('post');
    expect(doc.body.paths['/api/v1/platform/admins']).toHaveProperty('get');
    expect(doc.body.paths['/api/v1/platform/admins']).toHaveProperty('post');
    expect(doc.body.paths['/api/v1/platform/admins/{agentId}']).toHaveProperty('put');
    expect(doc.body.paths['/api/v1/platform/admins/{agentId}']).toHaveProperty('delete');
  });
});
