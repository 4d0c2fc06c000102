import { randomUUID } from 'node:crypto';
import type { AgentNotificationDto } from '@guichet/contracts';
import { connectRecording, expectEventually, type RecordingClient } from '@guichet/testing';
import { DeadlineWarnings } from '../../src/modules/request-types/deadline-warnings.service';
import { seedTown, startTestApp, type TestApp } from '../harness';

/**
 * Deadline warnings (issue 13): the assignee and the service's supervisors are told in the app when
 * a file's due date comes within 48 hours and when it passes, once per stage and due date; each
 * supervisor gets one digest mail a day of their services' files overdue or due soon.
 */
describe('deadline warnings', () => {
  let t: TestApp;
  let town: Awaited<ReturnType<typeof seedTown>>;
  let other: Awaited<ReturnType<typeof seedTown>>;
  let warnings: DeadlineWarnings;
  const clients: RecordingClient[] = [];

  beforeAll(async () => {
    t = await startTestApp();
    town = await seedTown(t);
    other = await seedTown(t);
    warnings = t.app.get(DeadlineWarnings);
  });
  afterAll(async () => {
    clients.forEach((c) => c.close());
    await t.close();
  });

  type Town = Awaited<ReturnType<typeof seedTown>>;
  /** A web form request in `teamId`, its decision due at `dueSql`; answered already, so that only that date counts. */
  async function fileIn(s: Town, teamId: string, subject: string, dueSql: string | null, assigneeId: string | null = null) {
    const { conversationId } = await t.ingest.ingest(
      {
        channelId: s.webform.id,
        externalId: randomUUID(),
        from: { kind: 'email', value: `${randomUUID().slice(0, 8)}@example.fr`, name: 'Citoyen Test' },
        subject,
        text: 'Bonjour',
      },
      { teamId },
    );
    // The date a démarche would give, set here (the warnings read only the row); the channel's
    // response target, set by the durable listener whenever it runs, no longer counts once answered.
    await t.db.query(
      `UPDATE conversation SET decision_due_at = ${dueSql ?? 'NULL'}, first_response_at = now(), assignee_id = $2 WHERE id = $1`,
      [conversationId, assigneeId],
    );
    const { rows } = await t.db.query(`SELECT reference FROM conversation WHERE id = $1`, [conversationId]);
    return { id: conversationId, reference: rows[0].reference as string };
  }
  const file = (teamId: string, subject: string, dueSql: string | null, assigneeId: string | null = null) =>
    fileIn(teamId === other.etatCivil.id ? other : town, teamId, subject, dueSql, assigneeId);
  const notified = (c: RecordingClient) =>
    c.of<AgentNotificationDto>('agent.notified').map((n) => [n.kind, n.conversation.id, n.dueAt ?? null]);

  it('tells the assignee and the supervisors once per stage, again for a new due date, and never another town', async () => {
    const ec = await connectRecording(t.url, town.agentEC.token);
    const sco = await connectRecording(t.url, town.agentSco.token);
    const sup = await connectRecording(t.url, town.supervisor.token);
    const otherSup = await connectRecording(t.url, other.supervisor.token);
    clients.push(ec, sco, sup, otherSup);

    const late = await file(town.etatCivil.id, 'Acte de naissance', `now() - interval '3 hours'`);
    const soon = await file(town.etatCivil.id, 'Livret de famille', `now() + interval '20 hours'`, town.agentEC.id);
    const far = await file(town.etatCivil.id, 'Mariage', `now() + interval '10 days'`, town.agentEC.id);
    const none = await file(town.etatCivil.id, 'Question', null);
    const resolved = await file(town.etatCivil.id, 'Réglé', `now() - interval '1 day'`);
    await t.db.query(`UPDATE conversation SET status = 'resolved' WHERE id = $1`, [resolved.id]);
    await file(other.etatCivil.id, 'Ailleurs', `now() - interval '1 hour'`);
    const due = async (id: string) =>
      new Date((await t.db.query(`SELECT due_at FROM conversation WHERE id = $1`, [id])).rows[0].due_at).toISOString();

    expect(await warnings.warn(town.org.id)).toBe(2);
    await expectEventually(() =>
      expect(notified(sup)).toEqual([
        ['deadline_passed', late.id, expect.any(String)],
        ['deadline_soon', soon.id, expect.any(String)],
      ]),
    );
    await expectEventually(() => expect(notified(ec)).toEqual([['deadline_soon', soon.id, expect.any(String)]]));
    expect(notified(sup)[1]![2]).toBe(await due(soon.id));
    // Nothing twice: a second run (a retried job, another instance) tells nobody anything.
    expect(await warnings.warn(town.org.id)).toBe(0);

    // The due date passes: told again, as overdue; a recomputed date is a new warning.
    await t.db.query(`UPDATE conversation SET decision_due_at = now() - interval '1 minute' WHERE id = $1`, [soon.id]);
    await t.db.query(`UPDATE conversation SET decision_due_at = now() + interval '30 hours' WHERE id = $1`, [far.id]);
    expect(await warnings.warn(town.org.id)).toBe(2);
    await expectEventually(() =>
      expect(notified(ec).map(([kind, id]) => [kind, id])).toEqual([
        ['deadline_soon', soon.id],
        ['deadline_passed', soon.id],
        ['deadline_soon', far.id],
      ]),
    );
    expect(await warnings.warn(town.org.id)).toBe(0);
    await t.db.query(`UPDATE conversation SET decision_due_at = now() - interval '1 minute' WHERE id = $1`, [soon.id]);
    expect(await warnings.warn(town.org.id)).toBe(1);

    // Scolarité's agent hears nothing of État civil's files; the other town only of its own.
    await new Promise((r) => setTimeout(r, 300));
    expect(notified(sco)).toEqual([]);
    expect(notified(otherSup)).toEqual([]);
    expect(await warnings.warn(other.org.id)).toBe(1);
    await expectEventually(() => expect(notified(otherSup).map(([kind]) => kind)).toEqual(['deadline_passed']));
    const warned = await t.db.query(`SELECT conversation_id FROM deadline_warning WHERE conversation_id = ANY($1::uuid[])`, [
      [none.id, resolved.id],
    ]);
    expect(warned.rows).toEqual([]);
  });

  it('mails each supervisor one digest a day of their services’ files overdue or due soon', async () => {
    const town2 = await seedTown(t);
    // A supervisor of Scolarité only, and one who belongs to no service (follows them all).
    const scoSup = await t.newAgent({
      organizationId: town2.org.id,
      role: 'supervisor',
      teamIds: [town2.scolarite.id],
      name: 'Hugo Scolaire',
    });
    const a = await fileIn(town2, town2.etatCivil.id, 'Acte de décès', `now() - interval '2 days'`, town2.agentEC.id);
    const b = await fileIn(town2, town2.etatCivil.id, 'Recensement', `now() + interval '5 hours'`);
    const c = await fileIn(town2, town2.scolarite.id, 'Cantine', `now() - interval '1 hour'`);
    await fileIn(town2, town2.scolarite.id, 'Plus tard', `now() + interval '9 days'`);

    const mails = async () =>
      (
        await t.db.query(
          `SELECT to_address, subject, body FROM organization_mail WHERE organization_id = $1 AND subject LIKE 'Échéances%' ORDER BY to_address`,
          [town2.org.id],
        )
      ).rows as { to_address: string; subject: string; body: string }[];
    // The digests of a working day (whatever day the test runs on), late enough for everyone's time
    // (07:30 unless chosen); none on a public holiday: Good Friday (3 April 2026) is one for a town
    // that keeps Alsace-Moselle's, a working day elsewhere.
    const now = new Date();
    await t.db.query(`UPDATE organization SET alsace_moselle = true WHERE id = $1`, [town2.org.id]);
    await warnings.digestAll(now, '2026-04-03', '23:45');
    expect(await mails()).toEqual([]);
    await t.db.query(`UPDATE organization SET alsace_moselle = false WHERE id = $1`, [town2.org.id]);
    await warnings.digestAll(now, '2026-04-03', '23:45');
    const sent = await mails();
    expect(sent.map((m) => [m.to_address, m.subject])).toEqual(
      [
        [scoSup.email, 'Échéances : 1 dossier en retard'],
        [town2.supervisor.email, 'Échéances : 2 dossiers en retard, 1 à échéance sous 48 h'],
      ].sort((x, y) => x[0]!.localeCompare(y[0]!)),
    );
    const all = sent.find((m) => m.to_address === town2.supervisor.email)!.body;
    expect(all).toContain('Bonjour Sarah Superviseure,');
    expect(all).toContain('État civil : 1 en retard, 1 sous 48 h');
    expect(all).toContain('Scolarité : 1 en retard, 0 sous 48 h');
    expect(all).toMatch(
      new RegExp(`- ${a.reference} · Acte de décès · en retard depuis le .+ \\d{4} à \\d\\d h \\d\\d · Marie Dupont`),
    );
    expect(all).toMatch(new RegExp(`- ${b.reference} · Recensement · échéance le .* · non assigné`));
    // Earliest first within a service; a service's files only to its supervisors.
    expect(all.indexOf(a.reference)).toBeLessThan(all.indexOf(b.reference));
    const scoOnly = sent.find((m) => m.to_address === scoSup.email)!.body;
    expect(scoOnly).toContain(c.reference);
    expect(scoOnly).not.toContain(a.reference);
    expect(scoOnly).not.toContain('Plus tard');

    // Once a day: a second run sends nothing more.
    await warnings.digestAll(now, '2026-04-03', '23:45');
    expect(await mails()).toHaveLength(2);
  });

  it('sends each supervisor’s digest at the time they chose, none when they opted out, none on a closing day', async () => {
    const town3 = await seedTown(t);
    const early = await t.newAgent({
      organizationId: town3.org.id,
      role: 'supervisor',
      teamIds: [town3.etatCivil.id],
      name: 'Élise Matinale',
    });
    const late = await fileIn(town3, town3.etatCivil.id, 'Acte de mariage', `now() - interval '1 hour'`);
    const settings = (token: string, body?: unknown) =>
      t.http<{ enabled: boolean; time: string }>(body ? 'PUT' : 'GET', '/api/v1/account/deadline-digest', { token, body });

    // Supervisors' own setting (« Mon compte »): 07:30 unless changed, on the quarter hour.
    expect((await settings(town3.agentEC.token)).status).toBe(403);
    expect((await settings(town3.admin.token, { enabled: false, time: '07:30' })).status).toBe(403);
    expect((await settings(early.token)).body).toEqual({ enabled: true, time: '07:30' });
    for (const bad of [
      { enabled: true, time: '07:10' },
      { enabled: true, time: '24:00' },
      { enabled: 'oui', time: '07:30' },
      { time: '07:30' },
    ]) {
      const res = await settings(early.token, bad);
      expect(res.status).toBe(400);
    }
    expect((await settings(early.token)).body).toEqual({ enabled: true, time: '07:30' });
    const chosen = await settings(early.token, { enabled: true, time: '06:45' });
    expect([chosen.status, chosen.body]).toEqual([200, { enabled: true, time: '06:45' }]);
    expect((await settings(town3.supervisor.token, { enabled: false, time: '07:30' })).status).toBe(200);
    expect((await settings(early.token)).body).toEqual({ enabled: true, time: '06:45' });
    const audit = await t.db.query(
      `SELECT data FROM audit_event WHERE organization_id = $1 AND action = 'agent.digest_updated' AND agent_id = $2`,
      [town3.org.id, early.id],
    );
    expect(audit.rows.map((r) => r.data)).toEqual([
      { agentId: early.id, before: { enabled: true, time: '07:30' }, after: { enabled: true, time: '06:45' } },
    ]);

    const mails = async () =>
      (
        await t.db.query(
          `SELECT to_address, body FROM organization_mail WHERE organization_id = $1 AND subject LIKE 'Échéances%'`,
          [town3.org.id],
        )
      ).rows as { to_address: string; body: string }[];
    const now = new Date();
    // The town closes on Monday 7 December 2026 (an inventory): no digest that day. Written in the row: through
    // the settings, the due dates would be counted again, and this test's file has its date set by hand.
    await t.db.query(`UPDATE organization SET closures = $2 WHERE id = $1`, [
      town3.org.id,
      JSON.stringify([{ from: '2026-12-07', to: '2026-12-07', reason: 'Inventaire' }]),
    ]);
    await warnings.digestAll(now, '2026-12-07', '23:45');
    expect(await mails()).toEqual([]);
    // Tuesday 8 December: at 06:30 nobody's time has come; at 06:45 Élise's has (a run missed at
    // 06:45 is caught up by the next one); Sarah opted out.
    await warnings.digestAll(now, '2026-12-08', '06:30');
    expect(await mails()).toEqual([]);
    await warnings.digestAll(now, '2026-12-08', '07:00');
    const sent = await mails();
    expect(sent.map((m) => m.to_address)).toEqual([early.email]);
    expect(sent[0]!.body).toContain(late.reference);
    expect(sent[0]!.body).toContain('Ce récapitulatif vous est envoyé chaque jour ouvré à 06 h 45.');
    expect(sent[0]!.body).toMatch(/« Mon compte », http\S+\/#\/compte$/);
    await warnings.digestAll(now, '2026-12-08', '23:45');
    expect(await mails()).toHaveLength(1);
    // Sarah subscribes again: hers the next working day at 07:30, Élise's from 06:45.
    await settings(town3.supervisor.token, { enabled: true, time: '07:30' });
    await warnings.digestAll(now, '2026-12-09', '07:15');
    expect((await mails()).map((m) => m.to_address)).toEqual([early.email, early.email]);
    await warnings.digestAll(now, '2026-12-09', '07:30');
    expect((await mails()).map((m) => m.to_address).sort()).toEqual([early.email, early.email, town3.supervisor.email].sort());
  });
});
