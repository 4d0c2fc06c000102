import { randomUUID } from 'node:crypto';
import { blobsHolding, columnsHolding, randomMobile, seedTown, startTestApp, type TestApp } from '../harness';

/**
 * Erasure (RGPD art. 17, issue 16) leaves nothing of the citizen anywhere Guichet keeps data: once
 * a citizen is erased, every column of every table (all schemas: the job queue's too) and every
 * file of the blob store is searched for their e-mail addresses, their phone number (as digits,
 * and as people write it) and their name. The citizen is first put everywhere an agent, another
 * citizen or a provider can put them: their own requests, someone else's mail copying them and
 * quoting them, an e-mail copy (.eml) in that file, a call placed to them from another file, an
 * event registration, an agent's search for them, an audit event naming them, a merged file, a
 * quarantined mail, a duplicate's trace, a failed webhook and the organization's mail log.
 */
describe('erasure reaches everything Guichet keeps on the citizen', () => {
  let t: TestApp;
  let town: Awaited<ReturnType<typeof seedTown>>;

  beforeAll(async () => {
    t = await startTestApp();
    town = await seedTown(t);
  });
  afterAll(() => t.close());

  const waitFor = async (ok: () => Promise<boolean>) => {
    for (let i = 0; i < 100 && !(await ok()); i++) await new Promise((r) => setTimeout(r, 50));
    expect(await ok()).toBe(true);
  };

  it('after erasure, no table, column or blob holds their addresses, number or name', async () => {
    const tag = randomUUID().slice(0, 6);
    const email = `honorine.${tag}@exemple.fr`;
    const email2 = `h.vasseur.${tag}@laposte.example`;
    const phone = randomMobile(); // +3361xxxxxxx
    const national = `0${phone.slice(3)}`;
    const spaced = national.replace(/(\d\d)(?=\d)/g, '$1 ');
    const surname = `Vasseur${tag.replace(/[0-9]/g, 'x')}`;
    const name = `Honorine ${surname}`;
    // A word of a request of theirs that names neither them nor their addresses: once they are
    // erased, nothing holds it (the job queue kept it in three delivered events).
    const word = `griffon${tag}`;

    // Their own request, from the web form, with their phone; they quote their number in it.
    const own = await t.ingest.ingest(
      {
        channelId: town.webform.id,
        externalId: randomUUID(),
        from: { kind: 'email', value: email, name },
        extraIdentities: [{ kind: 'phone', value: phone }],
        subject: `Acte de naissance ${name}`,
        text: `Bonjour, je suis ${name}, joignable au ${spaced}.`,
      },
      { teamId: town.etatCivil.id },
    );
    await t.db.query(
      `INSERT INTO satisfaction_survey (organization_id, conversation_id, status, send_at, sent_at, expires_at, answered_at, score, comment)
       VALUES ($1, $2, 'answered', now(), now(), now() + interval '30 days', now(), 9, $3)`,
      [town.org.id, own.conversationId, `Merci, ${name}`],
    );
    // A second file of theirs (another address, same name), merged into the first.
    const second = await t.ingest.ingest(
      {
        channelId: town.webform.id,
        externalId: randomUUID(),
        from: { kind: 'email', value: email2, name },
        text: `Cantine ${word}`,
      },
      { teamId: town.etatCivil.id },
    );
    const proposed = await t.http('POST', `/api/v1/contacts/${own.contactId}/merges`, {
      token: town.supervisor.token,
      body: { otherContactId: second.contactId, reason: `Même personne : ${name}, ${email2}` },
    });
    expect(proposed.status).toBe(201);
    expect((await t.http('POST', `/api/v1/contact-merges/${proposed.body.id}/confirm`, { token: town.admin.token })).status).toBe(
      200,
    );

    // Someone else's mail copying them and quoting their address and number, with its raw copy.
    const eml = Buffer.from(
      `From: Gaston Lefort <gaston.${tag}@exemple.org>\r\nTo: mairie@ville.example\r\nCc: ${name} <${email}>\r\n` +
        `Subject: Haie mitoyenne\r\n\r\nMa voisine (${email}, ${spaced}) est d'accord.\r\n`,
    );
    const other = await t.ingest.ingest(
      {
        channelId: town.email.id,
        externalId: `<${randomUUID()}@exemple.org>`,
        from: { kind: 'email', value: `gaston.${tag}@exemple.org`, name: 'Gaston Lefort' },
        subject: `Haie mitoyenne avec ${email}`,
        text: `Ma voisine (${email.toUpperCase()}, ${spaced}) est d'accord. Appelez-la au +33 ${phone.slice(3, 4)} ${phone.slice(4)}.`,
        html: `<p>Ma voisine (<a href="mailto:${email}">${email}</a>) est d'accord.</p>`,
        attachments: [{ fileName: 'message-original.eml', contentType: 'message/rfc822', content: new Uint8Array(eml) }],
        meta: { to: ['mairie@ville.example'], cc: [email] },
      },
      { teamId: town.scolarite.id },
    );
    // A call placed to them from that other file.
    await t.db.query(
      `INSERT INTO message (organization_id, conversation_id, direction, kind, body, status, meta)
       VALUES ($1, $2, 'outbound', 'call', '', 'sent', $3)`,
      [
        town.org.id,
        other.conversationId,
        { call: { from: '+33140000000', to: phone, durationSeconds: 61, outcome: 'answered' } },
      ],
    );
    // An event registration under their name, address and number.
    const { rows: ev } = await t.db.query(
      `WITH e AS (
         INSERT INTO municipal_event (organization_id, team_id, title, place, starts_at, ends_at, capacity, booked_places)
         VALUES ($1, $2, 'Atelier compost', 'Salle des fêtes', now() + interval '10 days', now() + interval '10 days 2 hours', 20, 1)
         RETURNING id, organization_id, starts_at, ends_at, capacity, waitlist_capacity, booked_places)
       INSERT INTO municipal_event_session (id, organization_id, event_id, starts_at, ends_at, capacity, waitlist_capacity, booked_places)
       SELECT id, organization_id, id, starts_at, ends_at, capacity, waitlist_capacity, booked_places FROM e RETURNING id`,
      [town.org.id, town.etatCivil.id],
    );
    await t.db.query(
      `INSERT INTO municipal_event_registration (organization_id, event_id, session_id, name, email, phone, places, answers, status)
       VALUES ($1, $2, $2, $3, $4, $5, 1, $6, 'confirmed')`,
      [town.org.id, ev[0].id, name, email, phone, { accompagnant: `${name} et son fils` }],
    );
    // An agent searched for them; an audit event names them.
    expect(
      (await t.http('GET', `/api/v1/conversations?q=${encodeURIComponent(email)}`, { token: town.admin.token })).status,
    ).toBe(200);
    await waitFor(async () => {
      const { rows } = await t.db.query(
        `SELECT 1 FROM audit_event WHERE organization_id = $1 AND action = 'conversations.searched' AND data->>'q' = $2`,
        [town.org.id, email],
      );
      return rows.length > 0;
    });
    await t.db.query(
      `INSERT INTO audit_event (organization_id, agent_id, action, contact_id, data)
       VALUES ($1, $2, 'municipal_event.checked_in', $3, $4)`,
      [town.org.id, town.agentEC.id, own.contactId, { eventId: ev[0].id, title: 'Atelier compost', name }],
    );
    // Mailbox traces: a quarantined mail and a duplicate's raw copy naming them (from someone else).
    await t.db.query(
      `INSERT INTO quarantine (organization_id, channel_id, folder, uid, raw, error, senders)
       VALUES ($1, $2, 'INBOX', 424242, $3, 'illisible', ARRAY['gaston.${tag}@exemple.org'])`,
      [town.org.id, town.email.id, eml],
    );
    await t.db.query(
      `INSERT INTO mailbox_event (organization_id, channel_id, folder, uid, kind, external_id, reason, raw)
       VALUES ($1, $2, 'INBOX', 434343, 'duplicate', $3, 'déjà importé', $4)`,
      [town.org.id, town.email.id, `<${randomUUID()}@exemple.org>`, eml],
    );
    // A webhook the inbox gave up on: an SMS from their number.
    await t.db.query(
      `INSERT INTO webhook_inbox (channel_id, kind, dedupe_key, order_key, payload, failed_at, error)
       VALUES ($1, 'twilio-sms', $2, $3, $4, now(), 'corps illisible')`,
      [town.sms.id, `sms:SM${tag}`, `phone:${phone}`, `From=%2B${phone.slice(1)}&Body=Bonjour`],
    );
    // The organization's mail log: a mail printed about them (no SMTP server set).
    await t.db.query(
      `INSERT INTO organization_mail (organization_id, to_address, subject, body, status) VALUES ($1, $2, $3, $4, 'logged')`,
      [town.org.id, email, 'Votre demande', `Bonjour ${name},`],
    );
    await t.settled();

    const terms = [email, email2, phone.slice(1), national, spaced, surname.slice(0, -2)];
    // Everything above holds them before the erasure (the search finds what it must find).
    const before = await columnsHolding(t, terms);
    for (const place of [
      'message"."body',
      'message"."meta',
      'conversation"."subject',
      'municipal_event_registration"."email',
      'audit_event"."data',
      'quarantine"."raw',
      'mailbox_event"."raw',
      'webhook_inbox"."payload',
      'contact_merge"."reason',
      'organization_mail"."body',
      'contact_identity"."value',
    ])
      expect(before.join('\n')).toContain(place);
    expect(await blobsHolding(t, [email])).not.toEqual([]);

    const erased = await t.http('POST', `/api/v1/contacts/${own.contactId}/anonymize`, { token: town.admin.token });
    expect(erased.status).toBe(200);
    expect(erased.body).toMatchObject({ contactAnonymized: true, kept: [] });
    await t.settled();

    expect(await columnsHolding(t, [...terms, word])).toEqual([]);
    expect(await blobsHolding(t, terms)).toEqual([]);

    // Someone else's file is still there, with the citizen's part blanked.
    const { rows: kept } = await t.db.query(`SELECT body, meta FROM message WHERE conversation_id = $1 AND kind = 'message'`, [
      other.conversationId,
    ]);
    expect(kept[0].body).toBe(`Ma voisine ([effacé], [effacé]) est d'accord. Appelez-la au [effacé].`);
    expect(kept[0].meta.cc).toEqual(['[effacé]']);
    expect(kept[0].meta.to).toEqual(['mairie@ville.example']);
    const { rows: copy } = await t.db.query(
      `SELECT a.size, a.sha256 FROM attachment a JOIN message ms ON ms.id = a.message_id WHERE ms.conversation_id = $1`,
      [other.conversationId],
    );
    expect(copy).toHaveLength(1);
    // Its two addresses, the number and the name beside the address in Cc.
    expect(copy[0].size).toBe(eml.length - 2 * email.length - spaced.length - name.length + 4 * '[efface]'.length);
    // The registration still counts its place; the erasure says what it removed elsewhere.
    const { rows: reg } = await t.db.query(
      `SELECT name, email, phone, places, anonymized_at FROM municipal_event_registration WHERE event_id = $1`,
      [ev[0].id],
    );
    expect(reg[0]).toMatchObject({ name: '', email: null, phone: null, places: 1 });
    const { rows: audit } = await t.db.query(`SELECT data FROM audit_event WHERE action = 'contact.erased' AND contact_id = $1`, [
      own.contactId,
    ]);
    expect(audit[0].data.elsewhere).toMatchObject({
      messages: 2,
      conversations: 1,
      registrations: 1,
      quarantinedMails: 1,
      webhooks: 1,
      merges: 1,
      organizationMails: 1,
      emailCopies: 1,
    });
    expect(audit[0].data.elsewhere.mailboxTraces).toBeGreaterThanOrEqual(1);
    expect(audit[0].data.elsewhere.auditEvents).toBeGreaterThanOrEqual(2);
  });
});
