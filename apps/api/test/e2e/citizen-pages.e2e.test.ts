import { seedTown, startTestApp, type TestApp } from '../harness';

/**
 * The citizen pages as the server renders them: the request form and the tracking page work with a
 * plain HTML form post, no JavaScript, through the same PublicService as the JSON API.
 */
describe('citizen pages rendered by the server (no JavaScript needed)', () => {
  let t: TestApp;
  let town: Awaited<ReturnType<typeof seedTown>>;
  let counter = 0;
  // Each test posts from its own address so the per-IP limit is only met where it is tested.
  const ip = () => ({ 'x-forwarded-for': `10.1.0.${++counter}` });
  const formPath = () => `/demandes/${town.org.slug}`;
  const urlencoded = (fields: Record<string, string>) => new URLSearchParams(fields).toString();
  const formHeaders = () => ({ 'content-type': 'application/x-www-form-urlencoded', ...ip() });
  const tables = ['conversation', 'message', 'contact', 'contact_identity'];
  const counts = () => Promise.all(tables.map((x) => t.count(x)));

  async function createByJson(over: Record<string, unknown> = {}) {
    const res = await t.http('POST', `/api/v1/public/organizations/${town.org.slug}/requests`, {
      body: {
        teamId: town.scolarite.id,
        name: 'Élodie Martin',
        email: `suivi-${++counter}@example.fr`,
        subject: 'Cantine',
        body: 'Bonjour, une question sur la cantine.',
        ...over,
      },
      headers: ip(),
    });
    expect(res.status).toBe(201);
    return res.body as { reference: string; trackingToken: string };
  }

  beforeAll(async () => {
    t = await startTestApp();
    town = await seedTown(t);
  });
  afterAll(() => t.close());

  it('serves the request form as a French HTML page whose form posts to its own address, with the services to choose', async () => {
    const res = await t.http('GET', formPath());
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(res.headers.get('cache-control')).toBe('private, no-cache');
    const page: string = res.body;
    expect(page).toContain('<html lang="fr"');
    expect(page).toContain(`<title>Écrire à Ville ${town.org.slug}</title>`);
    expect(page).toContain(
      `<form class="public-form" method="post" action="/demandes/${town.org.slug}" enctype="multipart/form-data"`,
    );
    expect(page).toContain(`<option value="${town.scolarite.id}">Scolarité</option>`);
    expect(page).toContain(`<option value="${town.etatCivil.id}">État civil</option>`);
    for (const label of [
      'Service concerné *',
      'Vos nom et prénom *',
      'Adresse e-mail',
      'Numéro de téléphone',
      'Objet de votre demande *',
      'Votre message *',
      'Envoyer ma demande',
    ]) {
      expect(page).toContain(label);
    }
  });

  it('creates the request from a plain multipart form post with a file, and answers a page with the reference and the tracking link', async () => {
    const form = new FormData();
    const fields = {
      teamId: town.scolarite.id,
      name: 'Jeanne Petit',
      email: 'jeanne.petit@example.fr',
      phone: '',
      subject: 'Inscription périscolaire',
      body: 'Bonjour,\nje voudrais inscrire mon fils.',
      website: '',
    };
    for (const [k, v] of Object.entries(fields)) form.append(k, v);
    form.append('attachments', new Blob([Buffer.from('%PDF-1.4 attestation')], { type: 'application/pdf' }), 'attestation.pdf');
    const res = await t.http('POST', formPath(), { form, headers: ip() });
    expect(res.status).toBe(200);
    const page: string = res.body;
    expect(page).toContain('Votre demande est bien envoyée');
    const reference = /data-testid="public-reference">(GU-[2-9A-HJKMNP-TV-Z]{6})</.exec(page)?.[1];
    expect(reference).toBeDefined();
    const link = /href="(\/suivi\/[^"]+)" data-testid="tracking-link"/.exec(page)?.[1]?.replace(/&amp;/g, '&');
    expect(link).toMatch(new RegExp(`^/suivi/${reference}\\?token=[\\w-]+$`));

    const { rows } = await t.db.query(
      `SELECT c.team_id, c.subject, ct.name, array(SELECT value FROM contact_identity i WHERE i.contact_id = ct.id) AS ids,
              array(SELECT a.file_name FROM attachment a JOIN message m ON m.id = a.message_id WHERE m.conversation_id = c.id) AS files
         FROM conversation c JOIN contact ct ON ct.id = c.contact_id WHERE c.reference = $1`,
      [reference],
    );
    expect(rows).toEqual([
      {
        team_id: town.scolarite.id,
        subject: 'Inscription périscolaire',
        name: 'Jeanne Petit',
        ids: ['jeanne.petit@example.fr'],
        files: ['attestation.pdf'],
      },
    ]);
    // The link works: the tracking page shows the message.
    const tracking = await t.http('GET', link!);
    expect(tracking.status).toBe(200);
    expect(tracking.body).toContain('je voudrais inscrire mon fils.');
  });

  it('sends the form back with each error on its field and what was typed, escaped, and stores nothing', async () => {
    const before = await counts();
    const res = await t.http('POST', formPath(), {
      body: urlencoded({ teamId: '', name: '<script>alert("nom")</script>', email: '', phone: '', subject: '', body: '' }),
      headers: formHeaders(),
    });
    expect(res.status).toBe(400);
    const page: string = res.body;
    expect(page).toContain('Le formulaire contient 4 erreurs :');
    expect(page).toContain('<a href="#field-teamId">Choisissez le service concerné.</a>');
    expect(page).toContain('<a href="#field-email">Indiquez une adresse e-mail ou un numéro de téléphone.</a>');
    expect(page).toContain('<a href="#field-subject">Indiquez l&#39;objet de votre demande.</a>');
    expect(page).toContain('<a href="#field-body">Écrivez votre message.</a>');
    expect(page).toMatch(/id="field-subject"[^>]* aria-invalid="true" aria-describedby="err-subject"/);
    expect(page).toContain('<p class="form-error" id="err-subject">Indiquez l&#39;objet de votre demande.</p>');
    expect(page).toContain('value="&lt;script&gt;alert(&quot;nom&quot;)&lt;/script&gt;"');
    expect(page).not.toContain('<script>alert');
    expect(await counts()).toEqual(before);

    // A reason of the service's own (a malformed address) lands on its field, values kept.
    const bad = await t.http('POST', formPath(), {
      body: urlencoded({
        teamId: town.scolarite.id,
        name: 'Léon',
        email: 'leon@',
        phone: '',
        subject: 'Piscine',
        body: 'Horaires ?',
      }),
      headers: formHeaders(),
    });
    expect(bad.status).toBe(400);
    expect(bad.body).toMatch(/<p class="form-error" id="err-email">Adresse e-mail invalide[^<]*<\/p>/);
    expect(bad.body).toContain(`<option value="${town.scolarite.id}" selected>Scolarité</option>`);
    expect(bad.body).toContain('value="Piscine"');
    expect(await counts()).toEqual(before);
  });

  it('applies the honeypot and the per-IP limit of the JSON form, one quota for both', async () => {
    const before = await counts();
    const fields = {
      teamId: town.scolarite.id,
      name: 'Robot',
      email: 'robot@example.fr',
      subject: 'Promo',
      body: 'Achetez',
      website: 'http://spam.example',
    };
    const trap = await t.http('POST', formPath(), { body: urlencoded(fields), headers: formHeaders() });
    expect(trap.status).toBe(400);
    expect(trap.body).toContain('Envoi refusé : formulaire rempli automatiquement.');
    expect(await counts()).toEqual(before);

    const headers = { 'x-forwarded-for': '192.0.2.19' };
    for (let i = 0; i < 20; i++) {
      const json = await t.http('POST', `/api/v1/public/organizations/${town.org.slug}/requests`, {
        body: { teamId: town.scolarite.id, name: 'Foyer', email: `foyer${i}@example.fr`, subject: 'Question', body: 'Bonjour' },
        headers,
      });
      expect(json.status).toBe(201);
    }
    const limited = await t.http('POST', formPath(), {
      body: urlencoded({
        teamId: town.scolarite.id,
        name: 'Foyer',
        email: 'foyer@example.fr',
        subject: 'Encore',
        body: 'Bonjour',
      }),
      headers: { ...headers, 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(limited.body).toContain('Trop de demandes envoyées depuis cette connexion. Réessayez dans une heure.');
    expect(limited.body).toContain('value="Encore"');
  });

  it('shows the tracking page with the exchange, and takes a reply posted from it, shown after a redirect', async () => {
    const created = await createByJson({ subject: 'Restauration scolaire', body: 'Bonjour, mon fils est allergique.' });
    const page = `/suivi/${created.reference}?token=${created.trackingToken}`;
    const res = await t.http('GET', page);
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('private, no-cache');
    expect(res.body).toContain('<title>Suivi de la demande ' + created.reference + '</title>');
    expect(res.body).toContain('<h1 class="public__title">Restauration scolaire</h1>');
    expect(res.body).toContain('data-testid="tracking-status">En cours de traitement</span>');
    expect(res.body).toContain('<p class="public-message__body">Bonjour, mon fils est allergique.</p>');
    const action = `/suivi/${created.reference}?token=${created.trackingToken}`;
    expect(res.body).toContain(`<form class="public-form" method="post" action="${action}" enctype="multipart/form-data"`);

    const sent = await fetch(`${t.url}${page}`, {
      method: 'POST',
      redirect: 'manual',
      headers: formHeaders(),
      body: urlencoded({ body: 'Merci, il mange sans gluten.' }),
    });
    expect(sent.status).toBe(303);
    const location = sent.headers.get('location')!;
    expect(location).toBe(`${action}&envoye=1#reply-sent`);
    const after = await t.http('GET', location.replace(/#.*/, ''));
    expect(after.body).toContain('<p class="public-message__body">Merci, il mange sans gluten.</p>');
    expect(after.body).toContain('Votre réponse est envoyée.');
    const { rows } = await t.db.query(
      `SELECT count(*)::int AS n FROM message m JOIN conversation c ON c.id = m.conversation_id WHERE c.reference = $1 AND m.direction = 'inbound'`,
      [created.reference],
    );
    expect(rows[0].n).toBe(2);

    // An empty reply: the page again, the error on the field, nothing stored.
    const before = await t.count('message');
    const empty = await t.http('POST', page, { body: urlencoded({ body: '   ' }), headers: formHeaders() });
    expect(empty.status).toBe(400);
    expect(empty.body).toMatch(/id="tracking-reply"[^>]* aria-invalid="true" aria-describedby="tracking-error"/);
    expect(empty.body).toContain('<p class="form-error" id="tracking-error" role="alert">Écrivez votre message.</p>');
    expect(await t.count('message')).toBe(before);
  });

  it('shows each service’s own opening hours, else the town’s, beneath the form and on the tracking page', async () => {
    const o = await seedTown(t);
    const slot = (opens: string, closes: string) => ({ opens, closes });
    const day = [slot('08:30', '12:00'), slot('13:30', '17:30')];
    const days = (hours: Partial<Record<string, { opens: string; closes: string }[]>>) =>
      Object.fromEntries(
        ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'].map((d) => [d, hours[d] ?? []]),
      );
    // État civil: its own hours (closed on Wednesday afternoons, open on Saturday mornings); Scolarité follows the town.
    const own = days({
      monday: day,
      tuesday: day,
      wednesday: [day[0]!],
      thursday: day,
      friday: day,
      saturday: [slot('09:00', '12:00')],
    });
    const townHours = days({
      monday: [slot('09:00', '17:00')],
      tuesday: [slot('09:00', '17:00')],
      wednesday: [slot('09:00', '17:00')],
      thursday: [slot('09:00', '17:00')],
      friday: [slot('09:00', '17:00')],
    });
    const described = await t.http('GET', `/api/v1/public/organizations/${o.org.slug}`);
    expect(described.body.teams.map((x: { openingHours: unknown }) => x.openingHours)).toEqual([null, null]);
    expect((await t.http('GET', `/demandes/${o.org.slug}`)).body).not.toContain('Horaires d’ouverture');

    expect(
      (await t.http('PATCH', `/api/v1/teams/${o.etatCivil.id}`, { token: o.admin.token, body: { openingHours: own } })).status,
    ).toBe(200);
    expect(
      (await t.http('PATCH', '/api/v1/organization/settings', { token: o.admin.token, body: { openingHours: townHours } }))
        .status,
    ).toBe(200);
    const teams = (await t.http('GET', `/api/v1/public/organizations/${o.org.slug}`)).body.teams as {
      id: string;
      openingHours: unknown;
    }[];
    expect(teams.find((x) => x.id === o.etatCivil.id)!.openingHours).toEqual(own);
    expect(teams.find((x) => x.id === o.scolarite.id)!.openingHours).toEqual(townHours);

    const etatCivilLines = [
      '<li>Lundi et mardi : 8 h 30 – 12 h, 13 h 30 – 17 h 30</li>',
      '<li>Mercredi : 8 h 30 – 12 h</li>',
      '<li>Jeudi et vendredi : 8 h 30 – 12 h, 13 h 30 – 17 h 30</li>',
      '<li>Samedi : 9 h – 12 h</li>',
    ].join('');
    const form: string = (await t.http('GET', `/demandes/${o.org.slug}`)).body;
    expect(form).toContain(`<ul class="public-services__hours" data-testid="service-hours">${etatCivilLines}</ul>`);
    expect(form).toContain(
      `<ul class="public-services__hours" data-testid="service-hours"><li>Du lundi au vendredi : 9 h – 17 h</li></ul>`,
    );
    const english: string = (await t.http('GET', `/demandes/${o.org.slug}?lang=en`)).body;
    expect(english).toContain('<li>Monday and Tuesday: 8:30 – 12:00, 13:30 – 17:30</li><li>Wednesday: 8:30 – 12:00</li>');

    const sent = await t.http('POST', `/api/v1/public/organizations/${o.org.slug}/requests`, {
      body: {
        teamId: o.etatCivil.id,
        name: 'Léa Horaire',
        email: `horaires-${++counter}@example.fr`,
        subject: 'Horaires',
        body: 'Quand venir ?',
      },
      headers: ip(),
    });
    expect(sent.status).toBe(201);
    const tracking = `/suivi/${sent.body.reference}?token=${sent.body.trackingToken}`;
    const json = await t.http('GET', `/api/v1/public/requests/${sent.body.reference}?token=${sent.body.trackingToken}`);
    expect(json.body).toMatchObject({ serviceOpeningHours: own, decision: null });
    const page: string = (await t.http('GET', tracking)).body;
    expect(page).toContain(
      `<dt>Horaires d’ouverture</dt><dd><ul class="public-services__hours" data-testid="tracking-hours">${etatCivilLines}</ul></dd>`,
    );
    expect(page).not.toContain('data-testid="tracking-decision"');
  });

  it('shows on the tracking page the legal decision date, and that the town is closed that day while the date stays', async () => {
    const o = await seedTown(t);
    const type = await t.http('POST', '/api/v1/request-types', {
      token: o.supervisor.token,
      body: {
        teamId: o.scolarite.id,
        name: 'Inscription scolaire',
        decisionRegime: 'acceptance',
        deadline: { amount: 2, unit: 'months' },
      },
    });
    expect(type.status).toBe(201);
    const sent = await t.http('POST', `/api/v1/public/organizations/${o.org.slug}/requests`, {
      body: {
        teamId: o.scolarite.id,
        name: 'Marc Rentrée',
        email: `rentree-${++counter}@example.fr`,
        subject: 'Rentrée',
        body: 'Inscription en CP.',
      },
      headers: ip(),
    });
    expect(sent.status).toBe(201);
    const [{ id }] = (await t.db.query(`SELECT id FROM conversation WHERE reference = $1`, [sent.body.reference])).rows;
    // Received on Monday 30 November 2026: two months later is Saturday 30 January 2027 (L231-1, not moved).
    await t.db.query(`UPDATE conversation SET created_at = '2026-11-30T12:00:00Z' WHERE id = $1`, [id]);
    const current = await t.http('GET', `/api/v1/conversations/${id}`, { token: o.supervisor.token });
    const set = await t.http('PATCH', `/api/v1/conversations/${id}`, {
      token: o.supervisor.token,
      body: { requestTypeId: type.body.id, version: current.body.version },
    });
    expect(set.status).toBe(200);
    const json = await t.http('GET', `/api/v1/public/requests/${sent.body.reference}?token=${sent.body.trackingToken}`);
    expect(json.body.decision).toEqual({ regime: 'acceptance', dueAt: '2027-01-30T22:59:59.999Z', nonWorkingDay: 'weekend' });
    const tracking = `/suivi/${sent.body.reference}?token=${sent.body.trackingToken}`;
    const page: string = (await t.http('GET', tracking)).body;
    expect(page).toContain(
      '<div data-testid="tracking-decision"><dt>Accord implicite, sans réponse, le</dt><dd>30 janvier 2027<span class="public-facts__note" data-testid="tracking-non-working-day">La mairie est fermée ce jour-là (week-end) : la date reste celle que fixe la loi.</span></dd></div>',
    );
    const english: string = (await t.http('GET', `${tracking}&lang=en`)).body;
    expect(english).toContain('<dt>Implicit acceptance, without an answer, on</dt><dd>30 January 2027<span');
    expect(english).toContain('The town hall is closed that day (weekend): the date stays the one the law sets.');

    // Received the next day, Tuesday 1 December: Monday 1 February 2027, an open day: the date alone.
    await t.db.query(`UPDATE conversation SET created_at = '2026-12-01T12:00:00Z' WHERE id = $1`, [id]);
    const again = await t.http('PATCH', `/api/v1/conversations/${id}`, {
      token: o.supervisor.token,
      body: { requestTypeId: null, version: set.body.version },
    });
    expect((await t.http('GET', tracking)).body).not.toContain('data-testid="tracking-decision"');
    await t.http('PATCH', `/api/v1/conversations/${id}`, {
      token: o.supervisor.token,
      body: { requestTypeId: type.body.id, version: again.body.version },
    });
    const open: string = (await t.http('GET', tracking)).body;
    expect(open).toContain('<dt>Accord implicite, sans réponse, le</dt><dd>1er février 2027</dd>');
    expect(open).not.toContain('tracking-non-working-day');
  });

  it('escapes on the tracking page everything the citizen and the agents wrote', async () => {
    const created = await createByJson({ subject: '<img src=x onerror=alert(1)>', body: '</p><script>alert(2)</script>' });
    const res = await t.http('GET', `/suivi/${created.reference}?token=${created.trackingToken}`);
    expect(res.status).toBe(200);
    expect(res.body).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(res.body).toContain('&lt;/p&gt;&lt;script&gt;alert(2)&lt;/script&gt;');
    expect(res.body).not.toMatch(/<img src=x|<script>alert/);
  });

  it('answers French 404 pages for an unknown town, a wrong tracking link and any other citizen address', async () => {
    const unknown = await t.http('GET', '/demandes/nulle-part');
    expect(unknown.status).toBe(404);
    expect(unknown.body).toContain('Cette mairie n’existe pas ou ne propose pas de formulaire en ligne.');

    const created = await createByJson();
    const wrong = await t.http('GET', `/suivi/${created.reference}?token=${'A'.repeat(32)}`);
    expect(wrong.status).toBe(404);
    expect(wrong.body).toContain('Cette demande est introuvable. Vérifiez que le lien est complet.');
    expect((await t.http('GET', `/suivi/${created.reference}`)).status).toBe(404);
    const before = await t.count('message');
    const post = await t.http('POST', `/suivi/${created.reference}?token=faux`, {
      body: urlencoded({ body: 'Bonjour' }),
      headers: formHeaders(),
    });
    expect(post.status).toBe(404);
    expect(await t.count('message')).toBe(before);

    for (const path of ['/evenements/fete-de-la-musique', '/demandes', '/demandes/%E0%A4%A']) {
      const res = await t.http('GET', path);
      expect({ path, status: res.status }).toEqual({ path, status: 404 });
      expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
      expect(res.body).toContain('Page introuvable');
    }
  });

  it('renders the pages in English with ?lang=en and keeps the language in the form’s address and the links', async () => {
    const res = await t.http('GET', `${formPath()}?lang=en`);
    expect(res.status).toBe(200);
    expect(res.body).toContain('<html lang="en"');
    expect(res.body).toContain(`<h1 class="public__title">Write to Ville ${town.org.slug}</h1>`);
    expect(res.body).toContain(`action="/demandes/${town.org.slug}?lang=en"`);
    expect(res.body).toContain(
      `<a class="language-switch__option" href="/demandes/${town.org.slug}" lang="fr" hreflang="fr">Français</a>`,
    );
    expect(res.body).toContain(
      `<a class="language-switch__option" href="/demandes/${town.org.slug}?lang=en" lang="en" hreflang="en" aria-current="true">English</a>`,
    );
  });
});
