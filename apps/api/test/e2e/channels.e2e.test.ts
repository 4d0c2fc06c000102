import { CHANNEL_CAPABILITIES, type ChannelDto } from '@guichet/contracts';
import { expectEventually } from '@guichet/testing';
import { Client } from 'pg';
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
    expect(res.body.config.imap).toEqual({
      host: 'imap.ville-demo.fr',
      port: 993,
      secure: true,
      user: 'etat-civil',
      folders: ['INBOX'],
    });
    const { rows } = await t.db.query(`SELECT config::text, secrets FROM channel WHERE id = $1`, [res.body.id]);
    expect(rows[0].config + rows[0].secrets).not.toMatch(/secret-1/);
    expect(rows[0].secrets).toMatch(/^v1\./);
    const listed = (await t.http('GET', '/api/v1/channels', { token: town.admin.token })).body;
    expect(JSON.stringify(listed)).not.toMatch(/secret-1/);
  });

  it('keeps a secret the PATCH leaves out, replaces one it gives, and re-validates', async () => {
    const created = (
      await t.http('POST', '/api/v1/channels', {
        token: town.admin.token,
        body: { kind: 'email', name: 'Scolarité', teamId: town.scolarite.id, config: emailConfig },
      })
    ).body;
    const patched = await t.http('PATCH', `/api/v1/channels/${created.id}`, {
      token: town.admin.token,
      body: {
        name: 'Scolarité (nouveau)',
        config: {
          ...emailConfig,
          imap: { host: 'imap2.ville-demo.fr', port: 993, user: 'sco' },
          smtp: { ...emailConfig.smtp, password: 'smtp-secret-2' },
        },
      },
    });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ name: 'Scolarité (nouveau)', secretsSet: ['imap.password', 'smtp.password'] });
    const resolved = await t.app.get(ChannelService).resolve(town.org.id, created.id);
    expect(resolved!.config).toMatchObject({
      imap: { host: 'imap2.ville-demo.fr', password: 'imap-secret-1' },
      smtp: { password: 'smtp-secret-2' },
    });
    const bad = await t.http('PATCH', `/api/v1/channels/${created.id}`, {
      token: town.admin.token,
      body: { config: { address: 'pas-une-adresse' } },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.details.join()).toMatch(/address/);
  });

  it('records who changed a channel and how, before and after, never a secret', async () => {
    const sms = { accountSid: `AC${'2'.repeat(32)}`, authToken: 'twilio-token-1', phoneNumber: '+33757000009' };
    const created = await t.http('POST', '/api/v1/channels', {
      token: town.admin.token,
      body: { kind: 'sms', name: 'SMS mairie', teamId: town.etatCivil.id, config: sms },
    });
    expect(created.status).toBe(201);
    const id = created.body.id as string;
    const patched = await t.http('PATCH', `/api/v1/channels/${id}`, {
      token: town.admin.token,
      body: {
        name: 'SMS état civil',
        teamId: town.scolarite.id,
        enabled: false,
        config: { accountSid: sms.accountSid, authToken: 'twilio-token-2', phoneNumber: '+33757000010' },
      },
    });
    expect(patched.status).toBe(200);
    // A change of name alone keeps the saved token: replaced nothing.
    await t.http('PATCH', `/api/v1/channels/${id}`, { token: town.admin.token, body: { name: 'SMS' } });

    const rows = (
      await t.db.query(
        `SELECT action, agent_id, created_at, data FROM audit_event
          WHERE organization_id = $1 AND action IN ('channel.created', 'channel.updated') AND data->>'channelId' = $2
          ORDER BY id`,
        [town.org.id, id],
      )
    ).rows;
    expect(rows.map((r) => [r.action, r.agent_id])).toEqual([
      ['channel.created', town.admin.id],
      ['channel.updated', town.admin.id],
      ['channel.updated', town.admin.id],
    ]);
    for (const r of rows) expect(r.created_at).toBeInstanceOf(Date);
    const settings = (name: string, teamId: string, enabled: boolean, phoneNumber: string) => ({
      kind: 'sms',
      name,
      teamId,
      enabled,
      config: { accountSid: sms.accountSid, phoneNumber },
      secretsSet: ['authToken'],
    });
    expect(rows[0].data).toEqual({
      channelId: id,
      after: settings('SMS mairie', town.etatCivil.id, true, '+33757000009'),
    });
    expect(rows[1].data).toEqual({
      channelId: id,
      before: settings('SMS mairie', town.etatCivil.id, true, '+33757000009'),
      after: settings('SMS état civil', town.scolarite.id, false, '+33757000010'),
      secretsReplaced: ['authToken'],
    });
    expect(rows[2].data).toMatchObject({ before: { name: 'SMS état civil' }, after: { name: 'SMS' }, secretsReplaced: [] });
    expect(JSON.stringify(rows)).not.toMatch(/twilio-token/);
  });

  it('two admins changing a channel at once both keep their change (a new token, a new name): the second merges into the first', async () => {
    const sms = { accountSid: `AC${'3'.repeat(32)}`, authToken: 'twilio-token-old', phoneNumber: '+33757000011' };
    const created = await t.http('POST', '/api/v1/channels', {
      token: town.admin.token,
      body: { kind: 'sms', name: 'SMS en double', teamId: town.etatCivil.id, config: sms },
    });
    expect(created.status).toBe(201);
    const id = created.body.id as string;
    const other = await t.newAgent({ organizationId: town.org.id, role: 'admin' });
    // A third transaction holds the channel's row until both changes have read it and wait to write.
    const holder = new Client({ connectionString: t.config.databaseUrl });
    const watcher = new Client({ connectionString: t.config.databaseUrl });
    await Promise.all([holder.connect(), watcher.connect()]);
    try {
      await holder.query('BEGIN');
      await holder.query('SELECT 1 FROM channel WHERE id = $1 FOR UPDATE', [id]);
      const newToken = t.http('PATCH', `/api/v1/channels/${id}`, {
        token: town.admin.token,
        body: { config: { accountSid: sms.accountSid, phoneNumber: sms.phoneNumber, authToken: 'twilio-token-new' } },
      });
      const newName = t.http('PATCH', `/api/v1/channels/${id}`, { token: other.token, body: { name: 'SMS renommé' } });
      await expectEventually(async () => {
        const { rows } = await watcher.query(
          `SELECT count(*)::int AS n FROM pg_stat_activity
            WHERE datname = current_database() AND wait_event_type = 'Lock' AND position('channel' in query) > 0`,
        );
        expect(rows[0].n).toBe(2);
      });
      await holder.query('COMMIT');
      expect([(await newToken).status, (await newName).status]).toEqual([200, 200]);
    } finally {
      await Promise.all([holder.end(), watcher.end()]);
    }
    const resolved = await t.app.get(ChannelService).resolve(town.org.id, id);
    expect({ name: resolved!.name, authToken: resolved!.config.authToken }).toEqual({
      name: 'SMS renommé',
      authToken: 'twilio-token-new',
    });
  });

  it('refuses invalid configs, unknown services, agents and supervisors', async () => {
    const post = (token: string, body: object) => t.http('POST', '/api/v1/channels', { token, body });
    const before = await t.count('channel');
    const sms = await post(town.admin.token, {
      kind: 'sms',
      name: 'SMS',
      teamId: town.etatCivil.id,
      config: { accountSid: 'nope', phoneNumber: '0612' },
    });
    expect(sms.status).toBe(400);
    expect(sms.body.details).toEqual(
      expect.arrayContaining([expect.stringMatching(/^accountSid/), expect.stringMatching(/^phoneNumber/)]),
    );
    expect((await post(town.admin.token, { kind: 'fax', name: 'Fax', teamId: town.etatCivil.id })).status).toBe(400);
    expect(
      (await post(town.admin.token, { kind: 'webform', name: 'F', teamId: '00000000-0000-4000-8000-000000000000' })).status,
    ).toBe(400);
    expect((await post(town.supervisor.token, { kind: 'webform', name: 'F', teamId: town.etatCivil.id })).status).toBe(403);
    expect((await post(town.agentEC.token, { kind: 'webform', name: 'F', teamId: town.etatCivil.id })).status).toBe(403);
    expect(await t.count('channel')).toBe(before);
  });

  it('lists every channel with the capabilities of its kind, as the contract declares them', async () => {
    const twilio = { accountSid: `AC${'1'.repeat(32)}` };
    for (const body of [
      { kind: 'sms', name: 'SMS', teamId: town.etatCivil.id, config: { ...twilio, phoneNumber: '+33757000001' } },
      { kind: 'whatsapp', name: 'WhatsApp', teamId: town.etatCivil.id, config: { ...twilio, whatsappNumber: '+33757000002' } },
      { kind: 'messenger', name: 'Page', teamId: town.etatCivil.id, config: { pageId: '100000000000009' } },
    ]) {
      const created = await t.http('POST', '/api/v1/channels', { token: town.admin.token, body });
      expect(created.status).toBe(201);
      expect(created.body.capabilities).toEqual(CHANNEL_CAPABILITIES[body.kind as ChannelDto['kind']]);
    }
    const listed = (await t.http('GET', '/api/v1/channels', { token: town.admin.token })).body as ChannelDto[];
    expect(listed.length).toBeGreaterThanOrEqual(3);
    for (const channel of listed)
      expect({ kind: channel.kind, capabilities: channel.capabilities }).toEqual({
        kind: channel.kind,
        capabilities: CHANNEL_CAPABILITIES[channel.kind],
      });
    const byKind = (kind: string) => listed.find((c) => c.kind === kind)!.capabilities;
    expect(byKind('sms')).toMatchObject({
      reply: true,
      startConversation: true,
      smsSegments: true,
      maxLength: 1600,
      replyWindowHours: null,
    });
    expect(byKind('whatsapp')).toMatchObject({ reply: true, replyWindowHours: 24, smsSegments: false });
    expect(byKind('messenger')).toMatchObject({
      startConversation: false,
      replyWindowHours: 168,
      comments: { publicReply: true, privateReplyWindowHours: 168 },
    });
  });

  it('gives the webhook addresses to paste at the provider, each a route that answers (unsigned: refused, not unknown)', async () => {
    const listed = (await t.http('GET', '/api/v1/channels', { token: town.admin.token })).body as ChannelDto[];
    const sms = listed.find((c) => c.kind === 'sms')!;
    expect(sms.webhooks).toEqual([
      { label: expect.stringContaining('Twilio'), url: `${t.config.publicUrl}/webhooks/twilio/${sms.id}/sms` },
    ]);
    expect(listed.find((c) => c.kind === 'email')?.webhooks ?? []).toEqual([]);
    const urls = listed.flatMap((c) => c.webhooks.map((w) => w.url));
    expect(urls.length).toBeGreaterThanOrEqual(2);
    const answers: Record<string, number> = {};
    for (const url of urls) {
      const path = url.slice(t.config.publicUrl.length);
      const headers = { 'content-type': 'application/x-www-form-urlencoded' };
      answers[path] = (await t.http('POST', path, { body: 'From=%2B33600000000&Body=x', headers })).status;
    }
    expect(Object.entries(answers).filter(([, status]) => ![400, 401, 403].includes(status))).toEqual([]);
  });

  it('keeps no per-channel kind list in the database: a new kind needs no migration, other CHECKs stay', async () => {
    await t.db.query(`INSERT INTO channel (organization_id, team_id, kind, name) VALUES ($1, $2, 'telegram', 'Telegram')`, [
      town.org.id,
      town.etatCivil.id,
    ]);
    const { rows } = await t.db.query(`INSERT INTO contact (organization_id) VALUES ($1) RETURNING id`, [town.org.id]);
    await t.db.query(
      `INSERT INTO contact_identity (organization_id, contact_id, kind, value) VALUES ($1, $2, 'telegram', '424242')`,
      [town.org.id, rows[0].id],
    );
    await expect(t.db.query(`UPDATE agent SET role = 'roi' WHERE organization_id = $1`, [town.org.id])).rejects.toThrow(
      /check constraint/,
    );
    await t.db.query(`DELETE FROM channel WHERE kind = 'telegram'`);
    await t.db.query(`DELETE FROM contact WHERE id = $1`, [rows[0].id]);
  });
});
