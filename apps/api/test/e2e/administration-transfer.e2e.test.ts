import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import { parseEmail } from '@guichet/channels';
import type { ConversationDto, MessageDto, PublicRequestCreated } from '@guichet/contracts';
import { expectEventually, startSmtpCapture, type SmtpCapture } from '@guichet/testing';
import { transferFileName, transferFiles } from '../../src/modules/conversations/administration-transfer.service';
import { DeadlineListener } from '../../src/modules/request-types/deadline.listener';
import { orgSmtpSettings, seedTown, startTestApp, type TestApp } from '../harness';

/** What mailparser reads of a message (the parts these tests look at). */
interface ParsedMail {
  subject?: string;
  from?: { value: { address?: string }[] };
  to?: { value: { address?: string }[] } | { value: { address?: string }[] }[];
  text?: string;
  html: string | false;
  attachments: { filename?: string; contentType: string; contentDisposition: string; content: Buffer }[];
}
/** mailparser's simpleParser, loaded from @guichet/channels (its dependency, not the API's): read as a mail program reads. */
const { simpleParser } = createRequire(require.resolve('@guichet/channels'))('mailparser') as {
  simpleParser: (source: Buffer) => Promise<ParsedMail>;
};

const PREFECTURE = {
  name: 'Préfecture de la Loire-Atlantique — service des étrangers',
  email: 'pref-etrangers@loire-atlantique.gouv.fr',
};

/**
 * CRPA L114-2 (issue 13): a request that concerns another administration is forwarded to it by
 * e-mail (the organization's outgoing mail, through a real SMTP capture), the citizen is told on
 * their channel with the legal mention, and the file is closed as « transmise », its clock stopped.
 */
