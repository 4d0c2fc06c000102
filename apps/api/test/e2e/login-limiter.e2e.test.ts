import { limitedAddress } from '../../src/modules/auth/login-limiter';
import { LoginThrottleRepository } from '../../src/modules/auth/login-throttle.repository';
import { startTestApp, seedTown, type HttpResult, type TestApp, type TestAgent } from '../harness';

/**
 * The login limiter locks out attackers, not people: failures count per account and address
 * with a growing wait, successes never count, and one address failing never stops the account
 * elsewhere. Addresses are given through X-Forwarded-For (the API trusts its loopback proxy).
 */
describe('login limiter', () => {
  let t: TestApp;
  let town: Awaited<ReturnType<typeof seedTown>>;
  const PASSWORD = 'mot-de-passe-test';

  const login = (t: TestApp, email: string, password: string, address: string): Promise<HttpResult> =>
    t.http('POST', '/api/v1/auth/login', { body: { email, password }, headers: { 'x-forwarded-for': address } });
  const statuses = async (n: number, email: string, password: string, address: string): Promise<number[]> => {
    const out: number[] = [];
    for (let i = 0; i < n; i++) out.push((await login(t, email, password, address)).status);
    return out;
  };
  /** Time passes for the limiter: every wait running now is over. */
  const waitsAreOver = () =>
    t.db.query(`UPDATE login_throttle SET blocked_until = now() - interval '1 second' WHERE blocked_until > now()`);
  const newAgents = (n: number): Promise<TestAgent[]> =>
    Promise.all(Array.from({ length: n }, () => t.newAgent({ organizationId: town.org.id })));

  beforeAll(async () => {
    t = await startTestApp();
    town = await seedTown(t);
  });
  afterAll(() => t?.close());

  it('lets a town hall behind one address log in as often as it needs: successful logins never count', async () => {
    const agents = await newAgents(3);
    const results: number[] = [];
    for (let i = 0; i < 21; i++) {
      for (const a of agents) results.push((await login(t, a.email, PASSWORD, '203.0.113.10')).status);
    }
    expect(results).toEqual(Array(63).fill(200));
  });

  it('ten wrong passwords on each of five accounts at one address do not stop a colleague there', async () => {
    const [colleague, ...mistyping] = await newAgents(6);
    for (const a of mistyping) expect(await statuses(10, a.email, 'faux', '203.0.113.20')).toEqual(Array(10).fill(401));
    expect((await login(t, colleague!.email, PASSWORD, '203.0.113.20')).status).toBe(200);
  });

  it('an attacker failing for alice from one address does not stop alice from another, on any instance', async () => {
    const [alice] = await newAgents(1);
    expect(await statuses(12, alice!.email, 'devine', '198.51.100.66')).toEqual([...Array(10).fill(401), 429, 429]);
    // Even the right password waits at the failing address: the attacker learns nothing there.
    const refused = await login(t, alice!.email, PASSWORD, '198.51.100.66');
    expect(refused.status).toBe(429);
    expect(refused.body.message).toMatch(
      /^trop de tentatives de connexion depuis cette adresse : réessayez dans \d+ (secondes|minutes?)$/,
    );
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);

    expect((await login(t, alice!.email, PASSWORD, '192.0.2.8')).status).toBe(200);
    // The limiter's state is in PostgreSQL: a second instance sees the same waits.
    const other = await startTestApp({ databaseUrl: t.config.databaseUrl, runJobs: false });
    try {
      expect((await login(other, alice!.email, PASSWORD, '198.51.100.66')).status).toBe(429);
      expect((await login(other, alice!.email, PASSWORD, '192.0.2.9')).status).toBe(200);
    } finally {
      await other.close();
    }
  });

  it('makes the wait grow after the free failures, up to a cap, and a success starts over', async () => {
    const [bob] = await newAgents(1);
    const address = '198.51.100.70';
    expect(await statuses(10, bob!.email, 'faux', address)).toEqual(Array(10).fill(401));
    const waits: number[] = [];
    for (let i = 0; i < 8; i++) {
      const refused = await login(t, bob!.email, 'faux', address);
      expect(refused.status).toBe(429);
      waits.push(Number(refused.headers.get('retry-after')));
      await waitsAreOver();
      expect((await login(t, bob!.email, 'faux', address)).status).toBe(401);
    }
    expect(waits[0]).toBeGreaterThan(25);
    expect(waits[0]).toBeLessThanOrEqual(30);
    for (let i = 1; i < 6; i++) expect(waits[i]).toBeGreaterThan(waits[i - 1]! * 1.8);
    expect(waits.slice(5)).toEqual(waits.slice(5).map((w) => Math.min(w, 900)));
    expect(Math.max(...waits)).toBeGreaterThan(850);

    await waitsAreOver();
    expect((await login(t, bob!.email, PASSWORD, address)).status).toBe(200);
    // The success reset the count: ten free failures again.
    expect(await statuses(11, bob!.email, 'faux', address)).toEqual([...Array(10).fill(401), 429]);
  });

  it('counts tries sent in parallel: no more than the free ones reach the password check', async () => {
    const [dave] = await newAgents(1);
    const all = await Promise.all(Array.from({ length: 30 }, () => login(t, dave!.email, 'faux', '198.51.100.80')));
    const counts = all.reduce<Record<number, number>>((c, r) => ({ ...c, [r.status]: (c[r.status] ?? 0) + 1 }), {});
    expect(counts).toEqual({ 401: 10, 429: 20 });
  });

  it('counts an IPv6 host by its /64, since it can rotate through the rest', async () => {
    expect(limitedAddress('2001:db8:aa:bb:1:2:3:4')).toBe('2001:db8:aa:bb::/64');
    expect(limitedAddress('2001:db8:aa:bb::9')).toBe('2001:db8:aa:bb::/64');
    expect(limitedAddress('2001:db8::1')).toBe('2001:db8:0:0::/64');
    expect(limitedAddress('::ffff:192.0.2.1')).toBe('192.0.2.1');
    expect(limitedAddress('192.0.2.1')).toBe('192.0.2.1');
    const [carol] = await newAgents(1);
    const tries: number[] = [];
    for (let i = 0; i < 11; i++) tries.push((await login(t, carol!.email, 'faux', `2001:db8:aa:bb::${i + 1}`)).status);
    expect(tries).toEqual([...Array(10).fill(401), 429]);
  });

  it('purges the counters with nothing left to count, wait for or trust', async () => {
    await t.db.query(`INSERT INTO login_throttle (key, failures, counting_since) VALUES ('\\x01', 3, now() - interval '2 days')`);
    await t.db.query(`INSERT INTO login_throttle (key, failures, trusted_until) VALUES ('\\x02', 0, now() + interval '1 day')`);
    await t.app.get(LoginThrottleRepository).purge(24 * 3600);
    const { rows } = await t.db.query(`SELECT encode(key, 'hex') AS k FROM login_throttle WHERE length(key) = 1`);
    expect(rows).toEqual([{ k: '02' }]);
  });

  describe('with a low per-address ceiling', () => {
    let s: TestApp;
    beforeAll(async () => {
      s = await startTestApp({ loginAddressFailuresPer15Min: 20 });
    });
    afterAll(() => s?.close());

    it('spraying many accounts from one address hits the ceiling; accounts known there, or elsewhere, still get in', async () => {
      const org = await s.newOrganization();
      const targets = await Promise.all(Array.from({ length: 22 }, () => s.newAgent({ organizationId: org.id })));
      const regular = await s.newAgent({ organizationId: org.id });
      const sprayer = '198.51.100.99';
      // A regular of this address (the town hall's own NAT) has logged in from it before.
      expect((await login(s, regular.email, PASSWORD, sprayer)).status).toBe(200);
      const sprayed: number[] = [];
      for (const a of targets) sprayed.push((await login(s, a.email, 'Printemps2024!', sprayer)).status);
      expect(sprayed).toEqual([...Array(20).fill(401), 429, 429]);
      // A target's right password from the spraying address waits too (no oracle for the sprayer)…
      expect((await login(s, targets[21]!.email, PASSWORD, sprayer)).status).toBe(429);
      // …but the regular still gets in there, and every target gets in from its own address.
      expect((await login(s, regular.email, PASSWORD, sprayer)).status).toBe(200);
      expect((await login(s, targets[0]!.email, PASSWORD, '192.0.2.30')).status).toBe(200);
    });
  });
});
