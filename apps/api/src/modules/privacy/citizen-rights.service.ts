import { Injectable } from '@nestjs/common';
import type { ContactErasureDto } from '@guichet/contracts';
import { isManager, type AuthAgent } from '../../common/auth-agent';
import { notFound } from '../../common/errors';
import { AuditRepository } from '../../infra/audit/audit.repository';
import { BlobStore } from '../blobs/blob-store';
import { OrphanBlobs } from '../blobs/orphan-blobs.service';
import { ConversationWriter } from '../conversations/conversation-writer.service';
import { MailboxCopies } from '../email/mailbox-copies.service';
import { OrganizationSettingsService } from '../organizations/organization-settings.service';
import { CitizenFileRepository } from './citizen-file.repository';
import { exportZip, type CitizenFile } from './citizen-export';
import { contactPatterns, scrubRaw } from './erasure-scrub';
import { ErasureScrubRepository, type ErasureScrubCounts } from './erasure-scrub.repository';
import { RetentionRepository } from './retention.repository';
import { RetentionService } from './retention.service';
import { ProcessingRestrictionRepository } from './processing-restriction.repository';
import { ProcessingRestrictions } from './processing-restrictions.service';

/**
 * Citizens' rights (RGPD art. 15–21): the export of everything Guichet holds on a citizen (access
 * and portability, with their limitations and objections, in force and lifted) and erasure now, except what a legal hold keeps. Supervisors and admins act on
 * a rights request; both actions are audited.
 */
@Injectable()
export class CitizenRightsService {
  constructor(
    private readonly writer: ConversationWriter,
    private readonly files: CitizenFileRepository,
    private readonly retentionRepo: RetentionRepository,
    private readonly retention: RetentionService,
    private readonly audit: AuditRepository,
    private readonly store: BlobStore,
    private readonly blobs: OrphanBlobs,
    private readonly organizations: OrganizationSettingsService,
    private readonly scrub: ErasureScrubRepository,
    private readonly restrictions: ProcessingRestrictions,
    private readonly restrictionRecords: ProcessingRestrictionRepository,
    private readonly mailboxCopies: MailboxCopies,
  ) {}

  /** The ZIP (JSON + readable HTML + attachments) and a file name for it. */
  async export(agent: AuthAgent, contactId: string): Promise<{ fileName: string; zip: Uint8Array }> {
    if (!isManager(agent)) throw notFound('citoyen');
    const contact = await this.files.contact(agent.organizationId, contactId);
    if (!contact) throw notFound('citoyen');
    const conversations = await this.files.conversations(agent.organizationId, contactId);
    const ids = conversations.map((c) => c.id);
    // The export is itself recorded first, so the file lists it among who looked.
    await this.audit.record({
      organizationId: agent.organizationId,
      agentId: agent.id,
      action: 'contact.exported',
      contactId,
      data: { conversations: ids.length },
    });
    const [identities, messages, attachments, satisfaction, views, organization, restrictions] = await Promise.all([
      this.files.identities(contactId),
      this.files.messages(ids),
      this.files.attachments(ids),
      this.files.satisfaction(ids),
      this.files.views(agent.organizationId, contactId, ids),
      this.organizations.name(agent.organizationId),
      this.restrictionRecords.list(agent.organizationId, contactId),
    ]);
    const file: CitizenFile = {
      organization,
      generatedAt: new Date(),
      contact,
      identities,
      conversations,
      messages,
      attachments,
      satisfaction,
      views,
      restrictions,
    };
    const bytes = new Map<string, Uint8Array>();
    for (const sha256 of new Set(attachments.map((a) => a.sha256))) {
      const content = await this.store.get(sha256).catch(() => null);
      if (content) bytes.set(sha256, content);
    }
    return { fileName: `donnees-${contactId.slice(0, 8)}.zip`, zip: exportZip(file, bytes) };
  }

