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
