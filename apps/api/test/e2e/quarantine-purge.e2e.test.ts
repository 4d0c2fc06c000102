import { randomUUID } from 'node:crypto';
import { EmailRepository } from '../../src/modules/email/email.repository';
import { seedTown, startTestApp, type TestApp } from '../harness';

/**
 * A mailbox's quarantine keeps nothing it no longer needs (issue 16): a mail the import could not
 * read leaves the database, raw source and all, when an admin discards it (with its audit event,
 * in one transaction), when the citizen who sent it has their data erased, and when it is older
 * than the organization's quarantine period (30 days unless set). Each path is checked by looking
 * for the mail's words in the database afterwards.
 */
describe('purging the quarantine', () => {
  let t: TestApp;
  let town: Awaited<ReturnType<typeof seedTown>>;
  let uid = 1000;

  /** A mail the import refused, as it quarantines one (EmailIngestService.process): a Message-ID too long to store. */
  const quarantined = async (o: { from: string; word: string; organizationId?: string; channelId?: string }) => {
    const raw = Buffer.from(
      [
        `From: Citoyen <${o.from}>`,
        'To: mairie@ville.fr',
        `Subject: Demande ${o.word}`,
        `Message-ID: <${'x'.repeat(1100)}@exemple.fr>`,
        'Content-Type: text/plain; charset=utf-8',
        '',
        `Bonjour, mon ${o.word} est cassé.`,
        '',
      ].join('\r\n'),
    );
    return t.app.get(EmailRepository).quarantine({
      organizationId: o.organizationId ?? town.org.id,
      channelId: o.channelId ?? town.email.id,
      folder: 'INBOX',
      uid: uid++,
      raw,
      error: 'identifiant externe trop long',
    });
  };

  /** The quarantined mails whose raw source holds this word (anywhere: headers, text). */
  const holding = async (word: string) =>
    (await t.db.query(`SELECT id FROM quarantine WHERE position($1::bytea IN raw) > 0`, [Buffer.from(word)])).rows.map(
      (r: { id: string }) => r.id,
    );

  const word = () => `xylophone${randomUUID().slice(0, 8)}`;

  /**
   * A delivery report about nothing Guichet sent, kept as the import keeps one
   * (EmailIngestService.process): its raw source, and the diagnostic naming the recipient.
   */
  const report = (o: { to: string; word: string; organizationId?: string; channelId?: string }) =>
    t.app.get(EmailRepository).recordEvent({
      organizationId: o.organizationId ?? town.org.id,
      channelId: o.channelId ?? town.email.id,
      folder: 'INBOX',
      uid: uid++,
      kind: 'unmatched-bounce',
      externalId: `<${randomUUID()}@ailleurs.fr>`,
      reason: `rapport de non-remise sans message correspondant envoyé par Guichet : 550 5.1.1 <${o.to}> inconnu`,
      raw: Buffer.from(
        [
          'From: MAILER-DAEMON@ville.fr',
          'To: mairie@ville.fr',
          'Subject: Undelivered Mail Returned to Sender',
          'Content-Type: multipart/report; report-type=delivery-status; boundary="b"',
          '',
          '--b',
          'Content-Type: message/delivery-status',
          '',
          `Final-Recipient: rfc822; ${o.to}`,
          'Action: failed',
          'Status: 5.1.1',
          '',
          '--b',
          'Content-Type: text/rfc822-headers',
          '',
          `To: ${o.to}`,
          `Subject: Votre ${o.word}`,
          '',
          '--b--',
          '',
        ].join('\r\n'),
      ),
    });

  /** The kept delivery reports whose raw source or diagnostic holds this text. */
  const reporting = async (text: string) =>
    (
      await t.db.query(`SELECT id FROM mailbox_event WHERE position($1::bytea IN raw) > 0 OR strpos(reason, $2) > 0`, [
        Buffer.from(text),
        text,
      ])
    ).rows.map((r: { id: string }) => r.id);

  beforeAll(async () => {
    t = await startTestApp();
    town = await seedTown(t);
  });
  afterAll(() => t.close());

  it('keeps the addresses the mail says it is from, lower-cased as identities are', async () => {
    const id = await quarantined({ from: 'Jeanne.MARTIN@Exemple.fr', word: word() });
    const { rows } = await t.db.query(`SELECT senders FROM quarantine WHERE id = $1`, [id]);
    expect(rows[0].senders).toEqual(['jeanne.martin@exemple.fr']);
  });

  it('a discarded mail leaves the database at once, with its audit event written in the same transaction', async () => {
    const w = word();
    const id = await quarantined({ from: 'ecarte@exemple.fr', word: w });
    expect(await holding(w)).toEqual([id]);
    const path = `/api/v1/channels/${town.email.id}/quarantine/${id}/discard`;

    // The audit event cannot be written: nothing is discarded, the mail stays for a second try.
    await t.db.query(`
      CREATE FUNCTION test_refuse_discard_audit() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF NEW.action = 'channel.quarantine_discarded' THEN RAISE EXCEPTION 'audit indisponible'; END IF;
        RETURN NEW;
      END $$`);
    await t.db.query(
      `CREATE TRIGGER test_refuse_discard_audit BEFORE INSERT ON audit_event FOR EACH ROW EXECUTE FUNCTION test_refuse_discard_audit()`,
    );
    try {
      expect((await t.http('POST', path, { token: town.admin.token })).status).toBe(500);
    } finally {
      await t.db.query(`DROP TRIGGER test_refuse_discard_audit ON audit_event`);
      await t.db.query(`DROP FUNCTION test_refuse_discard_audit()`);
    }
    expect(await holding(w)).toEqual([id]);

    expect((await t.http('POST', path, { token: town.agentEC.token })).status).toBe(403);
    const discarded = await t.http('POST', path, { token: town.admin.token });
    expect(discarded.status).toBe(200);
    expect(await holding(w)).toEqual([]);
    expect((await t.db.query(`SELECT 1 FROM quarantine WHERE id = $1`, [id])).rows).toEqual([]);
    expect((await t.http('POST', path, { token: town.admin.token })).status).toBe(404);
    expect(
      (await t.http('GET', `/api/v1/channels/${town.email.id}/quarantine/${id}/raw`, { token: town.admin.token })).status,
    ).toBe(404);
    const { rows: audit } = await t.db.query(
      `SELECT action, agent_id, data FROM audit_event WHERE data->>'quarantineId' = $1 ORDER BY id`,
      [id],
    );
    expect(audit).toEqual([
      {
        action: 'channel.quarantine_discarded',
        agent_id: town.admin.id,
        data: { channelId: town.email.id, quarantineId: id, folder: 'INBOX', uid: expect.any(Number), size: expect.any(Number) },
      },
    ]);
    // The audit holds none of the mail's words either.
    expect(JSON.stringify(audit)).not.toContain(w);
  });

  it('erasing a citizen removes the quarantined mails from their addresses, and only those', async () => {
    const email = `${randomUUID().slice(0, 8)}@exemple.fr`;
    const w = word();
    const other = word();
    const r = await t.ingest.ingest(
      {
        channelId: town.webform.id,
        externalId: randomUUID(),
        from: { kind: 'email', value: email, name: 'Honorine Vasseur' },
        subject: 'Acte de naissance',
        text: 'Bonjour',
      },
      { teamId: town.etatCivil.id },
    );
    const theirs = await quarantined({ from: email.toUpperCase(), word: w });
    const stranger = await quarantined({ from: `${randomUUID().slice(0, 8)}@exemple.fr`, word: other });
    // Another town's quarantine holding a mail from the same address is that town's business.
    const elsewhere = await t.newOrganization();
    const elsewhereTeam = await t.newTeam(elsewhere.id);
    const elsewhereMailbox = await t.newChannel({ organizationId: elsewhere.id, teamId: elsewhereTeam.id, kind: 'email' });
    const elsewhereMail = await quarantined({
      from: email,
      word: w,
      organizationId: elsewhere.id,
      channelId: elsewhereMailbox.id,
    });
    expect((await holding(w)).sort()).toEqual([theirs, elsewhereMail].sort());

    const erased = await t.http('POST', `/api/v1/contacts/${r.contactId}/anonymize`, { token: town.supervisor.token });
    expect(erased.status).toBe(200);
    expect(await holding(w)).toEqual([elsewhereMail]);
    expect(await holding(other)).toEqual([stranger]);
    const { rows } = await t.db.query(`SELECT data FROM audit_event WHERE action = 'contact.erased' AND contact_id = $1`, [
      r.contactId,
    ]);
    expect(rows[0].data).toMatchObject({ quarantinedMails: 1 });
  });

  it('erasing a citizen removes the delivery reports naming their addresses, and only those', async () => {
    const email = `${randomUUID().slice(0, 8)}@exemple.fr`;
    const w = word();
    const other = word();
    const r = await t.ingest.ingest(
      {
        channelId: town.webform.id,
        externalId: randomUUID(),
        from: { kind: 'email', value: email, name: 'Firmin Lachaud' },
        subject: 'Carte d’identité',
        text: 'Bonjour',
      },
      { teamId: town.etatCivil.id },
    );
    // The reporting server wrote the address its own way: found all the same.
    const theirs = await report({ to: email.toUpperCase(), word: w });
    const stranger = await report({ to: `${randomUUID().slice(0, 8)}@exemple.fr`, word: other });
    const elsewhere = await t.newOrganization();
    const elsewhereTeam = await t.newTeam(elsewhere.id);
    const elsewhereMailbox = await t.newChannel({ organizationId: elsewhere.id, teamId: elsewhereTeam.id, kind: 'email' });
    const elsewhereReport = await report({ to: email, word: w, organizationId: elsewhere.id, channelId: elsewhereMailbox.id });
    expect((await reporting(w)).sort()).toEqual([theirs, elsewhereReport].sort());

    const erased = await t.http('POST', `/api/v1/contacts/${r.contactId}/anonymize`, { token: town.supervisor.token });
    expect(erased.status).toBe(200);
    // Neither the report's words nor the address are left in this town's kept reports.
    expect(await reporting(w)).toEqual([elsewhereReport]);
    expect(await reporting(email.toUpperCase())).toEqual([]);
    expect(await reporting(other)).toEqual([stranger]);
    const { rows } = await t.db.query(`SELECT data FROM audit_event WHERE action = 'contact.erased' AND contact_id = $1`, [
      r.contactId,
    ]);
    expect(rows[0].data).toMatchObject({ mailReports: 1 });
  });

  it('the retention run removes kept delivery reports past the quarantine period, counted in its audit.purged row', async () => {
    const org = await t.newOrganization();
    const team = await t.newTeam(org.id);
    const admin = await t.newAgent({ organizationId: org.id, role: 'admin' });
    const mailbox = await t.newChannel({ organizationId: org.id, teamId: team.id, kind: 'email' });
    const at = async (days: number, kind: 'unmatched-bounce' | 'delivery-report' | 'duplicate' = 'unmatched-bounce') => {
      const w = word();
      const id = await report({ to: 'parti@exemple.fr', word: w, organizationId: org.id, channelId: mailbox.id });
      await t.db.query(`UPDATE mailbox_event SET created_at = now() - make_interval(days => $2), kind = $3 WHERE id = $1`, [
        id,
        days,
        kind,
      ]);
      return { id, w };
    };
    const old = await at(31);
    const oldReport = await at(45, 'delivery-report');
    const week = await at(8);
    // A duplicate's line keeps no copy of the mail: the channel's activity keeps it.
    const duplicate = await at(60, 'duplicate');

    const run = await t.http('POST', '/api/v1/retention/run', { token: admin.token });
    expect(run.status).toBe(200);
    expect(run.body).toMatchObject({ mailReportsPurged: 2, quarantinedMailsPurged: 0 });
    expect(await reporting(old.w)).toEqual([]);
    expect(await reporting(oldReport.w)).toEqual([]);
    expect(await reporting(week.w)).toEqual([week.id]);
    expect(await reporting(duplicate.w)).toEqual([duplicate.id]);

    expect(
      (await t.http('PUT', '/api/v1/retention-rules', { token: admin.token, body: { rules: [], quarantineRetentionDays: 7 } }))
        .status,
    ).toBe(200);
    expect((await t.http('POST', '/api/v1/retention/run', { token: admin.token })).body.mailReportsPurged).toBe(1);
    expect(await reporting(week.w)).toEqual([]);

    const { rows } = await t.db.query(
      `SELECT data FROM audit_event WHERE organization_id = $1 AND action = 'audit.purged' ORDER BY id`,
      [org.id],
    );
    expect(rows.map((r: { data: { mailReportsPurged: number } }) => r.data.mailReportsPurged)).toEqual([2, 1]);
  });

  it('the retention run removes quarantined mails past the organization’s period (30 days unless set), shown in the register', async () => {
    const org = await t.newOrganization();
    const team = await t.newTeam(org.id);
    const admin = await t.newAgent({ organizationId: org.id, role: 'admin' });
    const mailbox = await t.newChannel({ organizationId: org.id, teamId: team.id, kind: 'email' });
    const at = async (days: number) => {
      const w = word();
      const id = await quarantined({ from: 'ancien@exemple.fr', word: w, organizationId: org.id, channelId: mailbox.id });
      await t.db.query(`UPDATE quarantine SET created_at = now() - make_interval(days => $2) WHERE id = $1`, [id, days]);
      return { id, w };
    };
    const old = await at(31);
    const week = await at(8);
    const fresh = await at(2);
    // Another town's old mail waits for that town's run (or the nightly one).
    const elsewhere = await at(40);
    await t.db.query(`UPDATE quarantine SET organization_id = $2, channel_id = $3 WHERE id = $1`, [
      elsewhere.id,
      town.org.id,
      town.email.id,
    ]);

    const settings = await t.http('GET', '/api/v1/retention-rules', { token: admin.token });
    expect(settings.body.quarantineRetentionDays).toBe(30);
    const run = await t.http('POST', '/api/v1/retention/run', { token: admin.token });
    expect(run.status).toBe(200);
    expect(run.body.quarantinedMailsPurged).toBe(1);
    expect(await holding(old.w)).toEqual([]);
    expect(await holding(week.w)).toEqual([week.id]);
    expect(await holding(elsewhere.w)).toEqual([elsewhere.id]);

    const put = await t.http('PUT', '/api/v1/retention-rules', {
      token: admin.token,
      body: { rules: [], quarantineRetentionDays: 7 },
    });
    expect(put.status).toBe(200);
    expect(put.body.quarantineRetentionDays).toBe(7);
    const bad = await t.http('PUT', '/api/v1/retention-rules', {
      token: admin.token,
      body: { rules: [], quarantineRetentionDays: 0 },
    });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body)).toMatch(/au moins un jour/);
    expect((await t.http('POST', '/api/v1/retention/run', { token: admin.token })).body.quarantinedMailsPurged).toBe(1);
    expect(await holding(week.w)).toEqual([]);
    expect(await holding(fresh.w)).toEqual([fresh.id]);

    // What each run removed, in the organization's audit.
    const { rows } = await t.db.query(
      `SELECT agent_id, data FROM audit_event WHERE organization_id = $1 AND action = 'audit.purged' ORDER BY id`,
      [org.id],
    );
    expect(rows.map((r: { data: { quarantinedMailsPurged: number } }) => r.data.quarantinedMailsPurged)).toEqual([1, 1]);
    expect(rows[0].agent_id).toBe(admin.id);

    // The register of processing activities says how long the quarantine keeps a mail.
    const register = await t.http('GET', '/api/v1/processing-register?format=csv', { token: admin.token });
    expect(register.status).toBe(200);
    expect(register.body).toContain('Quarantaine des courriels illisibles');
    expect(register.body).toContain('7 jours au plus, puis suppression');
  });
});
