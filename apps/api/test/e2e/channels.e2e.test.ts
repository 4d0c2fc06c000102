import { ChannelService } from '../../src/modules/channels/channel.service';
import { seedTown, startTestApp, type TestApp } from '../harness';

describe('channel administration', () => {
  let t: TestApp;
  let town: Awaited<ReturnType<typeof seedTown>>;
  const emailConfig = {
    address: 'etat-civil@ville-demo.fr',
    imap: { host: 'imap.ville-demo.fr', port: 993, user: 'etat-civil', password: 'imap-secret-1' },
    smtp: { host: 'smtp.ville-demo.fr', port: 465, user: 'etat-civil', password: 'smtp-secret-1' },
  };

  beforeAll(async () => {
    t = await startTestApp();
    town = await seedTown(t);
  });
  afterAll(() => t.close());

  it('creates a channel with a validated config; secrets are encrypted at rest and never returned', async () => {
    const res = await t.http('POST', '/api/v1/channels', {
      token: town.admin.token,
      body: { kind: 'email', name: 'État civil', teamId: town.etatCivil.id, config: emailConfig },
    });
    expect(res.status).toBe(201);
    expect(res.body.secretsSet).toEqual(['imap.password', 'smtp.password']);
    expect(JSON.stringify(res.body)).not.toMatch(/secret-1/);
    expect(res.body.config.imap).toEqual({ host: 'imap.ville-demo.fr', port: 993, secure: true, user: 'etat-civil', folders: ['INBOX'] });
    const { rows } = await t.db.query(`SELECT config::text, secrets FROM channel WHERE id = $1`, [res.body.id]);
    expect(rows[0].config + rows[0].secrets).not.toMatch(/secret-1/);
    expect(rows[0].secrets).toMatch(/^v1\./);
    const listed = (await t.http('GET', '/api/v1/channels', { token: town.admin.token })).body;
    expect(JSON.stringify(listed)).not.toMatch(/secret-1/);
  });

  it('keeps a secret the PATCH leaves out, replaces one it gives, and re-validates', async () => {
    const created = (
      await t.http('POST', '/api/v1/channels', { token: town.admin.token, body: { kind: 'email', name: 'Scolarité', teamId: town.scolarite.id, config: emailConfig } })
    ).body;
    const patched = await t.http('PATCH', `/api/v1/channels/${created.id}`, {
      token: town.admin.token,
      body: {
        name: 'Scolarité (nouveau)',
        config: { ...emailConfig, imap: { host: 'imap2.ville-demo.fr', port: 993, user: 'sco' }, smtp: { ...emailConfig.smtp, password: 'smtp-secret-2' } },
      },
    });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ name: 'Scolarité (nouveau)', secretsSet: ['imap.password', 'smtp.password'] });
    const resolved = await t.app.get(ChannelService).resolve(town.org.id, created.id);
    expect(resolved!.config).toMatchObject({ imap: { host: 'imap2.ville-demo.fr', password: 'imap-secret-1' }, smtp: { password: 'smtp-secret-2' } });
    const bad = await t.http('PATCH', `/api/v1/channels/${created.id}`, { token: town.admin.token, body: { config: { address: 'pas-une-adresse' } } });
    expect(bad.status).toBe(400);
    expect(bad.body.details.join()).toMatch(/address/);
  });

  it('refuses invalid configs, unknown services, agents and supervisors', async () => {
    const post = (token: string, body: object) => t.http('POST', '/api/v1/channels', { token, body });
    const before = await t.count('channel');
    const sms = await post(town.admin.token, { kind: 'sms', name: 'SMS', teamId: town.etatCivil.id, config: { accountSid: 'nope', phoneNumber: '0612' } });
    expect(sms.status).toBe(400);
    expect(sms.body.details).toEqual(expect.arrayContaining([expect.stringMatching(/^accountSid/), expect.stringMatching(/^phoneNumber/)]));
    expect((await post(town.admin.token, { kind: 'fax', name: 'Fax', teamId: town.etatCivil.id })).status).toBe(400);
    expect((await post(town.admin.token, { kind: 'webform', name: 'F', teamId: '00000000-0000-4000-8000-000000000000' })).status).toBe(400);
    expect((await post(town.supervisor.token, { kind: 'webform', name: 'F', teamId: town.etatCivil.id })).status).toBe(403);
    expect((await post(town.agentEC.token, { kind: 'webform', name: 'F', teamId: town.etatCivil.id })).status).toBe(403);
    expect(await t.count('channel')).toBe(before);
  });
});
