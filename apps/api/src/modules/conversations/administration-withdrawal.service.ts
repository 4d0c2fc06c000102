import { Injectable } from '@nestjs/common';
import type { AuthAgent } from '../../common/auth-agent';
import { AuditRepository } from '../../infra/audit/audit.repository';
import { OrganizationMail } from '../organizations/organization-mail.service';
import { ConversationRepository } from './conversation.repository';
import { ConversationWriter, type WriterTx } from './conversation-writer.service';

const when = (d: Date) =>
  new Intl.DateTimeFormat('fr-FR', { timeZone: 'Europe/Paris', dateStyle: 'long', timeStyle: 'short' }).format(d);

/** The e-mail telling an administration that a request forwarded to it is taken back by the town. */
export function administrationWithdrawalMail(f: {
  organization: string;
  team: string;
  reference: string;
  transferredAt: Date;
  agent: string;
}): { subject: string; text: string } {
  const text = [
    'Madame, Monsieur,',
    '',
    `Le ${when(f.transferredAt)}, ${f.organization} vous a transmis la demande ${f.reference} au titre de l’article L114-2 du code des relations entre le public et l’administration.`,
    '',
    `Cette transmission est retirée : ${f.organization} reprend l’instruction de la demande. Nous vous remercions de ne pas y donner suite et de ne pas tenir compte de notre précédent courriel.`,
    '',
    `Référence chez nous : ${f.reference}`,
    '',
    `${f.agent}, ${f.team} — ${f.organization}`,
  ];
  return {
    subject: `Retrait d’une transmission (article L114-2 du CRPA) — ${f.reference} — ${f.organization}`,
    text: text.join('\n'),
  };
}

/**
 * A file forwarded to another administration and reopened by the town: the administration is
 * told by e-mail (the organization's outgoing mail, like the transfer; a refusal rolls the
 * reopening back), once per transfer, and the timeline says so. In the caller's transaction.
 */
@Injectable()
export class AdministrationWithdrawals {
  constructor(
    private readonly repo: ConversationRepository,
    private readonly writer: ConversationWriter,
    private readonly audit: AuditRepository,
    private readonly mail: OrganizationMail,
  ) {}

  /** The timeline line's id, or null when no transfer was left to withdraw. */
  async withdraw(
    tx: WriterTx,
    agent: AuthAgent,
    row: { id: string; reference: string; contact_id: string },
  ): Promise<string | null> {
    const org = agent.organizationId;
    const transfer = await this.repo.withdrawAdministrationTransfer(tx.m, row.id, agent.id);
    if (!transfer) return null;
    const facts = await this.repo.transferFacts(tx.m, row.id);
    const mail = administrationWithdrawalMail({
      organization: facts.organization,
      team: facts.team,
      reference: row.reference,
      transferredAt: transfer.transferred_at,
      agent: agent.name,
    });
    await this.mail.send(tx.m, org, { to: transfer.email, ...mail });
    const lineId = await this.writer.insertMessage(tx, {
      organizationId: org,
      conversationId: row.id,
      direction: 'outbound',
      kind: 'event',
      channelId: null,
      authorAgentId: agent.id,
      body: `Transmission à ${transfer.name} retirée : la demande est reprise par la commune ; ${transfer.name} en est informée par courriel (${transfer.email}, référence ${row.reference}).`,
      status: 'sent',
      meta: { administrationWithdrawal: { transferId: transfer.id, name: transfer.name, email: transfer.email } },
    });
    await this.audit.record(
      {
        organizationId: org,
        agentId: agent.id,
        action: 'conversation.administration_transfer_withdrawn',
        conversationId: row.id,
        contactId: row.contact_id,
        data: { transferId: transfer.id, name: transfer.name, email: transfer.email },
      },
      tx.m,
    );
    return lineId;
  }
}
