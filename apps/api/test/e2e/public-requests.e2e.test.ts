import { expectEventually } from '@guichet/testing';
import { seedTown, startTestApp, type TestApp } from '../harness';

describe('citizen request form and tracking page', () => {
  let t: TestApp;
  let town: Awaited<ReturnType<typeof seedTown>>;
  const path = () => `/api/v1/public/organizations/${town.org.slug}/requests`;
  const request = (over: Record<string, unknown> = {}) => ({
    teamId: town.scolarite.id,
    name: 'Élodie Martin',
    email: 'Elodie.Martin@Orange.fr',
    phone: '06 12 34 56 78',
    subject: 'Inscription à l’école maternelle',
    body: 'Bonjour, je souhaite inscrire ma fille en petite section.',
    ...over,
  });
  let counter = 0;
  // Each test posts from its own address so the per-IP limit is only met where it is tested.
  const ip = () => ({ 'x-forwarded-for': `10.0.0.${++counter}` });

  beforeAll(async () => {
    t = await startTestApp();
    town = await seedTown(t);
  });
  afterAll(() => t.close());

  it('describes the organization and its services for the form', async () => {
    const res = await t.http('GET', `/api/v1/public/organizations/${town.org.slug}`);
    expect(res.status).toBe(200);
    expect(res.body.teams.map((x: { name: string }) => x.name).sort()).toEqual(['Scolarité', 'État civil']);
    expect((await t.http('GET', '/api/v1/public/organizations/inconnue')).status).toBe(404);
  });

  it('creates a conversation in the chosen service with both identities, and returns a tracking link', async () => {
    const res = await t.http('POST', path(), { body: request(), headers: ip() });
    expect(res.status).toBe(201);
    expect(res.body.reference).toMatch(/^GU-[2-9A-HJKMNP-TV-Z]{6}$/);
    expect(res.body.trackingUrl).toBe(`http://guichet.test/suivi/${res.body.reference}?token=${res.body.trackingToken}`);
    const { rows } = await t.db.query(
      `SELECT c.team_id, c.status, c.subject, ct.name,
              array(SELECT kind || ':' || value FROM contact_identity i WHERE i.contact_id = ct.id ORDER BY kind) AS ids
         FROM conversation c JOIN contact ct ON ct.id = c.contact_id WHERE c.reference = $1`,
      [res.body.reference],
    );
    expect(rows[0]).toEqual({
      team_id: town.scolarite.id,
      status: 'open',
      subject: 'Inscription à l’école maternelle',
      name: 'Élodie Martin',
      ids: ['email:elodie.martin@orange.fr', 'phone:+33612345678'],
    });
  });

  it('accepts multipart with attachments stored in the blob store', async () => {
    const form = new FormData();
    for (const [k, v] of Object.entries(request({ email: 'pj@example.fr', phone: '' }))) form.append(k, String(v));
    form.append(
      'attachments',
      new Blob([Buffer.from('%PDF-1.4 justificatif')], { type: 'application/pdf' }),
      'justificatif de domicile.pdf',
    );
    const res = await t.http('POST', path(), { form, headers: ip() });
    expect(res.status).toBe(201);
    const { rows } = await t.db.query(
      `SELECT a.file_name, a.content_type, a.size, a.sha256 FROM attachment a JOIN message m ON m.id = a.message_id
         JOIN conversation c ON c.id = m.conversation_id WHERE c.reference = $1`,
      [res.body.reference],
    );
    expect(rows).toEqual([
      {
        file_name: 'justificatif de domicile.pdf',
        content_type: 'application/pdf',
        size: 21,
        sha256: expect.stringMatching(/^[0-9a-f]{64}$/),
      },
    ]);
  });

  describe('bad input gets a clear 4xx and stores nothing', () => {
    const cases: [string, () => { path?: string; body?: unknown }, number, RegExp][] = [
      [
        'unknown organization',
        () => ({ path: '/api/v1/public/organizations/nulle-part/requests', body: request() }),
        404,
        /commune introuvable/,
      ],
      ['no email nor phone', () => ({ body: request({ email: '', phone: '' }) }), 400, /adresse e-mail ou un numéro/],
      ['malformed email', () => ({ body: request({ email: 'elodie@', phone: '' }) }), 400, /adresse e-mail invalide/],
      ['malformed phone', () => ({ body: request({ email: '', phone: '06 12' }) }), 400, /numéro de téléphone invalide/],
      ['missing subject', () => ({ body: request({ subject: '' }) }), 400, /subject/],
      ['body over the limit', () => ({ body: request({ body: 'x'.repeat(20_001) }) }), 400, /body/],
      ['request over the size limit', () => ({ body: request({ body: 'x'.repeat(400_000) }) }), 413, /trop volumineuse/],
      [
        'service of another organization',
        () => ({ body: request({ teamId: '00000000-0000-4000-8000-000000000000' }) }),
        400,
        /service inconnu/,
      ],
      ['honeypot filled', () => ({ body: request({ website: 'http://spam.example' }) }), 400, /automatiquement/],
    ];
    it.each(cases)('%s', async (_label, make, status, reason) => {
      const before = await Promise.all(['conversation', 'message', 'contact', 'contact_identity'].map((x) => t.count(x)));
      const c = make();
      const res = await t.http('POST', c.path ?? path(), { body: c.body, headers: ip() });
      expect(res.status).toBe(status);
      expect(JSON.stringify(res.body)).toMatch(reason);
      const after = await Promise.all(['conversation', 'message', 'contact', 'contact_identity'].map((x) => t.count(x)));
      expect(after).toEqual(before);
    });
  });

  it('limits requests per IP (429 with Retry-After) at a rate a household never meets', async () => {
    const headers = { 'x-forwarded-for': '192.0.2.77' };
    const statuses: number[] = [];
    for (let i = 0; i < 21; i++) {
      statuses.push((await t.http('POST', path(), { body: request({ email: `f${i}@example.fr` }), headers })).status);
    }
    expect(statuses.slice(0, 20).every((s) => s === 201)).toBe(true);
    const last = await t.http('POST', path(), { body: request(), headers });
    expect(last.status).toBe(429);
    expect(Number(last.headers.get('retry-after'))).toBeGreaterThan(0);
  });

  it('shows status and public messages with the token, replies land in the same file, notes never show', async () => {
    const created = (await t.http('POST', path(), { body: request({ email: 'suivi@example.fr', phone: '' }), headers: ip() }))
      .body;
    const url = `/api/v1/public/requests/${created.reference}?token=${created.trackingToken}`;
    const [{ id }] = (await t.db.query(`SELECT id FROM conversation WHERE reference = $1`, [created.reference])).rows;

    const agent = town.agentSco;
    const conv = (await t.http('GET', `/api/v1/conversations/${id}`, { token: agent.token })).body;
    const note = await t.http('POST', `/api/v1/conversations/${id}/messages`, {
      token: agent.token,
      body: { kind: 'note', body: 'Note interne : vérifier le quotient familial', version: conv.version },
    });
    expect(note.status).toBe(201);
    const reply = await t.http('POST', `/api/v1/conversations/${id}/messages`, {
      token: agent.token,
      body: { kind: 'reply', body: 'Bonjour Madame, le dossier est complet.', version: conv.version + 1 },
    });
    expect(reply.status).toBe(201);
    expect(reply.body.status).toBe('queued');
    await expectEventually(async () => {
      const { rows } = await t.db.query(`SELECT status FROM message WHERE id = $1`, [reply.body.id]);
      // Published on the tracking page: « sent », never « delivered » (no provider confirmed it).
      expect(rows[0].status).toBe('sent');
    });

    const page = await t.http('GET', url);
    expect(page.status).toBe(200);
    expect(page.body).toMatchObject({ reference: created.reference, status: 'open', service: 'Scolarité' });
    expect(page.body.messages.map((m: { body: string }) => m.body)).toEqual([
      'Bonjour, je souhaite inscrire ma fille en petite section.',
      'Bonjour Madame, le dossier est complet.',
    ]);

    const answer = await t.http('POST', url, { body: { body: 'Merci beaucoup !' }, headers: ip() });
    expect(answer.status).toBe(201);
    expect(answer.body.messages).toHaveLength(3);
    const { rows } = await t.db.query(
      `SELECT count(*)::int AS n FROM conversation WHERE contact_id = (SELECT contact_id FROM conversation WHERE id = $1)`,
      [id],
    );
    expect(rows[0].n).toBe(1);
  });

  it('answers 404 for a wrong or missing token, and for an unknown reference', async () => {
    const created = (await t.http('POST', path(), { body: request({ email: 'jeton@example.fr' }), headers: ip() })).body;
    expect((await t.http('GET', `/api/v1/public/requests/${created.reference}?token=${'A'.repeat(32)}`)).status).toBe(404);
    expect((await t.http('GET', `/api/v1/public/requests/${created.reference}`)).status).toBe(404);
    expect((await t.http('GET', `/api/v1/public/requests/GU-ZZZZZZ?token=${created.trackingToken}`)).status).toBe(404);
    const before = await t.count('message');
    expect((await t.http('POST', `/api/v1/public/requests/${created.reference}?token=bad`, { body: { body: 'x' } })).status).toBe(
      404,
    );
    expect(await t.count('message')).toBe(before);
  });
});
