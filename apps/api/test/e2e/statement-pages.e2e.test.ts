import { seedTown, startTestApp, type TestApp } from '../harness';

/**
 * The town hall's legal pages (issue 16): the RGAA accessibility statement and the personal-data
 * page generated from the retention rules, served like the other citizen pages and linked from each.
 */
describe('accessibility statement and personal-data page', () => {
  let t: TestApp;
  let town: Awaited<ReturnType<typeof seedTown>>;

  beforeAll(async () => {
    t = await startTestApp();
    town = await seedTown(t);
    await t.db.query(`UPDATE organization SET email = 'mairie@exemple.fr', phone = '01 23 45 67 89' WHERE id = $1`, [
      town.org.id,
    ]);
  });
  afterAll(() => t.close());

  it('the accessibility statement gives the conformity, the contact and the Défenseur des droits', async () => {
    const res = await t.http('GET', `/accessibilite/${town.org.slug}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    const page: string = res.body;
    expect(page).toContain('<h1 class="public__title">Déclaration d’accessibilité</h1>');
    expect(page).toContain('<strong>non conforme</strong>');
    expect(page).toContain('RGAA), version 4.1');
    expect(page).toContain('<a href="mailto:mairie@exemple.fr">mairie@exemple.fr</a>');
    expect(page).toContain('Défenseur des droits');
    expect(page).toContain(`href="/demandes/${town.org.slug}"`);
  });

  it('the personal-data page lists the retention rules in words, and changes with them', async () => {
    const empty: string = (await t.http('GET', `/donnees-personnelles/${town.org.slug}`)).body;
    expect(empty).toContain('n’a pas encore fixé de durée de conservation');
    const put = await t.http('PUT', '/api/v1/retention-rules', {
      token: town.admin.token,
      body: {
        rules: [
          { durationDays: 90, legalBasis: 'Mission de service public', purpose: 'Répondre aux demandes <des usagers>' },
          {
            teamId: town.scolarite.id,
            durationDays: 2190,
            legalBasis: 'Code de l’éducation',
            purpose: 'Inscriptions',
            action: 'delete',
          },
        ],
      },
    });
    expect(put.status).toBe(200);
    const page: string = (await t.http('GET', `/donnees-personnelles/${town.org.slug}`)).body;
    expect(page).toContain(
      '<tr><td>Tous les services</td><td>Toutes</td><td>Répondre aux demandes &lt;des usagers&gt;</td><td>Mission de service public</td><td>3 mois</td><td>Anonymisation</td></tr>',
    );
    expect(page).toContain(
      '<td>Scolarité</td><td>Toutes</td><td>Inscriptions</td><td>Code de l’éducation</td><td>6 ans</td><td>Suppression</td>',
    );
    expect(page).toContain('un délai d’un mois');
    expect(page).toContain('cnil.fr/fr/plaintes');
  });

  it('every citizen page links both; an unknown town is a French 404', async () => {
    const form: string = (await t.http('GET', `/demandes/${town.org.slug}`)).body;
    expect(form).toContain(`<a href="/accessibilite/${town.org.slug}">Accessibilité : non conforme</a>`);
    expect(form).toContain(`<a href="/donnees-personnelles/${town.org.slug}">Données personnelles</a>`);
    const statement: string = (await t.http('GET', `/accessibilite/${town.org.slug}?lang=en`)).body;
    expect(statement).toContain(`<a href="/donnees-personnelles/${town.org.slug}?lang=en">Personal data</a>`);
    const missing = await t.http('GET', '/donnees-personnelles/ville-inconnue');
    expect(missing.status).toBe(404);
    expect(missing.body).toContain('<html lang="fr"');
  });
});
