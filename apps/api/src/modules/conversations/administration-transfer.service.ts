import { Injectable } from '@nestjs/common';
import {
  addressLines,
  administrationTransferNotice,
  awaitsPosting,
  countedOf,
  isTownLetter,
  frenchLongDateOf,
  tooLongFor,
  type AdministrationTransferDto,
  type ConversationDto,
  type MessageDto,
  type OrgMailSettingsDto,
  type TransferToAdministrationInput,
} from '@guichet/contracts';
import { composeEml, type OrganizationMailAttachment } from '@guichet/channels';
import { isManager, type AuthAgent } from '../../common/auth-agent';
import { Database } from '../../common/database';
import { html } from '../../common/html';
import { AdministrationService } from '../administrations/administration.service';
import { BlobStore } from '../blobs/blob-store';
import { AppError, badRequest, forbidden, notFound, staleVersion } from '../../common/errors';
import { AuditRepository } from '../../infra/audit/audit.repository';
import { domainEvent } from '../events/domain-events';
import { OrganizationMail } from '../organizations/organization-mail.service';
import { AgentMessages } from '../outbound/agent-messages.service';
import { SignatureService } from '../signatures/signature.service';
import { canRead } from './conversation-access';
import { toConversationDto } from './conversation.mapper';
import { ConversationRepository } from './conversation.repository';
import { ConversationService } from './conversation.service';
import { ConversationWriter } from './conversation-writer.service';
import { MessageRepository } from './message.repository';
import { ProcessingRestrictions } from '../privacy/processing-restrictions.service';

const when = (iso: string) =>
  new Intl.DateTimeFormat('fr-FR', { timeZone: 'Europe/Paris', dateStyle: 'long', timeStyle: 'short' }).format(new Date(iso));

/**
 * The citizen's documents forwarded with the request, at most this many bytes in all (an e-mail of
 * about 20 MB once encoded, what most administrations' servers accept); the others are named in
 * the e-mail as kept by the town, to be asked for.
 */
export const TRANSFER_ATTACHMENTS_MAX_BYTES = 15 * 1024 * 1024;

interface TransferFile {
  fileName: string;
  size: number;
}

const sizeText = (bytes: number) =>
  bytes < 1024 * 1024
    ? `${Math.max(1, Math.round(bytes / 1024))} Ko`
    : `${(bytes / 1024 / 1024).toFixed(1).replace('.', ',')} Mo`;

/** The exchange's files, oldest first, split into those that fit in the e-mail and those left out. */
export function transferFiles<T extends TransferFile>(
  files: T[],
  maxBytes = TRANSFER_ATTACHMENTS_MAX_BYTES,
): { attached: T[]; leftOut: T[] } {
  const attached: T[] = [];
  const leftOut: T[] = [];
  let total = 0;
  for (const f of files) {
    if (total + f.size <= maxBytes) {
      attached.push(f);
      total += f.size;
    } else leftOut.push(f);
  }
  return { attached, leftOut };
}

/**
 * What the competent administration is sent of the exchange: what the citizen wrote and what the
 * town hall actually told them. A letter of the town hall not posted yet told them nothing (the
 * citizen's tracking page does not show it either): left out, not forwarded as if sent.
 */
export function forwardedHistory(history: MessageDto[]): MessageDto[] {
  return history.filter((m) => !awaitsPosting(m));
}

/** « (courrier posté le …) » after a letter of the town hall, for the reader to know when the citizen got it. */
const posted = (m: MessageDto) => (isTownLetter(m) && m.postedAt ? ` (courrier posté le ${when(m.postedAt)})` : '');

/** The postal address a citizen's letter came from (the first letter's), on one line; null when none came by post. */
function postalAddress(history: MessageDto[]): string | null {
  const letter = history.find((m) => m.direction === 'inbound' && m.letter)?.letter;
  return letter ? addressLines(letter.sender.address).join(', ') : null;
}

/** The name of the request's file sent to the competent administration: one message (.eml) any mail program opens. */
export const transferFileName = (reference: string) => `demande-${reference}.eml`;

/** What the request's file is written from. */
interface TransferredFile {
  organization: string;
  team: string;
  conversation: ConversationDto;
  identities: { kind: string; value: string }[];
  history: MessageDto[];
}

