import { randomUUID } from 'node:crypto';
import { seedTown, startTestApp, type TestApp } from '../harness';

/** Subjects that look like markup or search syntax, each with a plain word to search for. */
const HOSTILE = [
  { subject: '<style> Acte de naissance pour Léa', word: 'naissance' },
  { subject: '<style>body{color:red}</style> Demande de logement', word: 'logement' },
  { subject: '<script>alert(1)</script> Inscription cantine', word: 'cantine' },
  { subject: '<!-- note --> Piscine municipale', word: 'piscine' },
  { subject: '<b class="x Bruit de voisinage', word: 'voisinage' },
  { subject: 'Permis "de construire', word: 'construire' },
  { subject: "L'élagage d'arbres ' \" `", word: 'élagage' },
  { subject: 'Travaux & voirie | trottoir', word: 'trottoir' },
  { subject: 'Déchets :* encombrants', word: 'encombrants' },
  { subject: '!Urgent stationnement !!', word: 'stationnement' },
  { subject: 'C:\\Users\\dossier\\ fiscal \\', word: 'fiscal' },
  { subject: '(((( cimetière )) <-> &amp; &#60;', word: 'cimetière' },
];

describe('searching conversations', () => {
  let t: TestApp;
  let town: Awaited<ReturnType<typeof seedTown>>;

  beforeAll(async () => {
    t = await startTestApp();
    town = await seedTown(t);
  });
  afterAll(() => t?.close());

  it('finds a file by its reference, typed in any case, with or without the dash or brackets, and by the words of its subject, whatever the subject', async () => {
    const team = await t.newTeam(town.org.id, 'Accueil');
    const agent = await t.newAgent({ organizationId: town.org.id, teamIds: [team.id] });
    const search = async (q: string) => {
      const res = await t.http('GET', `/api/v1/conversations?teamId=${team.id}&limit=100&q=${encodeURIComponent(q)}`, {
        token: agent.token,
      });
      expect({ q, status: res.status }).toEqual({ q, status: 200 });
      return (res.body.items as { id: string; reference: string }[]).map((c) => c.id);
    };
    const files = [];
    for (const h of HOSTILE) {
      const { conversationId } = await t.ingest.ingest(
        {
          channelId: town.webform.id,
          externalId: randomUUID(),
          from: { kind: 'email', value: `${randomUUID().slice(0, 8)}@example.fr` },
          subject: h.subject,
          text: 'Bonjour',
        },
        { teamId: team.id },
      );
      const { rows } = await t.db.query(`SELECT reference FROM conversation WHERE id = $1`, [conversationId]);
      files.push({ ...h, id: conversationId, reference: rows[0].reference as string });
    }
    for (const f of files) {
      const typed = [
        f.reference,
        f.reference.toLowerCase(),
        f.reference.replace('-', ''),
        ` [${f.reference}] `,
        `gu ${f.reference.slice(3).toLowerCase()}`,
      ];
      for (const q of typed)
        expect({ subject: f.subject, q, found: await search(q) }).toEqual({ subject: f.subject, q, found: [f.id] });
      expect({ subject: f.subject, found: await search(f.word) }).toEqual({ subject: f.subject, found: [f.id] });
    }
  });

  it('answers 200 for search text that looks like markup or search syntax', async () => {
    for (const q of [
      '<style>',
      '<script>',
      '"',
      "'",
      '&',
      '|',
      ':*',
      '!',
      '!!',
      '\\',
      '<->',
      '(',
      ')',
      '&amp;',
      '-',
      'GU-',
      '<style> naissance',
    ]) {
      const res = await t.http('GET', `/api/v1/conversations?q=${encodeURIComponent(q)}`, { token: town.supervisor.token });
      expect({ q, status: res.status }).toEqual({ q, status: 200 });
    }
  });
});
