import { randomBytes } from 'node:crypto';
import type { AgentSignatureDto, MessageDto, TeamAdminDto } from '@guichet/contracts';
import { seedTown, startTestApp, type TestAgent, type TestApp } from '../harness';

/**
 * Issue 13, L111-2 per service: a service's own signature template signs its agents' replies;
 * another service's, and one whose template is cleared, sign with the town's. Admins set it in
 * the service's settings, validated as the town's, audited.
 */
describe('a service’s own reply signature', () => {
  let t: TestApp;
  let town: Awaited<ReturnType<typeof seedTown>>;
  const TOWN = '{{agent}}\n{{fonction}}\n{{service}} — {{commune}}';
  const CCAS = '{{agent}}\nCentre communal d’action sociale — {{service}}\n{{adresse_service}}';

  beforeAll(async () => {
    t = await startTestApp();
    town = await seedTown(t);
    await t.db.query(`UPDATE organization SET sign_replies = true, address = '1 place de la Mairie' WHERE id = $1`, [
      town.org.id,
    ]);
    const res = await t.http('PATCH', '/api/v1/organization/settings', { token: town.admin.token, body: { signature: TOWN } });
    expect(res.status).toBe(200);
    await t.db.query(`UPDATE agent SET job_title = 'Officière d’état civil' WHERE id = $1`, [town.agentEC.id]);
  });
  afterAll(() => t.close());

  const setSignature = (signature: unknown, token = town.admin.token) =>
    // The service, or a 400's reasons.
    t.http<TeamAdminDto & { details: string[] }>('PATCH', `/api/v1/teams/${town.etatCivil.id}`, { token, body: { signature } });
  /** A new e-mail conversation the agent opens in their service: its first message, as signed. */
  const write = async (agent: TestAgent) => {
    const res = await t.http<{ message: MessageDto }>('POST', '/api/v1/conversations', {
      token: agent.token,
      body: { channelKind: 'email', to: `usager.${randomBytes(3).toString('hex')}@exemple.fr`, body: 'Bonjour.' },
    });
    expect(res.status).toBe(201);
    return res.body.message.body;
  };
  const lastTeamAudit = async () =>
    (await t.db.query(`SELECT data FROM audit_event WHERE action = 'team.updated' ORDER BY id DESC LIMIT 1`)).rows[0].data;

  it('signs a service’s replies with its own template, another service’s with the town’s, and the town’s again once cleared', async () => {
    const ownSigned = 'Bonjour.\n\n-- \nMarie Dupont\nCentre communal d’action sociale — État civil\n1 place de la Mairie';
    const townSigned = `Bonjour.\n\n-- \nMarie Dupont\nOfficière d’état civil\nÉtat civil — Ville ${town.org.slug}`;
    const set = await setSignature(`  ${CCAS}\n`);
    expect([set.status, set.body.signature]).toEqual([200, CCAS]);
    expect(await lastTeamAudit()).toMatchObject({
      teamId: town.etatCivil.id,
      before: { signature: null },
      after: { signature: CCAS },
    });
    expect(await write(town.agentEC)).toBe(ownSigned);
    // The composer's preview says the same.
    const mine = await t.http<AgentSignatureDto>('GET', `/api/v1/account/signature?teamId=${town.etatCivil.id}`, {
      token: town.agentEC.token,
    });
    expect(mine.body.full).toBe(ownSigned.split('-- \n')[1]);
    // Scolarité has none: the town's.
    expect(await write(town.agentSco)).toBe(`Bonjour.\n\n-- \nPaul Martin\nScolarité — Ville ${town.org.slug}`);

    // Cleared (empty, or null): the town's again.
    const cleared = await setSignature('  ');
    expect([cleared.status, cleared.body.signature]).toEqual([200, null]);
    expect(await lastTeamAudit()).toMatchObject({ before: { signature: CCAS }, after: { signature: null } });
    expect(await write(town.agentEC)).toBe(townSigned);
    await setSignature(CCAS);
    expect((await setSignature(null)).body.signature).toBeNull();
    expect(await write(town.agentEC)).toBe(townSigned);
  });

  it('refuses an unknown variable, braces left open or an over-long template with a French reason, changing nothing', async () => {
    await setSignature(CCAS);
    const unknown = await setSignature('{{agent}}\n{{nom}}');
    expect(unknown.status).toBe(400);
    expect(unknown.body.details).toEqual(['signature: signature : variable inconnue : {{nom}}']);
    const open = await setSignature('{{agent}}\n{{service');
    expect(open.status).toBe(400);
    expect(open.body.details.join(' ')).toContain('accolades {{ … }} mal fermées');
    const long = await setSignature('x'.repeat(2001));
    expect(long.status).toBe(400);
    expect(long.body.details).toEqual(['signature: signature : 2000 caractères au plus']);
    // The town's template is held to the same rules.
    const townBad = await t.http('PATCH', '/api/v1/organization/settings', {
      token: town.admin.token,
      body: { signature: 'Le maire, {{maire}}' },
    });
    expect([townBad.status, townBad.body.details]).toEqual([400, ['signature: signature : variable inconnue : {{maire}}']]);
    // Only admins.
    expect((await setSignature('{{agent}}', town.agentEC.token)).status).toBe(403);
    const { rows } = await t.db.query(`SELECT signature FROM team WHERE id = $1`, [town.etatCivil.id]);
    expect(rows).toEqual([{ signature: CCAS }]);
  });
});