/** Who asks, the démarche, the dates: the head of the request's file. */
function fileRows(f: TransferredFile): [string, string][] {
  const c = f.conversation;
  const address = postalAddress(f.history);
  return [
    ['Référence', c.reference],
    ['Reçue le', when(c.createdAt)],
    ...(c.subject ? ([['Objet', c.subject]] as [string, string][]) : []),
    ...(c.requestType ? ([['Démarche', c.requestType.name]] as [string, string][]) : []),
    ['Usager', c.contact.name ?? 'nom non communiqué'],
    ...f.identities.map((i): [string, string] => [i.kind === 'email' ? 'Courriel' : 'Téléphone', i.value]),
    ...(address ? ([['Adresse postale', address]] as [string, string][]) : []),
    ['Service', `${f.team} — ${f.organization}`],
  ];
}

/** The exchange as text, oldest first: each message with its date, its author and its files' names. */
function exchangeLines(f: Pick<TransferredFile, 'organization' | 'history'>): string[] {
  return f.history.flatMap((m) => {
    const files = m.attachments.length ? [`(pièces jointes : ${m.attachments.map((a) => a.fileName).join(', ')})`] : [];
    const who = m.direction === 'inbound' ? 'Usager' : f.organization;
    return [`— ${when(m.createdAt)}, ${who}${posted(m)} :`, m.body.trim(), ...files, ''];
  });
}

/**
 * The request's file as a self-contained HTML page (the competent administration files or prints
 * it): who asks, the démarche, the dates, then every message of the exchange with its documents.
 */
export function administrationTransferSummary(f: TransferredFile): string {
  const c = f.conversation;
  const rows = fileRows(f);
  const page = html`<!doctype html>
<html lang="fr">
<head><meta charset="utf-8"><title>Demande ${c.reference} — ${f.organization}</title>
<style>body{font-family:system-ui,sans-serif;max-width:48rem;margin:2rem auto;color:#1a1a1a;line-height:1.5}
th{text-align:left;padding-right:1rem;vertical-align:top}article{border-top:1px solid #767676;padding:.5rem 0}
.body{white-space:pre-wrap}h1{font-size:1.4rem}h2{font-size:1.1rem}</style></head>
<body>
<h1>Demande ${c.reference} transmise par ${f.organization}</h1>
<p>Transmise au titre de l’article L114-2 du code des relations entre le public et l’administration.</p>
<table>${rows.map(([k, v]) => html`<tr><th scope="row">${k}</th><td>${v}</td></tr>`)}</table>
<h2>Échanges (${f.history.length})</h2>
${f.history.map(
  (m) => html`<article>
<h3>${when(m.createdAt)} — ${m.direction === 'inbound' ? 'Usager' : f.organization}${posted(m)}</h3>
<div class="body">${m.body.trim()}</div>
${
  m.attachments.length > 0 &&
  html`<p>Pièces jointes : ${m.attachments.map((a, i) => html`${i ? ', ' : ''}${a.fileName} (${sizeText(a.size)})`)}</p>`
}
</article>`,
)}
</body>
</html>
`;
  return page.value;
}

/**
 * The request's file as one RFC 822 message (.eml) that any mail program opens: the readable
 * history as its HTML body (administrationTransferSummary) and text body, the citizen's files
 * attached, from the town to the competent administration.
 */
export function administrationTransferEml(
  f: TransferredFile & {
    files: OrganizationMailAttachment[];
    from?: { name: string; address: string };
    to?: { name: string; address: string };
    date: Date;
  },
): Promise<Buffer> {
  const c = f.conversation;
  const title = `Demande ${c.reference} transmise par ${f.organization}`;
  const text = [
    title,
    'Transmise au titre de l’article L114-2 du code des relations entre le public et l’administration.',
    '',
    ...fileRows(f).map(([k, v]) => `${k} : ${v}`),
    '',
    `Échanges (${f.history.length}) :`,
    '',
    ...exchangeLines(f),
  ];
  return composeEml({
    from: f.from,
    to: f.to,
    subject: title,
    date: f.date,
    text: text.join('\n').trimEnd(),
    html: administrationTransferSummary(f),
    attachments: f.files,
    headers: { 'X-Guichet-Reference': c.reference },
  });
}

/**
 * The e-mail that forwards a request to the competent administration (L114-2): the agent's note,
 * who asks and how to reach them, the démarche, the date of first reception (the rejection clock
 * runs from it), then the exchange itself, oldest first (never the agents' notes).
 */