describe('transfer of a request to the competent administration (L114-2)', () => {
  let t: TestApp;
  let smtp: SmtpCapture;
  let town: Awaited<ReturnType<typeof seedTown>>;

  const agent = () => town.agentEC.token;
  /** A citizen's request by the web form, with `files` attached (multipart) if any. */
  const form = async (files: { name: string; type: string; content: Buffer }[] = []) => {
    const email = `usager.${randomBytes(3).toString('hex')}@exemple.fr`;
    const fields = {
      teamId: town.etatCivil.id,
      name: 'Amina Diallo',
      email,
      subject: 'Renouvellement de titre de séjour',
      body: 'Bonjour, mon titre de séjour expire le mois prochain : comment le renouveler ?',
    };
    let multipart: FormData | undefined;
    if (files.length) {
      multipart = new FormData();
      for (const [k, v] of Object.entries(fields)) multipart.append(k, v);
      for (const f of files) multipart.append('attachments', new Blob([new Uint8Array(f.content)], { type: f.type }), f.name);
    }
    const res = await t.http('POST', `/api/v1/public/organizations/${town.org.slug}/requests`, {
      ...(multipart ? { form: multipart } : { body: fields }),
      headers: { 'x-forwarded-for': `10.13.0.${Math.floor(Math.random() * 250)}` },
    });
    expect(res.status).toBe(201);
    const { rows } = await t.db.query(`SELECT id FROM conversation WHERE reference = $1`, [res.body.reference]);
    return { ...(res.body as PublicRequestCreated), id: rows[0].id as string, email };
  };
  const conversation = async (id: string) =>
    (await t.http<ConversationDto>('GET', `/api/v1/conversations/${id}`, { token: agent() })).body;
  const messagesOf = async (id: string): Promise<MessageDto[]> =>
    (await t.http('GET', `/api/v1/conversations/${id}/messages?limit=100`, { token: agent() })).body.items;
  const transfer = async (id: string, body: Record<string, unknown> = {}, token = agent()) =>
    t.http('POST', `/api/v1/conversations/${id}/transfer-administration`, {
      token,
      body: {
        administration: PREFECTURE,
        note: 'Renouvellement d’un titre de séjour : compétence de la préfecture.',
        version: (await conversation(id)).version,
        ...body,
      },
    });
  const setSmtp = async () =>
    expect(
      (
        await t.http('PUT', '/api/v1/organization/mail-settings', {
          token: town.admin.token,
          body: orgSmtpSettings(smtp, 'mairie@ville-transferts.fr'),
        })
      ).status,
    ).toBe(200);

  beforeAll(async () => {
    [smtp, t] = await Promise.all([startSmtpCapture(), startTestApp()]);
    town = await seedTown(t);
  });
  afterAll(async () => {
    await t?.close();
    await smtp?.close();
  });

  it('refuses without the town’s outgoing mail, and without a note for the administration; nothing is written', async () => {
    const created = await form();
    const none = await transfer(created.id);
    expect(none.status).toBe(422);
    expect(none.body.message).toContain('serveur de courriel sortant');
    await setSmtp();
    const noNote = await transfer(created.id, { note: '  ' });
    expect(noNote.status).toBe(400);
    expect(JSON.stringify(noNote.body)).toContain('un mot pour l’administration qui reçoit la demande est obligatoire');
    const badEmail = await transfer(created.id, { administration: { name: 'CAF', email: 'pas-une-adresse' } });
    expect(badEmail.status).toBe(400);
    expect((await conversation(created.id)).status).toBe('open');
    expect((await t.db.query(`SELECT count(*)::int AS n FROM administration_transfer`)).rows[0].n).toBe(0);
  });

  it('rolls everything back when the SMTP server refuses the e-mail', async () => {
    await setSmtp();
    const created = await form();
    const before = (await messagesOf(created.id)).length;
    smtp.refuseNext(550, 'Mailbox unavailable');
    const refused = await transfer(created.id);
    expect(refused.status).toBe(503);
    expect(refused.body.message).toContain(PREFECTURE.email);
    const after = await conversation(created.id);
    expect(after.status).toBe('open');
    expect((await messagesOf(created.id)).length).toBe(before);
    expect(
      (await t.db.query(`SELECT count(*)::int AS n FROM administration_transfer WHERE conversation_id = $1`, [created.id]))
        .rows[0].n,
    ).toBe(0);
  });

  it('e-mails the file to the administration, tells the citizen with the L114-2 mention, closes the file and stops its clock', async () => {
    await setSmtp();
    const created = await form();
    // The file had due dates (the service's response target at least).
    await t.db.query(`UPDATE conversation SET decision_due_at = now() + interval '20 days' WHERE id = $1`, [created.id]);
    const res = await transfer(created.id);
    expect(res.status).toBe(201);
    expect(res.body.administration).toEqual(PREFECTURE);

    // The administration's e-mail: the note, the citizen and how to reach them, the exchange.
    const raw = await expectEventually(async () => {
      const m = smtp.messages.find((x) => x.to.includes(PREFECTURE.email));
      expect(m).toBeDefined();
      return m!;
    });
    const mail = (await parseEmail(raw.raw, { channelId: 'x' })).inbound;
    expect(mail.subject).toBe(
      `Transmission d’une demande (article L114-2 du CRPA) — ${created.reference} — Ville ${town.org.slug}`,
    );
    expect(mail.text).toContain('Renouvellement d’un titre de séjour : compétence de la préfecture.');
    expect(mail.text).toContain('article L114-2 du code des relations entre le public et l’administration');
    expect(mail.text).toContain('Usager : Amina Diallo');
    expect(mail.text).toContain(`Courriel : ${created.email}`);
    expect(mail.text).toContain('mon titre de séjour expire le mois prochain');
    expect(raw.text).toMatch(/^Auto-Submitted: auto-generated/im);

    // The file: closed, no due date any more, the citizen's message and the timeline line.
    // The new file's due-date job may run after the transfer (it did, now and then, in CI): it sets none.
    await t.app.get(DeadlineListener).initialize(town.org.id, created.id);
    const after = await conversation(created.id);
    expect(after.status).toBe('closed');
    expect(after.decisionDueAt).toBeNull();
    expect(after.responseDueAt).toBeNull();
    const messages = await messagesOf(created.id);
    const notice = messages.find((m) => m.id === res.body.citizenMessageId)!;
    expect(notice.kind).toBe('message');
    expect(notice.channelKind).toBe('webform');
    expect(notice.body).toContain(`Votre demande ${created.reference} relève de la compétence de : ${PREFECTURE.name}.`);
    expect(notice.body).toContain("Conformément à l'article L114-2 du code des relations entre le public et l'administration");
    expect(notice.body).toContain(PREFECTURE.email);
    const line = messages.find((m) => m.kind === 'event')!;
    expect(line.body).toContain(`Demande transmise à ${PREFECTURE.name} (${PREFECTURE.email})`);
    expect(line.body).toContain('compétence de la préfecture');

    // Published on the citizen's tracking page (the form's channel), and the citizen e-mailed about it.
    await expectEventually(async () =>
      expect((await messagesOf(created.id)).find((m) => m.id === notice.id)!.status).toBe('sent'),
    );
    const page = (await t.http('GET', `/api/v1/public/requests/${created.reference}?token=${created.trackingToken}`)).body;
    expect(page.messages.map((m: { body: string }) => m.body)).toEqual([
      expect.stringContaining('mon titre de séjour'),
      expect.stringContaining('article L114-2'),
    ]);
    await expectEventually(async () => expect(smtp.messages.some((x) => x.to.includes(created.email))).toBe(true));

    const { rows } = await t.db.query(
      `SELECT administration_name, administration_email, agent_id FROM administration_transfer WHERE conversation_id = $1`,
      [created.id],
    );
    expect(rows).toEqual([
      { administration_name: PREFECTURE.name, administration_email: PREFECTURE.email, agent_id: town.agentEC.id },
    ]);
    const audit = await t.db.query(
      `SELECT count(*)::int AS n FROM audit_event WHERE action = 'conversation.transferred_to_administration' AND conversation_id = $1`,
      [created.id],
    );
    expect(audit.rows[0].n).toBe(1);

    // Closed as « transmise » to the préfecture: the DTO says so.
    const closed = await t.http('GET', `/api/v1/conversations/${created.id}`, { token: agent() });
    expect(closed.body).toMatchObject({ status: 'closed', transmittedTo: PREFECTURE.name });

    // Once transferred, it is closed: not twice.
    const again = await transfer(created.id);
    expect(again.status).toBe(409);
    // Reopened, it is the town's again.
    const reopened = await t.http('PATCH', `/api/v1/conversations/${created.id}`, {
      token: agent(),
      body: { status: 'open', version: closed.body.version },
    });
    expect(reopened.status).toBe(200);
    expect(reopened.body).toMatchObject({ status: 'open', transmittedTo: null });
  });

  it('forwards the whole file as one message (.eml, message/rfc822): the history as its body, the citizen’s documents attached; the agent downloads the same', async () => {
    await setSmtp();
    const passport = Buffer.from('%PDF-1.4 titre de séjour scanné', 'utf8');
    const photo = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3, 4, 0, 0x80, 0xfe]);
    const created = await form([
      { name: 'titre-de-sejour.pdf', type: 'application/pdf', content: passport },
      { name: 'photo.jpg', type: 'image/jpeg', content: photo },
    ]);
    const note = await t.http('POST', `/api/v1/conversations/${created.id}/messages`, {
      token: agent(),
      body: { kind: 'note', body: 'Note interne <b>à ne pas transmettre</b>', version: (await conversation(created.id)).version },
    });
    expect(note.status).toBe(201);
    const download = () =>
      fetch(`${t.url}/api/v1/conversations/${created.id}/transfer-administration/file`, {
        headers: { authorization: `Bearer ${agent()}` },
      });
    // Never transferred: no file to download.
    expect((await download()).status).toBe(404);
    expect((await transfer(created.id)).status).toBe(201);
    const raw = await expectEventually(async () => {
      const m = smtp.messages.find((x) => x.to.includes(PREFECTURE.email) && x.text.includes(created.reference));
      expect(m).toBeDefined();
      return m!;
    });
    const mail = await simpleParser(raw.raw);
    // One attachment, the message itself, not re-encoded (RFC 2046 5.2.1).
    expect(mail.attachments.map((a) => [a.filename, a.contentType, a.contentDisposition])).toEqual([
      [transferFileName(created.reference), 'message/rfc822', 'attachment'],
    ]);
    expect(raw.text).toMatch(/^Content-Type: message\/rfc822[^]*?^Content-Transfer-Encoding: 7bit/m);
    expect(mail.text).toContain(
      `Joint à ce courriel : le dossier complet (${transferFileName(created.reference)}, qui s’ouvre dans toute messagerie), avec l’historique des échanges et les pièces de l’usager : titre-de-sejour.pdf`,
    );

    const checkFile = async (eml: Buffer) => {
      const file = await simpleParser(eml);
      expect(file.subject).toBe(`Demande ${created.reference} transmise par Ville ${town.org.slug}`);
      expect(file.from?.value[0]?.address).toBe('mairie@ville-transferts.fr');
      expect(file.to && !Array.isArray(file.to) ? file.to.value[0]?.address : null).toBe(PREFECTURE.email);
      // The readable history: the HTML page as its body, and the same as text.
      expect(file.html).toContain('<html lang="fr">');
      expect(file.html).toContain(`Demande ${created.reference} transmise par Ville ${town.org.slug}`);
      expect(file.html).toContain('mon titre de séjour expire le mois prochain');
      expect(file.html).toContain(created.email);
      expect(file.text).toContain('Usager : Amina Diallo');
      expect(file.text).toContain(`Courriel : ${created.email}`);
      expect(file.text).toContain('mon titre de séjour expire le mois prochain');
      expect(file.text).toContain('(pièces jointes : titre-de-sejour.pdf, photo.jpg)');
      // Never the agents' notes, nor what the town wrote after the transfer (its notice to the citizen).
      for (const body of [file.html as string, file.text!]) {
        expect(body).not.toContain('à ne pas transmettre');
        expect(body).not.toContain('relève de la compétence de');
      }
      // The citizen's documents, byte for byte.
      const byName = new Map(file.attachments.map((a) => [a.filename, a]));
      expect([...byName.keys()].sort()).toEqual(['photo.jpg', 'titre-de-sejour.pdf']);
      expect(byName.get('titre-de-sejour.pdf')!.content).toEqual(passport);
      expect(byName.get('titre-de-sejour.pdf')!.contentType).toBe('application/pdf');
      expect(byName.get('photo.jpg')!.content).toEqual(photo);
    };
    const sent = mail.attachments[0]!.content;
    await checkFile(sent);

    // The agent downloads the file that was sent: the same message, the download audited.
    const res = await download();
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('message/rfc822');
    expect(res.headers.get('content-disposition')).toContain(`filename="${transferFileName(created.reference)}"`);
    const downloaded = Buffer.from(await res.arrayBuffer());
    await checkFile(downloaded);
    expect((await simpleParser(downloaded)).text).toBe((await simpleParser(sent)).text);
    const audit = await t.db.query(
      `SELECT agent_id FROM audit_event WHERE action = 'conversation.transfer_downloaded' AND conversation_id = $1`,
      [created.id],
    );
    expect(audit.rows).toEqual([{ agent_id: town.agentEC.id }]);
    // Only for agents who may read the file.
    const other = await fetch(`${t.url}/api/v1/conversations/${created.id}/transfer-administration/file`, {
      headers: { authorization: `Bearer ${town.agentSco.token}` },
    });
    expect(other.status).toBe(404);
  });

  it('forwards the whole history of a long file: its first message too, past the 500 read at a time', async () => {
    await setSmtp();
    const created = await form();
    // 600 later messages of the citizen, a second apart after the request.
    await t.db.query(
      `INSERT INTO message (organization_id, conversation_id, direction, kind, body, status, created_at)
       SELECT c.organization_id, c.id, 'inbound', 'message', 'Relance n° ' || n, 'received', c.created_at + n * interval '1 second'
         FROM conversation c, generate_series(1, 600) n WHERE c.id = $1`,
      [created.id],
    );
    expect((await transfer(created.id)).status).toBe(201);
    const raw = await expectEventually(async () => {
      const m = smtp.messages.find((x) => x.to.includes(PREFECTURE.email) && x.text.includes(created.reference));
      expect(m).toBeDefined();
      return m!;
    });
    const file = await simpleParser((await simpleParser(raw.raw)).attachments[0]!.content);
    expect(file.text).toContain('mon titre de séjour expire le mois prochain');
    expect(file.text).toContain('Relance n° 1\n');
    expect(file.text).toContain('Relance n° 600');
    // Oldest first.
    expect(file.text!.indexOf('mon titre de séjour')).toBeLessThan(file.text!.indexOf('Relance n° 1\n'));
  });

  it('forwards a letter with its sender’s postal address and the town’s posted letters, never one not posted yet', async () => {
    await setSmtp();
    await t.newChannel({ organizationId: town.org.id, teamId: town.etatCivil.id, kind: 'letter' });
    const letter = new FormData();
    for (const [k, v] of Object.entries({
      receivedOn: new Date().toISOString().slice(0, 10),
      name: 'Marcel Papier',
      address: '7 rue de la Poste\n99000 Démo',
      teamId: town.etatCivil.id,
      subject: 'Carte grise',
      summary: 'Demande de duplicata de carte grise après un vol.',
    }))
      letter.append(k, v);
    letter.append('scan', new Blob([Buffer.from('%PDF-1.4\n% courrier scanné\n')], { type: 'application/pdf' }), 'courrier.pdf');
    const registered = await t.http<ConversationDto>('POST', '/api/v1/letters', { token: agent(), form: letter });
    expect(registered.status).toBe(201);
    const id = registered.body.id;
    await t.settled();
    const write = async (body: string) => {
      const res = await t.http<MessageDto>('POST', `/api/v1/conversations/${id}/messages`, {
        token: agent(),
        body: { kind: 'reply', body, version: (await conversation(id)).version },
      });
      expect(res.status).toBe(201);
      return res.body.id;
    };
    const sent = await write('Monsieur,\n\nles cartes grises relèvent de l’ANTS : nous lui transmettons votre courrier.');
    const posted = await t.http<MessageDto>('POST', `/api/v1/conversations/${id}/messages/${sent}/posted`, { token: agent() });
    expect(posted.status).toBe(200);
    const draft = await write('Brouillon jamais posté : votre duplicata sera prêt lundi.');

    const res = await transfer(id, { administration: { name: 'ANTS', email: 'ants-transferts@interieur.gouv.fr' } });
    expect(res.status).toBe(201);
    const raw = await expectEventually(async () => {
      const m = smtp.messages.find((x) => x.to.includes('ants-transferts@interieur.gouv.fr'));
      expect(m).toBeDefined();
      return m!;
    });
    const mail = (await parseEmail(raw.raw, { channelId: 'x' })).inbound;
    expect(mail.text).toContain('Usager : Marcel Papier');
    expect(mail.text).toContain('Adresse postale : 7 rue de la Poste, 99000 Démo');
    expect(mail.text).toContain('Demande de duplicata de carte grise');
    expect(mail.text).toContain('les cartes grises relèvent de l’ANTS');
    expect(mail.text).toMatch(/\(courrier posté le \d{1,2} \S+ \d{4}/);
    // The letter written but never posted told the citizen nothing: the other administration does not read it.
    expect(mail.text).not.toContain('Brouillon jamais posté');
    const file = await simpleParser(
      Buffer.from(mail.attachments!.find((a) => a.fileName === transferFileName(registered.body.reference))!.content),
    );
    const page = file.html as string;
    expect(page).toContain('7 rue de la Poste, 99000 Démo');
    expect(page).toContain('les cartes grises relèvent de l’ANTS');
    expect(page).not.toContain('Brouillon jamais posté');
    // The citizen is told by a letter, to print and post like the others.
    const after = await messagesOf(id);
    const notice = after.find((m) => m.id === res.body.citizenMessageId)!;
    expect(notice).toMatchObject({ channelKind: 'letter', status: 'queued' });
    expect(notice.body).toContain('ANTS');
    const printable = (message: string) =>
      t.http('GET', `/api/v1/conversations/${id}/messages/${message}/letter`, { token: agent() });
    expect((await printable(notice.id)).status).toBe(200);

    // The town's letter not posted is withdrawn: the ANTS answers now, the citizen was told so. It
    // says why, and is neither printed, nor posted, nor sent again; the posted one stays as it was.
    expect(after.find((m) => m.id === draft)).toMatchObject({
      status: 'failed',
      error: expect.stringMatching(/^demande transmise à ANTS le \d{1,2}(er)? \p{L}+ \d{4} \(article L114-2 du CRPA\)$/u),
    });
    expect(after.find((m) => m.id === sent)).toMatchObject({ status: 'sent', postedAt: expect.any(String) });
    const print = await printable(draft);
    expect(print.status).toBe(409);
    expect(JSON.stringify(print.body)).toContain(
      'ce courrier n’a pas été posté et ne doit plus l’être : demande transmise à ANTS',
    );
    const post = await t.http('POST', `/api/v1/conversations/${id}/messages/${draft}/posted`, { token: agent() });
    expect(post.status).toBe(409);
    const retry = await t.http('POST', `/api/v1/conversations/${id}/messages/${draft}/retry`, { token: agent() });
    expect(retry.status).toBe(400);
    const { rows } = await t.db.query(`SELECT status, meta ? 'postedAt' AS posted FROM message WHERE id = $1`, [draft]);
    expect(rows).toEqual([{ status: 'failed', posted: false }]);
    // The timeline's line of the transfer and its audit say so.
    const line = after.find((m) => m.kind === 'event' && m.body.startsWith('Demande transmise à ANTS'))!;
    expect(line.body).toContain('Le courrier de la mairie qui n’était pas encore posté est retiré : il ne sera pas envoyé.');
    const audit = await t.db.query(
      `SELECT data->'withdrawnLetters' AS withdrawn FROM audit_event
        WHERE conversation_id = $1 AND action = 'conversation.transferred_to_administration'`,
      [id],
    );
    expect(audit.rows).toEqual([{ withdrawn: [draft] }]);
  });

  it('leaves out the documents beyond the e-mail’s size, oldest first kept, and names them', () => {
    const files = [
      { fileName: 'a.pdf', size: 6 },
      { fileName: 'b.pdf', size: 5 },
      { fileName: 'c.pdf', size: 3 },
    ];
    expect(transferFiles(files, 10)).toEqual({ attached: [files[0], files[2]], leftOut: [files[1]] });
    expect(transferFiles(files, 100).leftOut).toEqual([]);
  });

  it('lets only a supervisor forward a colleague’s file; the other services’ agents do not see it', async () => {
    await setSmtp();
    const created = await form();
    await t.db.query(`UPDATE conversation SET assignee_id = $2 WHERE id = $1`, [created.id, town.supervisor.id]);
    expect((await transfer(created.id)).status).toBe(403);
    expect((await transfer(created.id, {}, town.agentSco.token)).status).toBe(404);
    expect((await transfer(created.id, {}, town.supervisor.token)).status).toBe(201);
  });
});
