import { CHANNEL_KINDS } from '@guichet/contracts';
import { DataSource } from 'typeorm';
import { dataSourceOptions } from '../../src/database/data-source';
import { DEMO_PASSWORD, seedDemo } from '../../src/seed/seed-demo';
import { createTestDatabase, startTestApp } from '../harness';

describe('demo town seed', () => {
  let ds: DataSource;

  beforeAll(async () => {
    ds = new DataSource(dataSourceOptions(await createTestDatabase(), 2));
    await ds.initialize();
  });
  afterAll(() => ds.destroy());

  it('seeds Ville de Démo once: services, accounts, every channel kind, ~60 conversations', async () => {
    expect(await seedDemo(ds)).toBe(true);
    expect(await seedDemo(ds)).toBe(false);
    const one = async (sql: string) => (await ds.query(sql))[0];
    expect(await one(`SELECT name, slug FROM organization`)).toEqual({ name: 'Ville de Démo', slug: 'demo' });
    expect((await ds.query(`SELECT name FROM team ORDER BY name`)).map((r: { name: string }) => r.name)).toEqual([
      'Action sociale',
      'Développement économique',
      'Scolarité',
      'Services techniques',
      'Vie culturelle',
      'Vie sportive',
      'État civil',
    ]);
    expect(await ds.query(`SELECT role, count(*)::int AS n FROM agent GROUP BY role ORDER BY role`)).toEqual([
      { role: 'admin', n: 1 },
      { role: 'agent', n: 14 },
      { role: 'supervisor', n: 1 },
    ]);
    expect(
      await ds.query(
        `SELECT team_id FROM agent a JOIN agent_team at ON at.agent_id = a.id WHERE a.role = 'agent' GROUP BY team_id HAVING count(*) <> 2`,
      ),
    ).toEqual([]);
    const conversations = (await one(`SELECT count(*)::int AS n FROM conversation`)).n;
    expect(conversations).toBeGreaterThanOrEqual(55);
    const kinds = (await ds.query(`SELECT DISTINCT ch.kind FROM message m JOIN channel ch ON ch.id = m.channel_id`)).map(
      (r: { kind: string }) => r.kind,
    );
    expect(kinds.sort()).toEqual([...CHANNEL_KINDS].sort());
    const multi = await one(`
      SELECT count(*)::int AS n FROM (
        SELECT c.contact_id FROM message m JOIN conversation c ON c.id = m.conversation_id JOIN channel ch ON ch.id = m.channel_id
        WHERE m.direction = 'inbound' GROUP BY c.contact_id HAVING count(DISTINCT ch.kind) > 1) x`);
    expect(multi.n).toBeGreaterThanOrEqual(5);
    // Identities are normalized: E.164 phones, lower-case emails.
    expect(
      await ds.query(`SELECT value FROM contact_identity WHERE kind IN ('phone', 'whatsapp') AND value !~ '^\\+33[67][0-9]{8}$'`),
    ).toEqual([]);
    expect(await ds.query(`SELECT value FROM contact_identity WHERE kind = 'email' AND value <> lower(value)`)).toEqual([]);
    // Issue 17: a few upcoming, published events, one nearly full; the counters match the registrations.
    const events = await ds.query(
      `SELECT e.capacity, e.booked_places, e.starts_at > now() AS upcoming, e.published,
              (SELECT count(*)::int FROM municipal_event_registration r WHERE r.event_id = e.id AND r.status = 'confirmed') AS confirmed
       FROM municipal_event e ORDER BY e.starts_at`,
    );
    expect(events.length).toBeGreaterThanOrEqual(3);
    for (const e of events) expect(e).toMatchObject({ upcoming: true, published: true, booked_places: e.confirmed });
    expect(events.some((e: { capacity: number; booked_places: number }) => e.capacity - e.booked_places <= 3)).toBe(true);
    // An event of several sessions: each session's counters are its rows; one is full with a waiting list in order.
    const sessions = await ds.query(
      `SELECT s.event_id, s.capacity, s.booked_places, s.waitlisted_places, s.starts_at > now() AS upcoming,
              (SELECT count(*)::int FROM municipal_event_registration r WHERE r.session_id = s.id AND r.status = 'confirmed') AS confirmed,
              (SELECT count(*)::int FROM municipal_event_registration r WHERE r.session_id = s.id AND r.status = 'waitlisted') AS waitlisted
         FROM municipal_event_session s
        WHERE s.event_id IN (SELECT event_id FROM municipal_event_session GROUP BY event_id HAVING count(*) > 1)
        ORDER BY s.starts_at`,
    );
    expect(sessions.length).toBeGreaterThanOrEqual(3);
    expect(new Set(sessions.map((s: { event_id: string }) => s.event_id)).size).toBe(1);
    for (const s of sessions)
      expect(s).toMatchObject({ upcoming: true, booked_places: s.confirmed, waitlisted_places: s.waitlisted });
    expect(
      sessions.some(
        (s: { capacity: number; booked_places: number; waitlisted: number }) =>
          s.booked_places === s.capacity && s.waitlisted > 0,
      ),
    ).toBe(true);
    expect(sessions.some((s: { capacity: number; booked_places: number }) => s.booked_places < s.capacity)).toBe(true);
    // The event sums its sessions up.
    const [workshop] = await ds.query(
      `SELECT e.capacity, e.booked_places, e.waitlisted_places, e.published FROM municipal_event e WHERE e.id = $1`,
      [sessions[0].event_id],
    );
    const sum = (k: string) => sessions.reduce((n: number, s: Record<string, number>) => n + s[k]!, 0);
    expect(workshop).toEqual({
      capacity: sum('capacity'),
      booked_places: sum('booked_places'),
      waitlisted_places: sum('waitlisted_places'),
      published: true,
    });
  });

  it('lets the demo accounts log in with the documented password', async () => {
    const t = await startTestApp({ seedDemo: true });
    try {
      for (const email of ['admin@demo.guichet.fr', 'superviseur@demo.guichet.fr', 'sophie.marchand@demo.guichet.fr']) {
        const res = await t.http('POST', '/api/v1/auth/login', { body: { email, password: DEMO_PASSWORD } });
        expect(res.status).toBe(200);
      }
      const sup = (
        await t.http('POST', '/api/v1/auth/login', { body: { email: 'superviseur@demo.guichet.fr', password: DEMO_PASSWORD } })
      ).body;
      const list = await t.http('GET', '/api/v1/conversations?limit=100', { token: sup.token });
      expect(list.body.items.length).toBeGreaterThanOrEqual(55);
    } finally {
      await t.close();
    }
  });
});
