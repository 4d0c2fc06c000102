import type { MunicipalEventDto, PublicRegistrationCreated } from '@guichet/contracts';
import { expectEventually } from '@guichet/testing';
import { RegistrantNotices } from '../../src/modules/municipal-events/registrant-notices.service';
import { seedTown, startTestApp, type TestApp } from '../harness';

/**
 * Issue 17, the citizen side: the event pages under /evenements/:slug rendered by the server
 * (plain HTML forms, no JavaScript needed), the registration behind the confirmation's signed
 * link, and the online cancellation cut-off (RDV-Solidarités: 4 h before by default).
 */
describe('citizen event pages (/evenements/:slug)', () => {
  let t: TestApp;
  let town: Awaited<ReturnType<typeof seedTown>>;
  let counter = 0;
  const ip = () => ({ 'x-forwarded-for': `10.7.${Math.floor(++counter / 250)}.${counter % 250}` });
  const inHours = (h: number) => new Date(Date.now() + h * 3600_000).toISOString();
  const list = () => `/evenements/${town.org.slug}`;

  const create = (body: Record<string, unknown>) =>
    t.http<MunicipalEventDto>('POST', '/api/v1/events', {
      token: town.agentSco.token,
      body: {
        teamId: town.scolarite.id,
        title: 'Atelier cuisine',
        description: 'Cuisiner de saison, en famille.',
        place: 'Centre social, 4 rue des Lilas',
        startsAt: inHours(24 * 10),
        capacity: 10,
        waitlistCapacity: 0,
        maxPlacesPerRegistration: 2,
        published: true,
        ...body,
      },
    });
  const registerJson = (eventId: string, body: Record<string, unknown>) =>
    t.http<PublicRegistrationCreated & { message?: string }>('POST', `/api/v1/public/events/${eventId}/registrations`, {
      body: { name: 'Inès Morel', places: 1, ...body },
      headers: ip(),
    });
  /** A plain HTML form post; the answer is not followed, so the redirect can be read. */
  const post = async (path: string, fields: Record<string, string>) => {
    const res = await fetch(`${t.url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...ip() },
      body: new URLSearchParams(fields).toString(),
      redirect: 'manual',
    });
    return { status: res.status, location: res.headers.get('location'), page: await res.text() };
  };
  const page = async (path: string) => {
    const res = await t.http<string>('GET', path);
    return { status: res.status, page: res.body };
  };

  beforeAll(async () => {
    t = await startTestApp({ publicRequestsPerHour: 50 });
    town = await seedTown(t);
  });
  afterAll(() => t.close());

  it('lists the town’s upcoming published events with service, theme and date filters; drafts and other towns stay out', async () => {
    const cuisine = (await create({ theme: 'Famille', audience: 'Parents et enfants', priceInfo: '5 € par famille' })).body;
    const mairie = (
      await t.http<MunicipalEventDto>('POST', '/api/v1/events', {
        token: town.agentEC.token,
        body: {
          teamId: town.etatCivil.id,
          title: 'Réunion publique',
          place: 'Salle du conseil',
          startsAt: inHours(24 * 20),
          capacity: 3,
          waitlistCapacity: 0,
          published: true,
        },
      })
    ).body;
    await create({ title: 'Brouillon secret', published: false });
    const other = await t.newOrganization();
    const all = await page(list());
    expect(all.status).toBe(200);
    expect(all.page).toContain('<html lang="fr"');
    expect(all.page).toContain(`Événements de Ville ${town.org.slug}`);
    expect(all.page).toContain(`href="/evenements/${town.org.slug}/${cuisine.id}">Atelier cuisine</a>`);
    expect(all.page).toContain('Réunion publique');
    expect(all.page).toContain('10 places restantes sur 10');
    expect(all.page).toContain('3 places restantes sur 3');
    expect(all.page).not.toContain('Brouillon secret');
    expect(all.page).toContain(`<option value="${town.scolarite.id}">Scolarité</option>`);
    expect(all.page).toContain('<option value="Famille">Famille</option>');

    const byService = await page(`${list()}?teamId=${town.etatCivil.id}`);
    expect(byService.page).toContain('Réunion publique');
    expect(byService.page).not.toContain('Atelier cuisine</a>');
    const byTheme = await page(`${list()}?theme=Famille`);
    expect(byTheme.page).toContain('Atelier cuisine</a>');
    expect(byTheme.page).not.toContain('Réunion publique');
    const day = (h: number) => inHours(h).slice(0, 10);
    const byDate = await page(`${list()}?from=${day(24 * 15)}&to=${day(24 * 25)}`);
    expect(byDate.page).toContain('Réunion publique');
    expect(byDate.page).not.toContain('Atelier cuisine</a>');
    // A hand-edited filter is said and dropped, the list still shows.
    const bad = await page(`${list()}?from=demain`);
    expect(bad.status).toBe(200);
    expect(bad.page).toContain('Date AAAA-MM-JJ attendue.');
    expect(bad.page).toContain('Atelier cuisine</a>');

    expect((await page(`/evenements/${other.slug}`)).page).toContain('Aucun événement à venir ne correspond.');
    expect((await page('/evenements/pas-une-commune')).status).toBe(404);
    // Another town's address does not show this town's event.
    expect((await page(`/evenements/${other.slug}/${cuisine.id}`)).status).toBe(404);
    expect((await page(`${list()}/${mairie.id}`)).status).toBe(200);
  });

  it('shows an event with its facts and form; a plain form post registers and lands on the signed registration page the confirmation links to', async () => {
    const ev = (
      await create({
        title: 'Sortie nature',
        audience: 'Enfants de 6 à 10 ans',
        priceInfo: 'Gratuit',
        questions: [{ label: 'Âge de l’enfant', required: true }],
      })
    ).body;
    const shown = await page(`${list()}/${ev.id}`);
    expect(shown.status).toBe(200);
    for (const part of [
      '<h1 class="public__title">Sortie nature</h1>',
      'Centre social, 4 rue des Lilas',
      'Enfants de 6 à 10 ans',
      'Gratuit',
      '10 places restantes sur 10',
      `<form class="public-form" method="post" action="/evenements/${town.org.slug}/${ev.id}"`,
      '<label for="field-answer-age-de-l-enfant">Âge de l’enfant *</label>',
      'name="consentReminders" type="checkbox" value="on"',
      'name="website"',
      'max="2"',
    ])
      expect(shown.page).toContain(part);

    // Nothing typed where needed: a 400 page with the reasons on the fields, what was typed kept.
    const empty = await post(`${list()}/${ev.id}`, { name: 'Léa Roux', email: '', phone: '', places: '1' });
    expect(empty.status).toBe(400);
    expect(empty.page).toContain('Indiquez une adresse e-mail ou un numéro de téléphone.');
    expect(empty.page).toContain('value="Léa Roux"');
    const noAnswer = await post(`${list()}/${ev.id}`, { name: 'Léa Roux', email: 'lea@example.fr', places: '1' });
    expect(noAnswer.status).toBe(400);
    expect(noAnswer.page).toContain('Répondez à la question « Âge de l’enfant ».');
    const tooMany = await post(`${list()}/${ev.id}`, {
      name: 'Léa Roux',
      email: 'lea@example.fr',
      places: '3',
      'answer-age-de-l-enfant': '7 ans',
    });
    expect(tooMany.status).toBe(400);
    expect(tooMany.page).toContain('Indiquez un nombre de places entre 1 et 2.');
    // Both identities may be given with a choice of how to be told; SMS chosen without a phone is said on the phone field.
    expect(shown.page).toContain('<legend>Si vous indiquez les deux, être prévenu(e) par</legend>');
    const smsNoPhone = await post(`${list()}/${ev.id}`, {
      name: 'Léa Roux',
      email: 'lea@example.fr',
      places: '1',
      'answer-age-de-l-enfant': '7 ans',
      channel: 'sms',
    });
    expect(smsNoPhone.status).toBe(400);
    expect(smsNoPhone.page).toContain(
      '<p class="form-error" id="err-phone">Pour être prévenu par SMS, indiquez un numéro de téléphone portable.</p>',
    );
    expect(smsNoPhone.page).toContain('id="field-channel-sms" name="channel" value="sms" checked');
    const robot = await post(`${list()}/${ev.id}`, {
      name: 'Robot',
      email: 'robot@example.fr',
      places: '1',
      'answer-age-de-l-enfant': '7',
      website: 'http://spam.example',
    });
    expect(robot.status).toBe(400);
    expect(robot.page).toContain('Envoi refusé : formulaire rempli automatiquement.');

    const sent = await post(`${list()}/${ev.id}`, {
      name: 'Léa Roux',
      email: 'lea@example.fr',
      phone: '',
      places: '2',
      'answer-age-de-l-enfant': '7 ans',
      consentReminders: 'on',
      website: '',
    });
    expect(sent.status).toBe(303);
    const m = new RegExp(`^/evenements/${town.org.slug}/inscription/([0-9a-f-]{36})\\?token=([\\w-]+)&nouvelle=1$`).exec(
      sent.location!,
    );
    expect(m).not.toBeNull();
    const [, id, token] = m!;
    const { rows } = await t.db.query(
      `SELECT places, answers, consent_reminders, status FROM municipal_event_registration WHERE id = $1`,
      [id],
    );
    expect(rows[0]).toEqual({ places: 2, answers: { 'age-de-l-enfant': '7 ans' }, consent_reminders: true, status: 'confirmed' });
    const done = await page(sent.location!);
    expect(done.status).toBe(200);
    expect(done.page).toContain('Votre inscription est confirmée');
    expect(done.page).toContain('Inscription confirmée');
    expect(done.page).toContain('Annuler mon inscription');

    // The link the confirmation carries is this very page.
    const manageUrl = t.app.get(RegistrantNotices).link(town.org.slug, id!);
    expect(manageUrl).toBe(`http://guichet.test/evenements/${town.org.slug}/inscription/${id}?token=${token}`);
    expect((await page(manageUrl.replace('http://guichet.test', ''))).status).toBe(200);

    // The same e-mail again: the French 409 reason on the form.
    const twice = await post(`${list()}/${ev.id}`, {
      name: 'Léa Roux',
      email: 'LEA@example.fr',
      places: '1',
      'answer-age-de-l-enfant': '7 ans',
    });
    expect(twice.status).toBe(409);
    expect(twice.page).toContain('Cette adresse e-mail est déjà inscrite à cet événement');

    // A wrong token, or the right one under another town's address, reads as an unknown link.
    expect((await page(`/evenements/${town.org.slug}/inscription/${id}?token=faux`)).status).toBe(404);
    const other = await t.newOrganization();
    expect((await page(`/evenements/${other.slug}/inscription/${id}?token=${token}`)).status).toBe(404);
  });

  it('a full event puts the registrant on the waiting list with their position, then says « Complet » when the list is full too', async () => {
    const ev = (await create({ title: 'Bal des seniors', capacity: 1, waitlistCapacity: 2, maxPlacesPerRegistration: 1 })).body;
    expect((await registerJson(ev.id, { email: 'p1@example.fr' })).body.status).toBe('confirmed');
    expect((await registerJson(ev.id, { email: 'p2@example.fr' })).body.position).toBe(1);
    const shown = await page(`${list()}/${ev.id}`);
    expect(shown.page).toContain('Complet – liste d’attente');
    expect(shown.page).toContain('vous serez placé(e) sur la liste d’attente');
    const sent = await post(`${list()}/${ev.id}`, { name: 'Paul Henry', phone: '06 12 34 56 78', places: '1' });
    expect(sent.status).toBe(303);
    const waiting = await page(sent.location!);
    expect(waiting.page).toContain('Vous êtes sur la liste d’attente');
    expect(waiting.page).toContain('Votre position : 2');
    expect(waiting.page).toContain('Sur la liste d’attente');

    const listed = await page(list());
    expect(listed.page).toMatch(
      /Bal des seniors[\s\S]*?<span class="event-places event-places--full" data-testid="event-places">Complet<\/span>/,
    );
    const full = await page(`${list()}/${ev.id}`);
    expect(full.page).toContain('data-testid="registration-closed">Complet</p>');
    expect(full.page).not.toContain('method="post"');
  });

  it('cancels from the signed link after a confirmation step; the freed place is offered to the next, who confirms it from their page', async () => {
    const ev = (await create({ title: 'Concert', capacity: 1, waitlistCapacity: 3, maxPlacesPerRegistration: 1 })).body;
    const first = (await registerJson(ev.id, { email: 'c1@example.fr' })).body;
    const second = (await registerJson(ev.id, { email: 'c2@example.fr' })).body;
    const firstPage = `/evenements/${town.org.slug}/inscription/${first.id}?token=${first.token}`;
    const ask = await post(`/evenements/${town.org.slug}/inscription/${first.id}/annuler?token=${first.token}`, {});
    expect(ask.status).toBe(200);
    expect(ask.page).toContain('Voulez-vous vraiment annuler votre inscription ?');
    expect((await t.http('GET', `/api/v1/public/registrations/${first.id}?token=${first.token}`)).body.status).toBe('confirmed');
    const gone = await post(`/evenements/${town.org.slug}/inscription/${first.id}/annuler?token=${first.token}`, {
      confirm: '1',
    });
    expect(gone.status).toBe(303);
    expect(gone.location).toBe(`${firstPage}&fait=annulee`);
    const after = await page(gone.location!);
    expect(after.page).toContain('Votre inscription est annulée.');
    expect(after.page).toContain('Inscription annulée');
    expect(after.page).not.toContain('data-testid="cancel-registration"');

    const secondPage = `/evenements/${town.org.slug}/inscription/${second.id}?token=${second.token}`;
    const offered = await expectEventually(async () => {
      const p = await page(secondPage);
      expect(p.page).toContain('Une place vous est proposée');
      return p;
    });
    expect(offered.page).toContain('Confirmer ma place');
    const confirmed = await post(`/evenements/${town.org.slug}/inscription/${second.id}/confirmer?token=${second.token}`, {});
    expect(confirmed.status).toBe(303);
    const now = await page(confirmed.location!);
    expect(now.page).toContain('Votre place est confirmée.');
    expect(now.page).toContain('Inscription confirmée');
    // Confirming with nothing offered is a French reason on the page, not an error page (asked while
    // the cancellation's notice job may be running: registration-locks.e2e races the two).
    const nothing = await post(`/evenements/${town.org.slug}/inscription/${first.id}/confirmer?token=${first.token}`, {});
    expect(nothing.status).toBe(409);
    expect(nothing.page).toContain('Aucune place ne vous est proposée pour l&#39;instant.');
  });

  it('online cancelling closes the event’s cut-off before the start (4 h by default, set per event): the page says whom to contact and the API refuses in French', async () => {
    const soon = (await create({ title: 'Visite du chantier', startsAt: inHours(3) })).body;
    expect(soon.cancelCutoffHours).toBe(4);
    const r = (await registerJson(soon.id, { email: 'v1@example.fr' })).body;
    const view = await t.http('GET', `/api/v1/public/registrations/${r.id}?token=${r.token}`);
    expect(view.body).toMatchObject({ status: 'confirmed', cancellable: false });
    expect(Date.parse(view.body.cancelUntil)).toBeCloseTo(Date.parse(soon.startsAt) - 4 * 3600_000, -3);
    const refused = await t.http('POST', `/api/v1/public/registrations/${r.id}/cancel?token=${r.token}`);
    expect(refused.status).toBe(409);
    expect(refused.body.message).toBe("l'annulation en ligne est close 4 h avant le début : contactez le service Scolarité");
    const shown = await page(`/evenements/${town.org.slug}/inscription/${r.id}?token=${r.token}`);
    expect(shown.page).toContain('L’annulation en ligne n’est plus possible : contactez le service Scolarité.');
    expect(shown.page).not.toContain('data-testid="cancel-registration"');
    const viaPage = await post(`/evenements/${town.org.slug}/inscription/${r.id}/annuler?token=${r.token}`, { confirm: '1' });
    expect(viaPage.status).toBe(409);
    expect(viaPage.page).toContain('L&#39;annulation en ligne est close 4 h avant le début');

    // The service shortens it for this event: cancelling is possible again.
    const patched = await t.http('PATCH', `/api/v1/events/${soon.id}`, {
      token: town.agentSco.token,
      body: { cancelCutoffHours: 1 },
    });
    expect(patched.status).toBe(200);
    expect(patched.body.cancelCutoffHours).toBe(1);
    const open = await page(`/evenements/${town.org.slug}/inscription/${r.id}?token=${r.token}`);
    expect(open.page).toContain('Annulation en ligne possible jusqu’au');
    expect((await t.http('POST', `/api/v1/public/registrations/${r.id}/cancel?token=${r.token}`)).body.status).toBe('cancelled');
    expect((await create({ cancelCutoffHours: -1 })).status).toBe(400);
  });

  it('answers the pages in English with ?lang=en', async () => {
    const ev = (await create({ title: 'Open day' })).body;
    const en = await page(`${list()}/${ev.id}?lang=en`);
    expect(en.page).toContain('<html lang="en"');
    expect(en.page).toContain('10 places left out of 10');
    expect(en.page).toContain(`action="/evenements/${town.org.slug}/${ev.id}?lang=en"`);
  });
});