export function administrationTransferMail(f: {
  organization: string;
  team: string;
  conversation: ConversationDto;
  identities: { kind: string; value: string }[];
  note: string;
  agent: string;
  history: MessageDto[];
  /** The documents attached to the e-mail, and those too large to be (named, kept by the town). */
  attached?: TransferFile[];
  leftOut?: TransferFile[];
}): { subject: string; text: string } {
  const c = f.conversation;
  const address = postalAddress(f.history);
  const contact = [
    ...f.identities.map((i) => `${i.kind === 'email' ? 'Courriel' : 'Téléphone'} : ${i.value}`),
    ...(address ? [`Adresse postale : ${address}`] : []),
  ];
  const text = [
    'Madame, Monsieur,',
    '',
    `${f.organization} a reçu une demande qui relève de votre compétence. En application de l’article L114-2 du code des relations entre le public et l’administration, nous vous la transmettons ; l’usager en est informé et sait qu’il recevra votre accusé de réception.`,
    '',
    `Message du service ${f.team} (${f.agent}) :`,
    f.note,
    '',
    `Référence chez nous : ${c.reference}`,
    `Reçue le : ${when(c.createdAt)}`,
    ...(c.subject ? [`Objet : ${c.subject}`] : []),
    ...(c.requestType ? [`Démarche : ${c.requestType.name}`] : []),
    `Usager : ${c.contact.name ?? 'nom non communiqué'}`,
    ...contact,
    '',
    'Échanges :',
    '',
    ...exchangeLines(f),
    `Joint à ce courriel : le dossier complet (${transferFileName(c.reference)}, qui s’ouvre dans toute messagerie), avec l’historique des échanges${
      f.attached?.length
        ? ` et les pièces de l’usager : ${f.attached.map((a) => `${a.fileName} (${sizeText(a.size)})`).join(', ')}`
        : ''
    }.`,
    ...(f.leftOut?.length
      ? [
          `Trop volumineuses pour ce courriel, conservées par nos soins et transmises sur demande : ${f.leftOut
            .map((a) => `${a.fileName} (${sizeText(a.size)})`)
            .join(', ')}.`,
        ]
      : []),
    '',
    `${f.agent}, ${f.team} — ${f.organization}`,
  ];
  return {
    subject: `Transmission d’une demande (article L114-2 du CRPA) — ${c.reference} — ${f.organization}`,
    text: text.join('\n'),
  };
}

/**
 * CRPA L114-2 (issue 13): an agent forwards a request that concerns another administration
 * (préfecture, CAF, département…). In one transaction: the e-mail to that administration through
 * the organization's outgoing mail (a refusal rolls everything back), the citizen told on their
 * channel with the legal mention (a signed reply, sent like any other), a line in the timeline,
 * the file closed with its due dates cleared (the competent body's clock applies now), the record
 * of the transfer and the audit.
 */
@Injectable()
export class AdministrationTransfers {
  constructor(
    private readonly db: Database,
    private readonly repo: ConversationRepository,
    private readonly messages: MessageRepository,
    private readonly conversations: ConversationService,
    private readonly agentMessages: AgentMessages,
    private readonly signatures: SignatureService,
    private readonly writer: ConversationWriter,
    private readonly audit: AuditRepository,
    private readonly mail: OrganizationMail,
    private readonly blobs: BlobStore,
    private readonly administrations: AdministrationService,
    private readonly restrictions: ProcessingRestrictions,
  ) {}

