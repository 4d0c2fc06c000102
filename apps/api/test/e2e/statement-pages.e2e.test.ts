import { addCalendarDays, addMonths, civilDateAt, formatFrenchLongDate } from '@guichet/contracts';
import { Database } from '../../src/common/database';
import { seedTown, startTestApp, type TestApp } from '../harness';

/**
 * The town hall's legal pages (issue 16): the RGAA accessibility statement and the personal-data
 * page generated from the retention rules, served like the other citizen pages and linked from each.
 */
// Dates from today: a statement stands 3 years from its publication, so fixed ones would lapse.
const today = civilDateAt(new Date());
const auditOn = addMonths(today, -9);
const establishedOn = addCalendarDays(auditOn, 14);
const updatedOn = addCalendarDays(auditOn, 32);

/** A statement after a partial audit (77,5 %), as an admin fills it in. */
const statement = {
  level: 'partial',
  audit: {
    date: auditOn,
    auditor: 'Access & Cie',
    rate: 77.5,
    sample: 'Formulaire de demande\nSuivi',
    technologies: 'HTML, CSS',
    tools: 'axe-core',
    environment: 'NVDA 2024.1 et Firefox',
  },
  nonCompliances: ['Le suivi de la demande : l’ordre de tabulation', 'Les messages d’erreur <script>'],
  derogations: [],
  exemptions: ['Les pièces jointes des usagers'],
  establishedOn,
  updatedOn,
  multiYearPlanUrl: 'https://mairie.example/schema-2026-2028.pdf',
  actionPlanUrl: 'https://mairie.example/plan-2026.pdf',
  contact: { email: 'accessibilite@exemple.fr', phone: '', url: 'https://mairie.example/signaler' },
};

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

  it('with no statement set, the page says « non conforme », no audit; an admin sets the statement and the page shows it', async () => {
    const path = `/accessibilite/${town.org.slug}`;
    const before: string = (await t.http('GET', path)).body;
    expect(before).toContain(
      '<strong>non conforme</strong> avec le référentiel général d’amélioration de l’accessibilité (RGAA), version 4.1 : aucun audit de conformité n’a encore été réalisé.',
    );
    expect(before).toContain('En l’absence d’audit, les non-conformités ne sont pas encore recensées.');
    expect(before).not.toContain('Résultats des tests');
    const footer = async () => (await t.http('GET', `/demandes/${town.org.slug}`)).body as string;
    expect(await footer()).toContain(`<a href="/accessibilite/${town.org.slug}">Accessibilité : non conforme</a>`);
    expect((await t.http('GET', '/api/v1/organization/accessibility-statement', { token: town.admin.token })).body).toEqual({
      statement: null,
    });

    const put = await t.http('PUT', '/api/v1/organization/accessibility-statement', {
      token: town.admin.token,
      body: {
        ...statement,
        derogations: [{ content: 'Les plans <cadastraux>', reason: 'Leur description coûterait plus que le service' }],
      },
    });
    expect(put.status).toBe(200);
    expect(put.body.statement.audit).toMatchObject({ rate: 77.5, auditor: 'Access & Cie' });
    expect((await t.http('GET', '/api/v1/organization/accessibility-statement', { token: town.supervisor.token })).body).toEqual(
      put.body,
    );

    const page: string = (await t.http('GET', path)).body;
    expect(page).toContain(
      '<strong>partiellement conforme</strong> avec le référentiel général d’amélioration de l’accessibilité (RGAA), version 4.1, en raison des non-conformités et des dérogations énumérées ci-dessous.',
    );
    expect(page).not.toContain('aucun audit');
    // Every citizen page's footer says the declared level, not « non conforme » any more.
    expect(page).toContain(`<a href="/accessibilite/${town.org.slug}">Accessibilité : partiellement conforme</a>`);
    expect(await footer()).toContain(`<a href="/accessibilite/${town.org.slug}">Accessibilité : partiellement conforme</a>`);
    expect(page).toContain(
      `L’audit de conformité réalisé par Access &amp; Cie le ${formatFrenchLongDate(auditOn)} révèle que <strong>77,5 %</strong> des critères du RGAA version 4.1 sont respectés.`,
    );
    expect(page).toContain(
      '<h3>Non-conformités</h3><ul><li>Le suivi de la demande : l’ordre de tabulation</li><li>Les messages d’erreur &lt;script&gt;</li></ul>',
    );
    expect(page).toContain(
      '<h3>Dérogations pour charge disproportionnée</h3><ul><li>Les plans &lt;cadastraux&gt; : Leur description coûterait plus que le service</li></ul>',
    );
    expect(page).toContain(
      '<h3>Contenus non soumis à l’obligation d’accessibilité</h3><ul><li>Les pièces jointes des usagers</li></ul>',
    );
    expect(page).toContain(
      `Cette déclaration a été établie le ${formatFrenchLongDate(establishedOn)}. Elle a été mise à jour le ${formatFrenchLongDate(updatedOn)}.`,
    );
    expect(page).toContain('<h3>Environnement de test</h3><p>NVDA 2024.1 et Firefox</p>');
    expect(page).toContain(
      '<h3>Pages du site ayant fait l’objet de la vérification de conformité</h3><ul><li>Formulaire de demande</li><li>Suivi</li></ul>',
    );
    expect(page).toContain(
      '<a href="https://mairie.example/schema-2026-2028.pdf">Schéma pluriannuel de mise en accessibilité</a>',
    );
    expect(page).toContain('<a href="https://mairie.example/plan-2026.pdf">Plan d’actions de l’année en cours</a>');
    // The contact to report a problem: its own e-mail and form, the organization's phone kept.
    expect(page).toContain('<a href="https://mairie.example/signaler">formulaire de signalement</a>');
    expect(page).toContain('<a href="mailto:accessibilite@exemple.fr">accessibilite@exemple.fr</a>');
    expect(page).not.toContain('mailto:mairie@exemple.fr');
    expect(page).toContain('Par téléphone : 01 23 45 67 89');
    expect(page).toContain('Défenseur des droits');

    const { rows: audit } = await t.db.query(
      `SELECT agent_id, data FROM audit_event WHERE organization_id = $1 AND action = 'organization.accessibility_updated'`,
      [town.org.id],
    );
    expect(audit).toMatchObject([{ agent_id: town.admin.id, data: { before: null, after: { audit: { rate: 77.5 } } } }]);

    // Every criterion met: « totalement conforme », nothing to list.
    const total = await t.http('PUT', '/api/v1/organization/accessibility-statement', {
      token: town.admin.token,
      body: { ...statement, level: 'total', audit: { ...statement.audit, rate: 100 }, nonCompliances: [], exemptions: [] },
    });
    expect(total.status).toBe(200);
    const done: string = (await t.http('GET', path)).body;
    expect(done).toContain(
      '<strong>totalement conforme</strong> avec le référentiel général d’amélioration de l’accessibilité (RGAA), version 4.1.</p>',
    );
    expect(done).toContain('<strong>100 %</strong> des critères');
    expect(done).toContain('Aucun contenu non accessible n’a été relevé.');
  });

  it('only admins set the statement; a contradictory or impossible one is refused with French reasons and changes nothing', async () => {
    const url = '/api/v1/organization/accessibility-statement';
    expect((await t.http('PUT', url, { token: town.agentEC.token, body: statement })).status).toBe(403);
    expect((await t.http('PUT', url, { token: town.supervisor.token, body: statement })).status).toBe(403);
    expect((await t.http('GET', url, { token: town.agentEC.token })).status).toBe(403);
    const saved = (await t.http('GET', url, { token: town.admin.token })).body;

    const refused = async (body: unknown, details: string[]) => {
      const res = await t.http('PUT', url, { token: town.admin.token, body });
      expect(res.status).toBe(400);
      expect(res.body.details).toEqual(details);
    };
    await refused({ ...statement, audit: { ...statement.audit, rate: 120 } }, [
      'audit.rate: taux de conformité : entre 0 et 100 %',
    ]);
    await refused({ ...statement, level: 'total' }, ['level: un taux de 77,5 % correspond à « partiellement conforme »']);
    await refused({ ...statement, level: 'partial', audit: { ...statement.audit, rate: 49.9 } }, [
      'level: un taux de 49,9 % correspond à « non conforme »',
    ]);
    await refused({ ...statement, level: 'partial', audit: null }, [
      'level: sans audit de conformité, le guichet est « non conforme »',
    ]);
    await refused({ ...statement, audit: { ...statement.audit, date: '2999-01-01' }, updatedOn: null }, [
      'audit.date: la date de l’audit est dans le futur',
    ]);
    await refused({ ...statement, multiYearPlanUrl: 'javascript:alert(1)', contact: { ...statement.contact, url: 'ftp://x' } }, [
      'multiYearPlanUrl: schéma pluriannuel : adresse en http(s)://',
      'contact.url: formulaire de contact : adresse en http(s)://',
    ]);
    await refused({ ...statement, updatedOn: addCalendarDays(establishedOn, -1) }, [
      'updatedOn: la mise à jour précède l’établissement de la déclaration',
    ]);
    expect((await t.http('GET', url, { token: town.admin.token })).body).toEqual(saved);
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
    // The statement set above is « totalement conforme ».
    expect(form).toContain(`<a href="/accessibilite/${town.org.slug}">Accessibilité : totalement conforme</a>`);
    expect(form).toContain(`<a href="/donnees-personnelles/${town.org.slug}">Données personnelles</a>`);
    const statement: string = (await t.http('GET', `/accessibilite/${town.org.slug}?lang=en`)).body;
    expect(statement).toContain(`<a href="/donnees-personnelles/${town.org.slug}?lang=en">Personal data</a>`);
    const missing = await t.http('GET', '/donnees-personnelles/ville-inconnue');
    expect(missing.status).toBe(404);
    expect(missing.body).toContain('<html lang="fr"');
  });

  it('every citizen page’s footer says the level, read with the town the page loads: one statement reads it', async () => {
    const put = await t.http('PUT', '/api/v1/organization/accessibility-statement', { token: town.admin.token, body: statement });
    expect(put.status).toBe(200);
    const created = await t.http('POST', `/api/v1/public/organizations/${town.org.slug}/requests`, {
      body: { teamId: town.etatCivil.id, name: 'Léa Martin', email: 'lea.martin@exemple.fr', subject: 'Acte', body: 'Bonjour.' },
    });
    expect(created.status).toBe(201);
    const link = `<a href="/accessibilite/${town.org.slug}">Accessibilité : partiellement conforme</a>`;
    const query = jest.spyOn(t.app.get(Database), 'query');
    try {
      for (const path of [
        `/demandes/${town.org.slug}`,
        `/suivi/${created.body.reference}?token=${created.body.trackingToken}`,
        `/accessibilite/${town.org.slug}`,
        `/donnees-personnelles/${town.org.slug}`,
      ]) {
        query.mockClear();
        const page = await t.http('GET', path);
        expect(page.status).toBe(200);
        expect(page.body).toContain(link);
        // The level came with the page's own read of the town (the one that gets its name), not
        // from a query of its own.
        const reads = query.mock.calls.map(([sql]) => sql).filter((sql) => sql.includes('accessibility_statement'));
        expect(reads).toHaveLength(1);
        expect(reads[0]).toMatch(/\bname\b/);
      }
      // The event pages too (they read the town twice already: whether it is archived, then its events).
      expect((await t.http('GET', `/evenements/${town.org.slug}`)).body).toContain(link);
    } finally {
      query.mockRestore();
    }
  });

  it('from the day the statement should have been updated, 3 years after its publication, it and every footer say « non conforme »', async () => {
    const footer = async () => (await t.http('GET', `/demandes/${town.org.slug}`)).body as string;
    const publishedOn = async (day: string) => {
      const put = await t.http('PUT', '/api/v1/organization/accessibility-statement', {
        token: town.admin.token,
        body: { ...statement, audit: { ...statement.audit, date: day }, establishedOn: day, updatedOn: null },
      });
      expect(put.status).toBe(200);
      return (await t.http('GET', `/accessibilite/${town.org.slug}`)).body as string;
    };
    // Published 3 years ago tomorrow: the last day it stands.
    const standing = await publishedOn(addCalendarDays(addMonths(today, -36), 1));
    expect(standing).toContain('<strong>partiellement conforme</strong>');
    expect(standing).not.toContain('statement-lapsed');
    expect(await footer()).toContain('Accessibilité : partiellement conforme</a>');

    // Published 3 years ago today: it should have been updated today.
    const day = addMonths(today, -36);
    const lapsed = await publishedOn(day);
    expect(lapsed).toContain(
      `<strong>non conforme</strong> avec le référentiel général d’amélioration de l’accessibilité (RGAA), version 4.1 : cette déclaration devait être mise à jour au plus tard le ${formatFrenchLongDate(addMonths(day, 36))}, trois ans après sa publication, et l’audit qu’elle présente n’est plus en cours de validité.`,
    );
    expect(lapsed).toContain(
      `L’audit de conformité réalisé par Access &amp; Cie le ${formatFrenchLongDate(day)} révélait que <strong>77,5 %</strong> des critères du RGAA version 4.1 étaient respectés.`,
    );
    expect(lapsed).not.toContain('partiellement conforme');
    expect(await footer()).toContain('Accessibilité : non conforme</a>');

    // Updated since (a new audit): it stands again from its update.
    const put = await t.http('PUT', '/api/v1/organization/accessibility-statement', {
      token: town.admin.token,
      body: { ...statement, audit: { ...statement.audit, date: today }, establishedOn: day, updatedOn: today },
    });
    expect(put.status).toBe(200);
    expect(await footer()).toContain('Accessibilité : partiellement conforme</a>');
  });
});
