import { expectEventually, startTwilioServer, type TwilioServer } from '@guichet/testing';
import { seedTown, startTestApp, type TestApp } from '../harness';

const ACCOUNT = 'AC' + 'd'.repeat(32);
const TOKEN = 'auth-token-formulaire-01';

/**
 * The web form proves nothing about who writes (ARCHITECTURE.md, "Threading"): whoever knows a
 * citizen's e-mail or phone and a file reference must never read that file, add to it, reopen it,
 * or attach an identity to that citizen. Every test here is an attack from the outside review.
 */
describe('a form proves nothing about who writes', () => {
  let t: TestApp;
  let town: Awaited<ReturnType<typeof seedTown>>;
  let twilio: TwilioServer;
  let sms: { id: string };
  let counter = 0;
  let phones = 0;
  const SECRET = 'Votre numéro fiscal est le 1234 5678 901, votre dossier est complet.';

  const form = async (over: Record<string, unknown>) => {
    const res = await t.http('POST', `/api/v1/public/organizations/${town.org.slug}/requests`, {
      body: { teamId: town.scolarite.id, name: 'Quelqu’un', subject: 'Demande', body: 'Bonjour.', ...over },
      headers: { 'x-forwarded-for': `10.1.0.${++counter}` },
    });
    expect(res.status).toBe(201);
    return res.body as { reference: string; trackingToken: string; trackingUrl: string };
  };
  const conversation = async (reference: string) =>
    (
      await t.db.query(
        `SELECT id, contact_id, status, version, team_id, possibly_related_to_id FROM conversation WHERE reference = $1`,
        [reference],
      )
    ).rows[0];
  const identities = async (contactId: string) =>
    (
      await t.db.query(`SELECT kind || ':' || value AS id FROM contact_identity WHERE contact_id = $1 ORDER BY kind, value`, [
        contactId,
      ])
    ).rows.map((r: { id: string }) => r.id);
  const tracking = (created: { reference: string; trackingToken: string }) =>
    `/api/v1/public/requests/${created.reference}?token=${created.trackingToken}`;
  // What the conversation holds, without the notices Guichet itself sends to the contact typed in
  // the form after an agent's reply (issue 21, item 5: they carry only the tracking link).
  const bodies = async (conversationId: string) =>
    (
      await t.db.query(
        `SELECT body FROM message WHERE conversation_id = $1 AND NOT coalesce(meta ? 'formNotice', false) ORDER BY created_at, id`,
        [conversationId],
      )
    ).rows.map((r: { body: string }) => r.body);
  const reply = async (conversationId: string, body: string, channelId?: string) => {
    const agent = town.agentSco;
    const c = (await t.http('GET', `/api/v1/conversations/${conversationId}`, { token: agent.token })).body;
    return t.http('POST', `/api/v1/conversations/${conversationId}/messages`, {
      token: agent.token,
      body: { kind: 'reply', body, version: c.version, ...(channelId ? { channelId } : {}) },
    });
  };
  const newPhone = () => `+3361234${String(++phones).padStart(4, '0')}`;

  /** A citizen's file in Scolarité, with an agent's answer that only this citizen may read. */
  const victimFile = async (typed: { email?: string; phone?: string }) => {
    const created = await form({
      name: 'Nadia Benali',
      subject: 'Inscription à la cantine',
      body: 'Bonjour, ma fille entre en CP.',
      ...typed,
    });
    const c = await conversation(created.reference);
    expect((await reply(c.id, SECRET)).status).toBe(201);
    return { ...created, id: c.id as string, contactId: c.contact_id as string };
  };

  beforeAll(async () => {
    delete process.env.HTTP_PROXY;
    delete process.env.HTTPS_PROXY;
    twilio = await startTwilioServer();
    twilio.addAccount(ACCOUNT, TOKEN);
    t = await startTestApp();
    town = await seedTown(t);
    const res = await t.http('POST', '/api/v1/channels', {
      token: town.admin.token,
      body: {
        kind: 'sms',
        name: 'SMS mairie',
        teamId: town.scolarite.id,
        config: { accountSid: ACCOUNT, authToken: TOKEN, apiBaseUrl: twilio.url, phoneNumber: '+33700000009' },
      },
    });
    expect(res.status).toBe(201);
    sms = { id: res.body.id };
  });
  afterAll(async () => {
    await t?.close();
    await twilio?.close();
  });

  type Attack = (victim: { email: string; phone: string; reference: string }) => Record<string, unknown>;
  const attacks: [string, Attack][] = [
    [
      'the citizen’s e-mail and the reference in the subject',
      (v) => ({ email: v.email, subject: `Re: [${v.reference}] complément` }),
    ],
    ['the citizen’s phone only', (v) => ({ phone: v.phone, subject: `Suite ${v.reference}` })],
    ['another service chosen', (v) => ({ email: v.email, teamId: town.etatCivil.id, subject: `[${v.reference}]` })],
  ];
  it.each(attacks)(
    'with %s, a form opens a new conversation flagged as possibly related, never that file’s',
    async (_label, attack) => {
      const email = `victime${++counter}@example.fr`;
      const phone = newPhone();
      const victim = await victimFile({ email, phone });
      const before = await conversation(victim.reference);

      const stranger = await form({
        name: 'Un inconnu',
        body: 'Pouvez-vous me redire ce que vous avez écrit ?',
        ...attack({ email, phone, reference: victim.reference }),
      });

      expect(stranger.reference).not.toBe(victim.reference);
      expect(stranger.trackingToken).not.toBe(victim.trackingToken);
      // The stranger's tracking page shows their own message only: never the agent's answer to the citizen.
      const page = await t.http('GET', tracking(stranger));
      expect(page.status).toBe(200);
      expect(page.body.messages.map((m: { body: string }) => m.body)).toEqual(['Pouvez-vous me redire ce que vous avez écrit ?']);
      expect(JSON.stringify(page.body)).not.toContain('1234 5678');
      // The citizen's file is untouched: no message added, no new version, same identities.
      expect(await bodies(victim.id)).toEqual(['Bonjour, ma fille entre en CP.', SECRET]);
      expect(await conversation(victim.reference)).toEqual(before);
      expect(await identities(victim.contactId)).toEqual([`email:${email}`, `phone:${phone}`]);
      // The agent is told the new conversation may be related to the file it quotes.
      expect((await conversation(stranger.reference)).possibly_related_to_id).toBe(victim.id);
    },
  );

  it('a form quoting the reference of a resolved file does not reopen it', async () => {
    const email = `resolue${++counter}@example.fr`;
    const victim = await victimFile({ email });
    const c = (await t.http('GET', `/api/v1/conversations/${victim.id}`, { token: town.agentSco.token })).body;
    const resolved = await t.http('PATCH', `/api/v1/conversations/${victim.id}`, {
      token: town.agentSco.token,
      body: { status: 'resolved', version: c.version },
    });
    expect(resolved.status).toBe(200);
    const before = await conversation(victim.reference);

    const stranger = await form({ email, subject: `Re: [${victim.reference}]`, body: 'Rouvrez mon dossier' });

    expect(await conversation(victim.reference)).toEqual(before);
    expect(before.status).toBe('resolved');
    expect(stranger.reference).not.toBe(victim.reference);
    expect(await bodies(victim.id)).toEqual(['Bonjour, ma fille entre en CP.', SECRET]);
  });

  it('a phone typed next to a citizen’s e-mail is not added to that citizen, so an SMS on the citizen’s file cannot reach it', async () => {
    const email = `mariee${++counter}@example.fr`;
    const victim = await victimFile({ email });
    const strangerPhone = newPhone();

    const stranger = await form({ email, phone: strangerPhone, name: 'Un inconnu', body: 'Mon nouveau numéro' });

    // The citizen keeps exactly their own identities; the typed phone went to a new citizen.
    expect(await identities(victim.contactId)).toEqual([`email:${email}`]);
    const other = await conversation(stranger.reference);
    expect(other.contact_id).not.toBe(victim.contactId);
    expect(await identities(other.contact_id)).toEqual([`phone:${strangerPhone}`]);
    expect(other.possibly_related_to_id).toBe(victim.id);

    // An SMS on the citizen's file has no number to go to: never the stranger's.
    const onVictim = await reply(victim.id, SECRET, sms.id);
    expect(onVictim.status).toBe(400);
    expect(onVictim.body.message).toBe("ce citoyen n'a pas d'identité phone : choisissez un autre canal");

    // The stranger's own request: never answered at the address they typed that belongs to the citizen…
    const byEmail = await reply(other.id, 'Réponse par e-mail', town.email.id);
    expect(byEmail.status).toBe(400);
    // …but reachable at the number that is theirs, and on their tracking page.
    expect((await reply(other.id, 'Réponse par SMS', sms.id)).status).toBe(201);
    await expectEventually(
      () => expect(twilio.creates().find((r) => r.form.Body === 'Réponse par SMS')?.form.To).toBe(strangerPhone),
      { timeoutMs: 15_000 },
    );
    expect((await reply(other.id, 'Réponse en ligne')).status).toBe(201);
    await expectEventually(async () => {
      const page = await t.http('GET', tracking(stranger));
      expect(page.body.messages.map((m: { body: string }) => m.body)).toEqual([
        'Mon nouveau numéro',
        'Réponse par SMS',
        'Réponse en ligne',
      ]);
    });
    expect(twilio.creates().filter((r) => r.form.Body === SECRET)).toEqual([]);
  });

  it('identities of two different citizens typed together open a file of a new citizen, still reachable through its tracking page', async () => {
    const first = await victimFile({ email: `premiere${++counter}@example.fr` });
    const phone = newPhone();
    const second = await victimFile({ phone });
    const email = (await identities(first.contactId))[0]!.slice('email:'.length);

    const stranger = await form({ email, phone, body: 'Les deux à la fois' });

    expect(await identities(first.contactId)).toEqual([`email:${email}`]);
    expect(await identities(second.contactId)).toEqual([`phone:${phone}`]);
    const other = await conversation(stranger.reference);
    expect([first.contactId, second.contactId]).not.toContain(other.contact_id);
    expect(await identities(other.contact_id)).toEqual([]);
    expect([first.id, second.id]).toContain(other.possibly_related_to_id);
    // Neither e-mail nor SMS can reach anyone from this request; the tracking page can, both ways.
    expect((await reply(other.id, 'Par e-mail', town.email.id)).status).toBe(400);
    expect((await reply(other.id, 'Par SMS', sms.id)).status).toBe(400);
    expect((await reply(other.id, 'Réponse en ligne')).status).toBe(201);
    const answer = await t.http('POST', tracking(stranger), {
      body: { body: 'Merci' },
      headers: { 'x-forwarded-for': `10.1.1.${++counter}` },
    });
    expect(answer.status).toBe(201);
    expect(answer.body.messages.map((m: { body: string }) => m.body)).toEqual([
      'Les deux à la fois',
      'Réponse en ligne',
      'Merci',
    ]);
    expect(await bodies(other.id)).toEqual(['Les deux à la fois', 'Réponse en ligne', 'Merci']);
  });

  it('a returning citizen whose typed identities all belong to their file gets a new conversation in it, flagged, with nothing added', async () => {
    const email = `retour${++counter}@example.fr`;
    const phone = newPhone();
    const first = await victimFile({ email, phone });

    const again = await form({
      email,
      phone,
      name: 'Autre nom',
      subject: `Re: [${first.reference}] autre question`,
      body: 'Une autre question',
    });

    const second = await conversation(again.reference);
    expect(second.id).not.toBe(first.id);
    expect(second.contact_id).toBe(first.contactId);
    expect(second.possibly_related_to_id).toBe(first.id);
    expect(await identities(first.contactId)).toEqual([`email:${email}`, `phone:${phone}`]);
    expect((await t.db.query(`SELECT name FROM contact WHERE id = $1`, [first.contactId])).rows[0].name).toBe('Nadia Benali');
    // The address typed is this citizen's: answering it by SMS reaches the number typed.
    expect((await reply(second.id, 'Deuxième réponse', sms.id)).status).toBe(201);
    await expectEventually(() => expect(twilio.creates().find((r) => r.form.Body === 'Deuxième réponse')?.form.To).toBe(phone), {
      timeoutMs: 15_000,
    });
    // The tracking page of the new request appends to it, not to the first file.
    const answer = await t.http('POST', tracking(again), {
      body: { body: 'Merci' },
      headers: { 'x-forwarded-for': `10.1.1.${++counter}` },
    });
    expect(answer.status).toBe(201);
    expect(await bodies(second.id)).toEqual(['Une autre question', 'Deuxième réponse', 'Merci']);
    expect(await bodies(first.id)).toEqual(['Bonjour, ma fille entre en CP.', SECRET]);
  });
});