  async transfer(agent: AuthAgent, id: string, input: TransferToAdministrationInput): Promise<AdministrationTransferDto> {
    const org = agent.organizationId;
    const settings = await this.mail.settings(org);
    if (settings.mode !== 'smtp')
      throw new AppError(
        'unprocessable',
        'la mairie n’a pas de serveur de courriel sortant (Administration › Courriels) : la demande ne peut pas être transmise à l’administration compétente',
      );
    return this.db.tx(async (m, afterCommit) => {
      // Picked in the town's directory: its details (address, phone, site) go to the citizen too.
      const entry = input.administrationId ? await this.administrations.find(m, org, input.administrationId) : null;
      if (input.administrationId && !entry)
        throw badRequest('administration inconnue de l’annuaire', [`administrationId: ${input.administrationId}`]);
      const { name, email } = entry ?? input.administration;
      const row = await this.repo.findById(org, id, m, true);
      if (!row || !canRead(agent, row)) throw notFound('conversation');
      if (row.version !== input.version) throw staleVersion(toConversationDto(row));
      // RGPD art. 18: a request the citizen's limitation freezes is not sent to another administration.
      await this.restrictions.assertMayProcess(
        m,
        row.contact_id,
        row.id,
        'la transmission à une autre administration (L114-2) est impossible',
      );
      if (row.status === 'resolved' || row.status === 'closed')
        throw new AppError('conflict', 'cette demande est close : rouvrez-la pour la transmettre');
      if (!(isManager(agent) || row.assignee_id === null || row.assignee_id === agent.id))
        throw forbidden('seul un superviseur peut transmettre une conversation prise par un collègue');
      const channel = await this.conversations.replyChannel(m, row, input.channelId);
      const now = new Date();
      const notice = administrationTransferNotice({
        reference: row.reference,
        administration: entry ?? { name, email },
        date: frenchLongDateOf(now),
      });
      // L111-2: the citizen's message carries the agent's identity, like any reply.
      const body = await this.signatures.sign(m, agent, row.team_id, channel.kind, notice);
      const tooLong = tooLongFor(channel.kind, body);
      if (tooLong) throw badRequest(tooLong);

      const facts = await this.repo.transferFacts(m, id);
      const history = forwardedHistory(await this.messages.all(id, { publicOnly: true }));
      const conversation = toConversationDto(row);
      // The citizen's documents (theirs only: the town's replies are in the summary), oldest first.
      const { attached, leftOut } = transferFiles(history.filter((x) => x.direction === 'inbound').flatMap((x) => x.attachments));
      const mail = administrationTransferMail({
        ...facts,
        conversation,
        note: input.note,
        agent: agent.name,
        history,
        attached,
        leftOut,
      });
      // The file: one message (.eml) with the history and the citizen's files, forwarded as it is (message/rfc822).
      const file = await this.fileOf(facts, conversation, history, attached, {
        settings,
        to: { name, address: email },
        date: now,
      });
      await this.mail.send(m, org, { to: email, ...mail, attachments: [file] });

      const tx = { m, afterCommit };
      // The town's letters not posted yet (its acknowledgement, an answer) are not to be sent: the
      // competent administration acknowledges and answers now, and the citizen is told so below.
      // Withdrawn before that notice is written (which, on paper, is itself a letter to post).
      const withdrawn = await this.writer.withdrawLetters(
        tx,
        org,
        id,
        `demande transmise à ${name} le ${frenchLongDateOf(now)} (article L114-2 du CRPA)`,
        agent.id,
      );
      const { message, conversation: replied } = await this.agentMessages.record(m, afterCommit, agent, {
        conversationId: id,
        contactId: row.contact_id,
        kind: 'reply',
        channel,
        body,
        meta: { administrationTransfer: true },
        audit: { administrationTransfer: { name, email } },
        before: countedOf(toConversationDto(row)),
      });
      const eventId = await this.writer.insertMessage(tx, {
        organizationId: org,
        conversationId: id,
        direction: 'outbound',
        kind: 'event',
        channelId: null,
        authorAgentId: agent.id,
        body: `Demande transmise à ${name} (${email}) au titre de l’article L114-2 du CRPA ; l’usager en est informé.${
          withdrawn.length
            ? withdrawn.length === 1
              ? ' Le courrier de la mairie qui n’était pas encore posté est retiré : il ne sera pas envoyé.'
              : ` Les ${withdrawn.length} courriers de la mairie qui n’étaient pas encore postés sont retirés : ils ne seront pas envoyés.`
            : ''
        } Message à l’administration : ${input.note}`,
        status: 'sent',
        meta: { administrationTransfer: { name, email } },
      });
      // Closed as « transmise »: the competent administration's clock applies from its own reception.
      await this.repo.update(m, id, { status: 'closed', decisionDueAt: null, responseDueAt: null, transmittedTo: name });
      const saved = await this.repo.insertAdministrationTransfer(m, {
        organizationId: org,
        conversationId: id,
        name,
        email,
        agentId: agent.id,
        citizenMessageId: message.id,
        eventMessageId: eventId,
        administrationId: entry?.id ?? null,
      });
      await this.audit.record(
        {
          organizationId: org,
          agentId: agent.id,
          action: 'conversation.transferred_to_administration',
          conversationId: id,
          contactId: row.contact_id,
          data: {
            transferId: saved.id,
            name,
            email,
            ...(entry ? { administrationId: entry.id } : {}),
            ...(withdrawn.length ? { withdrawnLetters: withdrawn } : {}),
          },
        },
        m,
      );
      await this.writer.tell(tx, org, id, eventId, ({ conversation, message: line }) => [
        domainEvent('message.sent', org, { conversation, message: line, newConversation: false, byAgentId: agent.id }),
        domainEvent('conversation.updated', org, {
          conversation,
          change: 'agent',
          previous: { teamId: row.team_id, assigneeId: row.assignee_id, status: row.status },
          // The reply above was told first: the counters had it as the reply left it.
          before: countedOf(replied),
        }),
        domainEvent('conversation.status_changed', org, {
          conversation,
          previousStatus: row.status,
          status: conversation.status,
          byAgentId: agent.id,
        }),
      ]);
      return {
        id: saved.id,
        conversationId: id,
        administration: { name, email },
        transferredAt: saved.created_at.toISOString(),
        citizenMessageId: message.id,
      };
    });
  }