  /**
   * Erasure now: every conversation of the citizen not on legal hold is anonymized (whatever its
   * status), and the citizen too when none is kept (with the files merged into theirs); the mails
   * from their addresses a mailbox's quarantine kept, and the delivery reports naming those
   * addresses, are removed. Then their addresses, numbers and name go from everything else of the
   * organization (ErasureScrubRepository: other files' messages and e-mail copies, registrations,
   * audit details, merges, mailbox traces, failed webhooks, the mail log), except the conversations
   * a legal hold keeps. What is kept is returned with its reason.
   */
  async erase(agent: AuthAgent, contactId: string): Promise<ContactErasureDto> {
    if (!isManager(agent)) throw notFound('citoyen');
    const now = new Date();
    const { result, blobs } = await this.writer.tx(async (tx) => {
      const { m } = tx;
      // The writer's order: the citizen's identity locks, then the file, then its conversations.
      await this.writer.lockCitizens(tx, [contactId]);
      const contact = await this.retentionRepo.lockContact(m, agent.organizationId, contactId);
      if (!contact) throw notFound('citoyen');
      // Art. 18: kept at the citizen's request; lifted first (the citizen told), then erased.
      await this.restrictions.assertProcessable(
        m,
        [contactId],
        'l’effacement est impossible (levez d’abord la limitation, l’usager en est prévenu)',
      );
      // What identifies them, read before their identities go.
      const terms = await this.scrub.terms(m, agent.organizationId, [contactId]);
      // The mails from their addresses a mailbox's quarantine kept (no legal hold covers those), and
      // the mailbox's copies of them (after the commit).
      const quarantined = await this.retentionRepo.dropQuarantinedFrom(m, [contactId]);
      await this.mailboxCopies.queueQuarantinedRemoval(m, quarantined, { cause: 'erasure', contactId });
      // The delivery reports naming their addresses (about nothing Guichet sent), kept beside a mailbox's activity.
      const mailReports = await this.retentionRepo.dropMailReportsAbout(m, [contactId]);
      const rows = await this.retentionRepo.contactConversations(m, agent.organizationId, contactId);
      const kept = rows.filter((r) => r.legal_hold_reason !== null && !r.anonymized_at);
      const due = rows.filter((r) => r.legal_hold_reason === null && !r.anonymized_at);
      const done = due.length
        ? await this.retention.apply(tx, due, now, agent.id, 'erasure')
        : { blobs: [], contacts: 0, anonymized: 0 };
      // The events delivered about those files, kept by the job queue a week.
      const deliveredEvents = due.length
        ? await this.retentionRepo.dropDeliveredEvents(
            due.map((d) => d.id),
            m,
          )
        : 0;
      let contactAnonymized = done.contacts > 0 || contact.anonymized_at !== null;
      if (!kept.length && !contactAnonymized)
        // Their quarantined mails went above.
        contactAnonymized = (await this.retentionRepo.anonymizeUnneededContacts(m, [contactId], now)).ids.length > 0;
      const held = kept.map((k) => k.id);
      if (contactAnonymized)
        await this.scrub.anonymizeMergedFiles(
          m,
          terms.contactIds.filter((id) => id !== contactId),
          now,
        );
      const patterns = contactPatterns(terms);
      const elsewhere: ErasureScrubCounts = {
        ...(await this.scrub.scrub(m, {
          organizationId: agent.organizationId,
          contactIds: terms.contactIds,
          emails: terms.emails,
          phones: terms.phones,
          ...patterns,
          held,
        })),
        emailCopies: 0,
      };
      // E-mail copies (message/rfc822 attachments) in other files naming their addresses or numbers:
      // rewritten without those nor their name; the old bytes are released after the commit.
      const replacedBlobs: string[] = [];
      if (patterns.reach)
        for (const copy of await this.scrub.emailCopies(m, agent.organizationId, held)) {
          const bytes = await this.store.get(copy.sha256).catch(() => null);
          const clean = bytes && scrubRaw(bytes, patterns.reach, patterns.all);
          if (!clean) continue;
          const stored = await this.store.put(clean);
          await this.scrub.replaceBlob(m, copy.id, stored.sha256, stored.size);
          replacedBlobs.push(copy.sha256);
          elsewhere.emailCopies++;
        }
      const result: ContactErasureDto = {
        conversationsAnonymized: done.anonymized,
        contactAnonymized,
        kept: kept.map((k) => ({ conversationId: k.id, reference: k.reference, reason: k.legal_hold_reason! })),
      };
      await this.audit.record(
        {
          organizationId: agent.organizationId,
          agentId: agent.id,
          action: 'contact.erased',
          contactId,
          data: {
            conversationsAnonymized: done.anonymized,
            kept: result.kept.map((k) => k.reference),
            quarantinedMails: quarantined.length,
            mailReports,
            deliveredEvents,
            elsewhere,
          },
        },
        m,
      );
      return { result, blobs: [...done.blobs, ...replacedBlobs] };
    });
    if (blobs.length) await this.blobs.release(blobs);
    return result;
  }
}
