import { seedTown, startTestApp, type TestApp } from '../harness';

/**
 * The register of processing activities (RGPD art. 30, issue 16), generated from the configuration:
 * retention rules (purposes, legal bases, durations), services as recipients, the enabled channels'
 * providers as processors, the access log's own line; HTML or CSV, admins only, audited.
 */
describe('the register of processing activities', () => {
  let t: TestApp;
  let town: Awaited<ReturnType<typeof seedTown>>;

  const get = async (query: string, token = town.admin.token) => {
    const res = await fetch(`${t.url}/api/v1/processing-register${query}`, { headers: { authorization: `Bearer ${token}` } });
    const bytes = Buffer.from(await res.arrayBuffer());
    return { status: res.status, headers: res.headers, bytes, text: bytes.toString('utf8') };
  };

  beforeAll(async () => {
    t = await startTestApp();
    town = await seedTown(t);
  });
  afterAll(() => t.close());

  it('has a default line before any rule, then one line per rule and the access log’s, in HTML and CSV', async () => {
    const empty = await get('');
    expect(empty.status).toBe(200);
    expect(empty.text).toContain('Non fixée : aucune règle de conservation');

    const put = await t.http('PUT', '/api/v1/retention-rules', {
      token: town.admin.token,
      body: {
        rules: [
          { durationDays: 90, legalBasis: 'Mission de service public (art. 6-1-e RGPD)', purpose: 'Répondre aux demandes' },
          {
            teamId: town.etatCivil.id,
            durationDays: 2190,
            legalBasis: 'Obligation légale (code civil)',
            purpose: '=Actes <d’état civil>',
            action: 'delete',
          },
        ],
        auditRetentionMonths: 18,
        eventRegistrationRetentionDays: 180,
      },
    });
    expect(put.status).toBe(200);

    const page = await get('?format=html');
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(page.headers.get('content-disposition')).toMatch(
      /^attachment; filename="registre-traitements-\d{4}-\d{2}-\d{2}\.html"$/,
    );
    expect(page.text).toContain('<html lang="fr">');
    expect(page.text).toContain('Registre des activités de traitement');
    const { rows: org } = await t.db.query(`SELECT name FROM organization WHERE id = $1`, [town.org.id]);
    expect(page.text).toContain(`<dt>Organisme</dt><dd>${org[0].name}</dd>`);
    expect(page.text).toContain('Répondre aux demandes');
    expect(page.text).toContain('=Actes &lt;d’état civil&gt;');
    expect(page.text).toContain('6 ans après la fin de la demande, puis suppression');
    expect(page.text).toContain('3 mois après la fin de la demande, puis anonymisation');
    expect(page.text).toContain('Agents du service État civil');
    // The town's SMS channel is Twilio's: a processor outside the EU.
    expect(page.text).toContain('Twilio (SMS)');
    expect(page.text).toContain('Journal des accès aux dossiers des usagers');
    expect(page.text).toContain('18 mois, puis suppression');
    // Registrants of municipal events, with the period the admin set.
    expect(page.text).toContain('Inscriptions aux événements municipaux');
    expect(page.text).toContain('6 mois après l’événement, puis anonymisation');
    // The town reads a mailbox: its quarantine of unreadable mails, kept 30 days unless set.
    expect(page.text).toContain('Quarantaine des courriels illisibles');
    expect(page.text).toContain('1 mois au plus, puis suppression');
    // And the delivery reports about nothing Guichet sent, kept as long.
    expect(page.text).toContain('Rapports de remise sans message correspondant');
    expect(page.text).toContain('supprimé à l’effacement des données de l’usager dont il cite l’adresse');
    // Citizens' rights, with how many limitations and objections are in force (counts, no names).
    expect(page.text).toContain('Exercice des droits des usagers (RGPD art. 15 à 21)');
    expect(page.text).toContain(': 0 limitation, 0 opposition ; 0 levée depuis l’origine');
    expect(page.text).toContain('Activités de traitement (7)');

    const csv = await get('?format=csv');
    expect(csv.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    // A UTF-8 byte-order mark, for spreadsheets.
    expect([...csv.bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const lines = csv.text
      .replace(/^\uFEFF/, '')
      .trimEnd()
      .split('\r\n');
    expect(lines).toHaveLength(8);
    expect(lines[0]).toBe(
      '"Traitement";"Périmètre (service, démarche)";"Finalité";"Base légale";"Personnes concernées";"Catégories de données";"Destinataires";"Sous-traitants";"Transferts hors Union européenne";"Durée de conservation";"Mesures de sécurité"',
    );
    // A formula in a purpose opens as text.
    expect(csv.text).toContain(`"'=Actes <d’état civil>"`);

    const { rows } = await t.db.query(
      `SELECT data->>'format' AS format FROM audit_event WHERE organization_id = $1 AND action = 'processing_register.downloaded' ORDER BY id`,
      [town.org.id],
    );
    expect(rows.map((r) => r.format)).toEqual(['html', 'html', 'csv']);
  });

  it('is for admins; a bad format is a 400 in French', async () => {
    expect((await get('', town.supervisor.token)).status).toBe(403);
    expect((await get('', town.agentEC.token)).status).toBe(403);
    const bad = await get('?format=pdf');
    expect(bad.status).toBe(400);
    expect(bad.text).toContain('format : html ou csv');
  });
});
