import { randomUUID } from 'node:crypto';
import { strFromU8, unzipSync } from 'fflate';
import type { ConversationDto, ProcessingRestrictionDto } from '@guichet/contracts';
import { expectEventually } from '@guichet/testing';
import { trackingToken } from '../../src/modules/public/tracking-token';
import { citizenSms, randomMobile, seedTown, startTestApp, type TestApp } from '../harness';

const LIMITED = 'limitation du traitement (RGPD art. 18)';
type Town = Awaited<ReturnType<typeof seedTown>>;

/**
 * RGPD art. 18 (issue 16) where 93dba18 and c673139 left it out, on real PostgreSQL: what a
 * limitation freezes (guichet_limited_since: every file of the citizen but the rights request and
 * the requests they wrote since) is not routed at arrival, and routing a request they wrote since
 * draws nothing from the frozen files; retention keeps their event registrations; no note is added
 * to a frozen file, nor a call logged by hand, nor a message from its tracking page; a merge's undo is refused as the merge is; the access export lists their
 * limitations and objections, in force and lifted, and the register has its line for them.
 */
describe('what a limitation freezes, everywhere', () => {
  let t: TestApp;

  const conversation = async (town: Town, id: string): Promise<ConversationDto> =>
    (await t.http('GET', `/api/v1/conversations/${id}`, { token: town.supervisor.token })).body;
  /** A citizen's request through the web form (always a new file), `at` when they sent it. */
  const webRequest = async (town: Town, phone: string, text: string, o: { at?: Date; teamId?: string } = {}) =>
    (
      await t.ingest.ingest(
        {
          channelId: town.webform.id,
          externalId: randomUUID(),
          from: { kind: 'phone', value: phone },
          text,
          ...(o.at ? { receivedAt: o.at } : {}),
        },
        { teamId: o.teamId ?? town.etatCivil.id },
      )
    ).conversationId;
  /** The citizen's rights request of `kind`, granted by the supervisor. */
  const granted = async (town: Town, phone: string, kind: 'limitation' | 'objection', reason: string) => {
    const request = await webRequest(town, phone, 'Je conteste l’exactitude de mes données.');
    const set = await t.http('PUT', `/api/v1/conversations/${request}/rights-request`, {
      token: town.supervisor.token,
      body: { kind },
    });
    expect(set.status).toBe(200);
    const grant = await t.http<ProcessingRestrictionDto>('POST', `/api/v1/conversations/${request}/rights-request/grant`, {
      token: town.supervisor.token,
      body: { reason },
    });
    expect(grant.status).toBe(201);
    return { request, restriction: grant.body };
  };
  const refused = (res: { status: number; body: { message?: string } }, what: string) => {
    expect(res.status).toBe(423);
    expect(res.body.message).toContain(LIMITED);
    expect(res.body.message).toContain(what);
  };

  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t?.close());

  it('routing at arrival leaves a frozen file alone, and routes a request written since without reading the frozen files', async () => {
    const town = await seedTown(t);
    const known = await t.http('POST', '/api/v1/labels', { token: town.admin.token, body: { name: 'Déjà connu' } });
    const rules = [
      {
        name: 'Passeports vers la Scolarité',
        conditions: { words: ['passeport'] },
        actions: { teamId: town.scolarite.id, priority: 'high' },
      },
      {
        name: 'Connus de la Scolarité',
        conditions: { knownToTeamId: town.scolarite.id },
        actions: { labelIds: [known.body.id] },
      },
    ];
    for (const body of rules)
      expect((await t.http('POST', '/api/v1/routing-rules', { token: town.admin.token, body })).status).toBe(201);
    const routedRow = async (id: string) =>
      (await t.db.query(`SELECT rule_id FROM conversation_routing WHERE conversation_id = $1`, [id])).rows;

    const phone = randomMobile();
    // A file the Scolarité handled before the limitation (frozen by it).
    const school = await webRequest(town, phone, 'Inscription à la cantine', { teamId: town.scolarite.id });
    await expectEventually(async () => expect(await routedRow(school)).toHaveLength(1));
    const sentBefore = new Date(Date.now() - 60_000);
    const { restriction } = await granted(town, phone, 'limitation', 'Exactitude contestée (art. 18.1.a)');

    // A request the citizen sent before the limitation, received after (a mail fetched late): the
    // limitation freezes it, so no rule moves it (it would go to the Scolarité, priority high).
    const late = await webRequest(town, phone, 'Je voudrais renouveler mon passeport.', { at: sentBefore });
    const { rows: since } = await t.db.query(
      `SELECT guichet_limited_since(contact_id, id) AS since FROM conversation WHERE id = $1`,
      [late],
    );
    expect(since[0].since.toISOString()).toBe(restriction.grantedAt);
    // A request written since is theirs (art. 18.2): routed, by its own words only.
    const fresh = await webRequest(town, phone, 'Une question sur les horaires de la mairie.');
    await expectEventually(async () => expect(await routedRow(fresh)).toEqual([{ rule_id: null }]));
    const f = await conversation(town, fresh);
    // « Known to the Scolarité » only through the frozen file: that file is not read to route.
    expect(f.labels).toEqual([]);
    expect(f.teamId).toBe(town.etatCivil.id);
    // Every job of what was written has run: the late one is untouched.
    await t.settled();
    const l = await conversation(town, late);
    expect([l.teamId, l.priority, l.labels]).toEqual([town.etatCivil.id, 'normal', []]);
    expect(await routedRow(late)).toEqual([]);
    // Not acknowledged either (the acknowledgement listener routes first: same rule).
    const { rows: acks } = await t.db.query(
      `SELECT count(*)::int AS n FROM message WHERE conversation_id = $1 AND direction = 'outbound'`,
      [late],
    );
    expect(acks[0].n).toBe(0);
  });

  it('retention keeps a limited citizen’s event registrations, linked to their file or under their number, and anonymizes the others', async () => {
    const town = await seedTown(t);
    const phone = randomMobile();
    const first = await citizenSms(t, town.sms.id, 'Bonjour, inscription à l’atelier ?', phone);
    const contactId = (await conversation(town, first)).contact.id;
    await granted(town, phone, 'limitation', 'Opposition à l’exactitude du nom (art. 18.1.a)');
    const ev = await t.http('POST', '/api/v1/events', {
      token: town.agentSco.token,
      body: {
        teamId: town.scolarite.id,
        title: 'Atelier passé',
        place: 'Médiathèque',
        startsAt: new Date().toISOString(),
        capacity: 10,
      },
    });
    expect(ev.status).toBe(201);
    // Registrations as an agent's desk would take them: one linked to the file (an e-mail the town
    // does not know), one under the citizen's number only, one of someone else.
    const register = async (name: string, contact: string | null, p: string | null, email: string | null = null) =>
      (
        await t.db.query(
          `INSERT INTO municipal_event_registration (organization_id, event_id, session_id, name, phone, email, places, status, contact_id)
           SELECT $1, $2, s.id, $3, $4, $5, 1, 'confirmed', $6 FROM municipal_event_session s WHERE s.event_id = $2
           RETURNING id`,
          [town.org.id, ev.body.id, name, p, email, contact],
        )
      ).rows[0].id as string;
    const linked = await register('Inès Morel', contactId, null, 'ines.morel@example.fr');
    const byNumber = await register('I. Morel', null, phone);
    const other = await register('Jean Valjean', null, randomMobile());
    // Time travel: the event ended long before the period the town keeps registrants.
    await t.db.query(`UPDATE municipal_event SET starts_at = now() - interval '3 years', ends_at = NULL WHERE id = $1`, [
      ev.body.id,
    ]);

    const run = await t.http('POST', '/api/v1/retention/run', { token: town.admin.token });
    expect(run.status).toBeLessThan(300);
    const rows = async () =>
      (
        await t.db.query(
          `SELECT id, name, phone, anonymized_at IS NOT NULL AS anonymized FROM municipal_event_registration WHERE event_id = $1`,
          [ev.body.id],
        )
      ).rows as { id: string; name: string; phone: string | null; anonymized: boolean }[];
    const byId = (list: Awaited<ReturnType<typeof rows>>) => Object.fromEntries(list.map((r) => [r.id, r]));
    const after = byId(await rows());
    expect(after[linked]).toMatchObject({ name: 'Inès Morel', anonymized: false });
    expect(after[byNumber]).toMatchObject({ name: 'I. Morel', phone, anonymized: false });
    expect(after[other]).toMatchObject({ name: '', phone: null, anonymized: true });
    // A second run finds nothing more to do (the kept ones do not hold the event back forever).
    expect((await t.http('POST', '/api/v1/retention/run', { token: town.admin.token })).status).toBeLessThan(300);
    expect(byId(await rows())[linked]!.anonymized).toBe(false);
  });

  it('no note on a frozen file (423, French reason); the rights request and a request written since take notes', async () => {
    const town = await seedTown(t);
    const phone = randomMobile();
    const frozen = await citizenSms(t, town.sms.id, 'Où en est mon dossier ?', phone);
    const { request } = await granted(town, phone, 'limitation', 'Exactitude contestée (art. 18.1.a)');
    const fresh = await webRequest(town, phone, 'Bonjour, une copie d’acte de naissance svp.');
    const note = async (id: string, body: string) =>
      t.http('POST', `/api/v1/conversations/${id}/messages`, {
        token: town.supervisor.token,
        body: { kind: 'note', body, version: (await conversation(town, id)).version },
      });
    refused(await note(frozen, 'Rappeler l’usager lundi.'), 'aucune note ne peut être ajoutée');
    const { rows } = await t.db.query(`SELECT count(*)::int AS n FROM message WHERE conversation_id = $1 AND kind = 'note'`, [
      frozen,
    ]);
    expect(rows[0].n).toBe(0);
    expect((await note(request, 'Vérification de l’adresse en cours auprès du service.')).status).toBe(201);
    expect((await note(fresh, 'Acte demandé au registre.')).status).toBe(201);
  });

  it('a frozen file takes no call logged by hand, and its tracking page no message (423, French reason, the page says why); the rights request still takes calls', async () => {
    const town = await seedTown(t);
    const phone = randomMobile();
    const frozen = await webRequest(town, phone, 'Où en est mon dossier de mariage ?');
    const { request } = await granted(town, phone, 'limitation', 'Exactitude contestée (art. 18.1.a)');
    const messages = async (id: string) =>
      (await t.db.query(`SELECT count(*)::int AS n FROM message WHERE conversation_id = $1`, [id])).rows[0].n as number;
    const before = await messages(frozen);
    const call = (id: string) =>
      t.http('POST', `/api/v1/conversations/${id}/calls`, {
        token: town.agentEC.token,
        body: { direction: 'inbound', kind: 'phone', durationSeconds: 90, note: 'L’usager demande où en est son dossier.' },
      });
    refused(await call(frozen), 'aucun appel ni passage à l’accueil ne peut être consigné dans ce dossier');
    expect((await call(request)).status).toBe(201);

    // The citizen's tracking page of the frozen file: it says why, and takes no message.
    const reference = (await conversation(town, frozen)).reference;
    const token = trackingToken(t.config.appSecret, frozen);
    const api = `/api/v1/public/requests/${reference}?token=${token}`;
    const shown = await t.http('GET', api);
    expect(shown.status).toBe(200);
    expect(shown.body.limited).toBe(true);
    const posted = await t.http('POST', api, { body: { body: 'Je relance ma demande.' } });
    expect(posted.status).toBe(423);
    expect(posted.body.message).toContain('le traitement de vos données est limité (RGPD, article 18)');
    const page = await fetch(`${t.url}/suivi/${reference}?token=${token}`);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('data-testid="tracking-limited"');
    expect(html).toContain('Demande conservée sans être traitée');
    expect(html).not.toContain('id="tracking-reply"');
    const form = new FormData();
    form.set('body', 'Je relance encore.');
    const sent = await fetch(`${t.url}/suivi/${reference}?token=${token}`, { method: 'POST', body: form, redirect: 'manual' });
    expect(sent.status).toBe(423);
    expect(await sent.text()).toContain('data-testid="tracking-limited"');
    expect(await messages(frozen)).toBe(before);
    // The rights request's own page still takes the citizen's messages.
    const requestPage = `/api/v1/public/requests/${(await conversation(town, request)).reference}?token=${trackingToken(t.config.appSecret, request)}`;
    expect((await t.http('GET', requestPage)).body.limited).toBeUndefined();
    expect((await t.http('POST', requestPage, { body: { body: 'Voici le justificatif demandé.' } })).status).toBe(201);
  });

  it('undoing a merge is refused while either citizen’s data is limited, as the merge is; nothing moves back', async () => {
    const town = await seedTown(t);
    const phone = randomMobile();
    const a = await citizenSms(t, town.sms.id, 'Bonjour, c’est Mme Leroy.', phone);
    const b = await webRequest(town, randomMobile(), 'Mme Leroy, depuis le portable de mon fils.');
    const [kept, absorbed] = [(await conversation(town, a)).contact.id, (await conversation(town, b)).contact.id];
    const proposed = await t.http('POST', `/api/v1/contacts/${kept}/merges`, {
      token: town.agentEC.token,
      body: { otherContactId: absorbed, reason: 'Même personne' },
    });
    expect(proposed.status).toBe(201);
    const confirmed = await t.http('POST', `/api/v1/contact-merges/${proposed.body.id}/confirm`, {
      token: town.supervisor.token,
    });
    expect(confirmed.status).toBe(200);
    expect((await conversation(town, b)).contact.id).toBe(kept);
    await granted(town, phone, 'limitation', 'Exactitude contestée (art. 18.1.a)');

    refused(
      await t.http('POST', `/api/v1/contact-merges/${proposed.body.id}/undo`, { token: town.supervisor.token }),
      'l’annulation de la fusion est impossible',
    );
    expect((await conversation(town, b)).contact.id).toBe(kept);
    const { rows } = await t.db.query(`SELECT status FROM contact_merge WHERE id = $1`, [proposed.body.id]);
    expect(rows).toEqual([{ status: 'merged' }]);
  });

  it('the access export lists the limitations and objections, in force and lifted; the register has their line', async () => {
    const town = await seedTown(t);
    const phone = randomMobile();
    const objection = await granted(town, phone, 'objection', 'Enquêtes non nécessaires (art. 21)');
    const contactId = (await conversation(town, objection.request)).contact.id;
    const lift = await t.http('POST', `/api/v1/contacts/${contactId}/restrictions/objection/lift`, {
      token: town.supervisor.token,
      body: { reason: 'L’usager retire son opposition' },
    });
    expect(lift.status).toBe(200);
    const limitation = await granted(town, phone, 'limitation', 'Exactitude contestée <vérification> (art. 18.1.a)');

    const res = await fetch(`${t.url}/api/v1/contacts/${contactId}/export`, {
      method: 'POST',
      headers: { authorization: `Bearer ${town.supervisor.token}` },
    });
    expect(res.status).toBe(200);
    const files = unzipSync(new Uint8Array(await res.arrayBuffer()));
    const json = JSON.parse(strFromU8(files['donnees.json']!));
    const { rows: refs } = await t.db.query(`SELECT id, reference FROM conversation WHERE id = ANY($1::uuid[])`, [
      [objection.request, limitation.request],
    ]);
    const ref = Object.fromEntries(refs.map((r: { id: string; reference: string }) => [r.id, r.reference]));
    expect(json.restrictionsDuTraitement).toEqual([
      {
        type: 'limitation',
        depuisLe: limitation.restriction.grantedAt,
        motif: 'Exactitude contestée <vérification> (art. 18.1.a)',
        jusquAu: null,
        accordeePar: 'Sarah Superviseure',
        demande: ref[limitation.request],
        leveeLe: null,
        leveePar: null,
        motifLevee: null,
      },
      {
        type: 'objection',
        depuisLe: objection.restriction.grantedAt,
        motif: 'Enquêtes non nécessaires (art. 21)',
        jusquAu: null,
        accordeePar: 'Sarah Superviseure',
        demande: ref[objection.request],
        leveeLe: lift.body.liftedAt,
        leveePar: 'Sarah Superviseure',
        motifLevee: 'L’usager retire son opposition',
      },
    ]);
    const page = strFromU8(files['index.html']!);
    expect(page).toContain('<h2>Limitation et opposition au traitement</h2>');
    expect(page).toContain('<td>Limitation du traitement (article 18)</td>');
    expect(page).toContain('Exactitude contestée &lt;vérification&gt; (art. 18.1.a)');
    expect(page).toContain('En vigueur');
    expect(page).toContain('<td>Opposition (article 21)</td>');
    expect(page).toMatch(/<td>le \d{1,2} [a-zéû]+ \d{4} à \d{2}:\d{2} — L’usager retire son opposition<\/td>/);

    const register = await fetch(`${t.url}/api/v1/processing-register?format=html`, {
      headers: { authorization: `Bearer ${town.admin.token}` },
    });
    const text = await register.text();
    expect(text).toContain('Exercice des droits des usagers (RGPD art. 15 à 21)');
    expect(text).toMatch(/En vigueur au \d{1,2} [a-zéû]+ \d{4} : 1 limitation, 0 opposition ; 1 levée depuis l’origine/);
    expect(text).toContain('celles d’un usager dont le traitement est limité (art. 18) sont conservées en l’état');
  });
});