  /**
   * The file of the conversation's latest transfer (L114-2), written again as it was sent to the
   * administration: the exchange until then and the citizen's files that went with it (its head —
   * démarche, the citizen's name and addresses — as they are now; nothing else is kept of it, so an
   * anonymized file gives nothing more). For an agent who may read the file, the download audited;
   * 404 when it was never transferred.
   */
  async transferredFile(agent: AuthAgent, id: string): Promise<OrganizationMailAttachment> {
    const { file, row, transfer } = await this.db.tx(async (m) => {
      const row = await this.repo.findById(agent.organizationId, id, m);
      if (!row || !canRead(agent, row)) throw notFound('conversation');
      const transfer = await this.repo.latestAdministrationTransfer(m, id);
      if (!transfer) throw notFound('transmission à une administration');
      const own = new Set([transfer.citizen_message_id, transfer.event_message_id]);
      // What the administration got: the messages before the transfer (its own two are after it).
      const history = forwardedHistory(await this.messages.all(id, { publicOnly: true })).filter(
        (x) => !own.has(x.id) && new Date(x.createdAt) <= transfer.created_at,
      );
      const { attached } = transferFiles(history.filter((x) => x.direction === 'inbound').flatMap((x) => x.attachments));
      const facts = await this.repo.transferFacts(m, id);
      const to = { name: transfer.administration_name, address: transfer.administration_email };
      return {
        row,
        transfer,
        file: await this.fileOf(facts, toConversationDto(row), history, attached, {
          settings: await this.mail.settings(agent.organizationId),
          to,
          date: transfer.created_at,
        }),
      };
    });
    await this.audit.recordAccess({
      organizationId: agent.organizationId,
      agentId: agent.id,
      action: 'conversation.transfer_downloaded',
      conversationId: id,
      contactId: row.contact_id,
      data: { transferId: transfer.id },
    });
    return file;
  }

  /**
   * The request's file as the .eml attachment of the transfer mail (administrationTransferEml),
   * from the town's outgoing mail address (else its e-mail), to the administration.
   */
  private async fileOf(
    facts: { organization: string; team: string; identities: { kind: string; value: string }[]; email: string },
    conversation: ConversationDto,
    history: MessageDto[],
    attached: MessageDto['attachments'],
    o: { settings: OrgMailSettingsDto; to: { name: string; address: string }; date: Date },
  ): Promise<OrganizationMailAttachment> {
    const files: OrganizationMailAttachment[] = [];
    for (const a of attached)
      files.push({ fileName: a.fileName, contentType: a.contentType, content: await this.blobs.get(a.sha256) });
    const from = o.settings.mode === 'smtp' ? o.settings.fromAddress : facts.email;
    const content = await administrationTransferEml({
      ...facts,
      conversation,
      history,
      files,
      ...(from ? { from: { name: facts.organization, address: from } } : {}),
      to: o.to,
      date: o.date,
    });
    return { fileName: transferFileName(conversation.reference), contentType: 'message/rfc822', content };
  }
}
