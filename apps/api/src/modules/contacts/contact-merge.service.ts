import { Injectable } from '@nestjs/common';
import {
  CONTACT_MERGE_UNDO_DAYS,
  normalizeIdentity,
  type ConfirmContactMergeInput,
  type ContactMergeDto,
  type ContactMergeFilesDto,
  type ContactMergeStatus,
  type IdentityKind,
  type ProposeContactMergeInput,
} from '@guichet/contracts';
import { isManager, type AuthAgent } from '../../common/auth-agent';
import { AppError, badRequest, conflict, forbidden, notFound, uniqueViolation } from '../../common/errors';
import { AuditRepository } from '../../infra/audit/audit.repository';
import { canRead } from '../conversations/conversation-access';
import { ConversationReader } from '../conversations/conversation-reader.service';
import { ConversationWriter, type WriterTx } from '../conversations/conversation-writer.service';
import { ContactMergeRepository, type ContactMergeRow, type MergeContactRow } from './contact-merge.repository';
import { ContactRepository } from './contact.repository';
import { ProcessingRestrictions } from '../privacy/processing-restrictions.service';

/**
 * Contact merge (RGPD and accountability, issue 16). An agent who can see both files proposes
 * merging them (the same person with two e-mail addresses, a phone and an e-mail); a supervisor or
 * an admin other than its author confirms or refuses it (four eyes: a supervisor's own proposal
 * waits for a colleague; its author may withdraw it). Confirming moves the absorbed file's
 * identities and conversations (through ConversationWriter) to the kept one, in one transaction under the identities' locks, so
 * a message arriving meanwhile lands in the kept file. The absorbed contact stays, empty and
 * pointing to the kept one: the audit keeps both ids (one row per file for every step), and an
 * undo within 30 days moves back exactly what moved (and what its identities brought since).
 */
@Injectable()
export class ContactMergeService {
  constructor(
    private readonly merges: ContactMergeRepository,
    private readonly contacts: ContactRepository,
    private readonly conversations: ConversationReader,
    private readonly writer: ConversationWriter,
    private readonly audit: AuditRepository,
    private readonly restrictions: ProcessingRestrictions,
  ) {}

  /** Whether this agent may see the citizen's file (as GET /contacts/:id decides). */
  private async visible(agent: AuthAgent, contactId: string): Promise<boolean> {
    if (!(await this.contacts.find(agent.organizationId, contactId))) return false;
    if (isManager(agent)) return true;
    return (await this.conversations.forContact(agent.organizationId, contactId)).some((c) => canRead(agent, c));
  }

  private assertMergeable(rows: MergeContactRow[], ids: string[]): void {
    if (rows.length !== ids.length) throw notFound('citoyen');
    for (const r of rows) {
      if (r.anonymized_at) throw conflict('un des deux dossiers est anonymisé : il ne peut plus être fusionné');
      if (r.merged_into_id) throw conflict('un des deux dossiers a déjà été fusionné dans un autre');
    }
  }

  async propose(agent: AuthAgent, targetId: string, input: ProposeContactMergeInput): Promise<ContactMergeDto> {
    if (!(await this.visible(agent, targetId))) throw notFound('citoyen');
    let sourceId = input.otherContactId ?? null;
    if (input.otherIdentity) {
      const { kind, value } = input.otherIdentity;
      sourceId = await this.merges.contactOfIdentity(agent.organizationId, kind, normalizeIdentity(kind, value));
      if (!sourceId) throw new AppError('not_found', 'aucun dossier de citoyen ne porte cette coordonnée');
    }
    if (sourceId === targetId) throw badRequest('les deux dossiers sont le même : rien à fusionner');
    if (!sourceId || !(await this.visible(agent, sourceId)))
      throw new AppError('not_found', 'autre dossier de citoyen introuvable (ou hors de vos services)');
    const id = await this.writer.tx(async ({ m }) => {
      this.assertMergeable(await this.merges.lockContacts(m, agent.organizationId, [targetId, sourceId]), [targetId, sourceId]);
      await this.restrictions.assertProcessable(m, [targetId, sourceId], 'la fusion de dossiers est impossible');
      const id = await this.merges.propose(m, {
        organizationId: agent.organizationId,
        targetId,
        sourceId,
        reason: input.reason,
        agentId: agent.id,
      });
      if (!id) throw conflict('une fusion de ces deux dossiers est déjà proposée');
      await this.recordBoth(m, agent, 'contact.merge_proposed', { id, target_contact_id: targetId, source_contact_id: sourceId });
      return id;
    });
    return (await this.merges.find(agent.organizationId, id))!;
  }

  /** Merges involving a citizen (whoever may see the file), or all by status (supervisors, admins). */
  async list(agent: AuthAgent, f: { contactId?: string; status?: ContactMergeStatus }): Promise<ContactMergeDto[]> {
    if (f.contactId) {
      if (!(await this.visible(agent, f.contactId))) throw notFound('citoyen');
    } else if (!isManager(agent)) throw forbidden('la liste des fusions est réservée aux superviseurs et administrateurs');
    return this.merges.list(agent.organizationId, f);
  }

  /** Both files of a merge side by side, for the supervisor who decides (name, identities, conversations, registrations). */
  async files(agent: AuthAgent, id: string): Promise<ContactMergeFilesDto> {
    this.assertManager(agent);
    const merge = await this.merges.find(agent.organizationId, id);
    if (!merge) throw notFound('fusion');
    const [target, source] = await Promise.all([
      this.merges.file(agent.organizationId, merge.target.id),
      this.merges.file(agent.organizationId, merge.source.id),
    ]);
    if (!target || !source) throw notFound('citoyen');
    return { merge, target, source };
  }

  /**
   * Confirms a merge with the supervisor's choices: the name the kept file bears (its own by
   * default, the absorbed one's when it had none) and the identities kept (all by default; those
   * left out are removed, kept whole in the merge for its undo).
   */
  async confirm(agent: AuthAgent, id: string, choice: ConfirmContactMergeInput = {}): Promise<ContactMergeDto> {
    this.assertManager(agent);
    await this.writer.tx(async (tx) => {
      const merge = await this.decidable(tx, agent, id);
      // Four eyes: who proposed a merge does not confirm it (they may withdraw it: reject).
      if (merge.proposed_by === agent.id)
        throw forbidden(
          'vous avez proposé cette fusion : un autre superviseur ou administrateur doit la confirmer (vous pouvez la retirer)',
        );
      const { target_contact_id: to, source_contact_id: from } = merge;
      const identities = await this.merges.identities(tx.m, from);
      const own = await this.merges.identities(tx.m, to);
      const keep = choice.keepIdentityIds ? new Set(choice.keepIdentityIds) : null;
      if (keep) {
        const known = new Set([...identities, ...own].map((i) => i.id));
        if ([...keep].some((i) => !known.has(i)))
          throw badRequest('une coordonnée gardée n’appartient à aucun des deux dossiers');
        if (known.size > 0 && keep.size === 0) throw badRequest('gardez au moins une coordonnée du citoyen');
      }
      const dropped = keep ? [...identities, ...own].filter((i) => !keep.has(i.id)) : [];
      // The identity locks first (the order every ingest path takes them in), then the files.
      await this.lockIdentities(tx, agent.organizationId, [...identities, ...dropped.filter((i) => own.includes(i))]);
      const files = await this.merges.lockContacts(tx.m, agent.organizationId, [to, from]);
      this.assertMergeable(files, [to, from]);
      await this.restrictions.assertProcessable(tx.m, [to, from], 'la fusion de dossiers est impossible');
      const droppedIdentities = await this.merges.dropIdentities(
        tx.m,
        dropped.map((i) => i.id),
      );
      const movedIdentityIds = await this.merges.moveIdentities(
        tx.m,
        identities.filter((i) => !keep || keep.has(i.id)).map((i) => i.id),
        from,
        to,
      );
      // Registrations before conversations, the order every other path takes them in.
      const conversationIds = await this.merges.conversationIds(tx.m, from);
      await this.merges.lockRegistrations(tx.m, conversationIds);
      const movedConversationIds = await this.writer.moveToContact(tx, agent.organizationId, conversationIds, from, to);
      const movedRegistrations = await this.merges.moveRegistrations(tx.m, movedConversationIds, from, to);
      const sourceName = files.find((f) => f.id === from)!.name;
      const targetName = files.find((f) => f.id === to)!.name;
      const keptName = choice.name === 'source' ? sourceName : choice.name === 'target' ? targetName : (targetName ?? sourceName);
      await this.merges.markMerged(tx.m, merge, {
        agentId: agent.id,
        movedIdentityIds,
        movedConversationIds,
        sourceName,
        targetName,
        keptName,
        droppedIdentities,
      });
      await this.recordBoth(tx.m, agent, 'contact.merged', merge, {
        identities: movedIdentityIds.length,
        conversations: movedConversationIds,
        registrations: movedRegistrations.length,
        nameKept: keptName === targetName ? 'target' : 'source',
        identitiesDropped: droppedIdentities.map((i) => i.id),
      });
    });
    return (await this.merges.find(agent.organizationId, id))!;
  }

  async reject(agent: AuthAgent, id: string): Promise<ContactMergeDto> {
    this.assertManager(agent);
    await this.writer.tx(async (tx) => {
      const merge = await this.decidable(tx, agent, id);
      await this.merges.markRejected(tx.m, merge.id, agent.id);
      await this.recordBoth(tx.m, agent, 'contact.merge_rejected', merge);
    });
    return (await this.merges.find(agent.organizationId, id))!;
  }

  /**
   * Within 30 days of the confirmation: what moved goes back, and the absorbed file stands again.
   * Refused (423) while either citizen's data is limited (RGPD art. 18), as the merge is.
   */
  async undo(agent: AuthAgent, id: string, now = new Date()): Promise<ContactMergeDto> {
    this.assertManager(agent);
    await this.writer.tx(async (tx) => {
      const merge = await this.merges.lock(tx.m, agent.organizationId, id);
      if (!merge) throw notFound('fusion');
      if (merge.status !== 'merged') throw conflict('seule une fusion confirmée peut être annulée');
      if (now.getTime() - merge.decided_at!.getTime() > CONTACT_MERGE_UNDO_DAYS * 86_400_000)
        throw conflict(`la fusion date de plus de ${CONTACT_MERGE_UNDO_DAYS} jours : elle ne peut plus être annulée`);
      const { target_contact_id: to, source_contact_id: from } = merge;
      const identities = (await this.merges.identities(tx.m, to)).filter((i) => merge.moved_identity_ids.includes(i.id));
      await this.lockIdentities(tx, agent.organizationId, [...identities, ...merge.dropped_identities]);
      const files = await this.merges.lockContacts(tx.m, agent.organizationId, [to, from]);
      if (files.some((f) => f.anonymized_at))
        throw conflict('un des deux dossiers a été anonymisé depuis : la fusion ne peut plus être annulée');
      // RGPD art. 18, as for the merge itself: moving files back is processing them, and would take
      // the limited citizen's files out from under their limitation (it is the kept file's).
      await this.restrictions.assertProcessable(tx.m, [to, from], 'l’annulation de la fusion est impossible');
      const identitiesBack = await this.merges.moveIdentities(
        tx.m,
        identities.map((i) => i.id),
        to,
        from,
      );
      // The identities the confirmation removed come back as they were, to their own file.
      try {
        await this.merges.restoreIdentities(tx.m, merge.dropped_identities);
      } catch (e) {
        if (!uniqueViolation(e)) throw e;
        throw conflict(
          'une coordonnée retirée par la fusion a été reprise depuis par un autre dossier : retirez-la de ce dossier avant d’annuler',
        );
      }
      const toMoveBack = await this.merges.conversationsToMoveBack(tx.m, merge);
      await this.merges.lockRegistrations(tx.m, toMoveBack);
      const conversationsBack = await this.writer.moveToContact(tx, agent.organizationId, toMoveBack, to, from);
      const registrationsBack = await this.merges.moveRegistrations(tx.m, conversationsBack, to, from);
      await this.merges.markUndone(tx.m, merge, agent.id);
      await this.recordBoth(tx.m, agent, 'contact.merge_undone', merge, {
        identities: identitiesBack.length,
        identitiesRestored: merge.dropped_identities.length,
        conversations: conversationsBack,
        registrations: registrationsBack.length,
      });
    });
    return (await this.merges.find(agent.organizationId, id))!;
  }

  /** The identity locks every ingest path takes, in one order so two merges never deadlock. */
  private async lockIdentities(tx: WriterTx, organizationId: string, identities: { kind: IdentityKind; value: string }[]) {
    const keys = identities.map((i) => ({ ...i, key: `${i.kind}:${i.value}` })).sort((a, b) => a.key.localeCompare(b.key));
    for (const i of keys) await this.contacts.lockIdentity(tx.m, organizationId, i.kind, i.value);
  }

  private assertManager(agent: AuthAgent): void {
    if (!isManager(agent)) throw forbidden('seul un superviseur ou un administrateur confirme, refuse ou annule une fusion');
  }

  private async decidable(tx: WriterTx, agent: AuthAgent, id: string): Promise<ContactMergeRow> {
    const merge = await this.merges.lock(tx.m, agent.organizationId, id);
    if (!merge) throw notFound('fusion');
    if (merge.status !== 'proposed') throw conflict('cette fusion a déjà été traitée');
    return merge;
  }

  /** One audit row per file, each naming both ids, so either file's history shows the step. */
  private async recordBoth(
    m: WriterTx['m'],
    agent: AuthAgent,
    action: 'contact.merge_proposed' | 'contact.merged' | 'contact.merge_rejected' | 'contact.merge_undone',
    merge: Pick<ContactMergeRow, 'id' | 'target_contact_id' | 'source_contact_id'>,
    more: Record<string, unknown> = {},
  ): Promise<void> {
    const data = {
      mergeId: merge.id,
      keptContactId: merge.target_contact_id,
      absorbedContactId: merge.source_contact_id,
      ...more,
    };
    for (const contactId of [merge.target_contact_id, merge.source_contact_id])
      await this.audit.record({ organizationId: agent.organizationId, agentId: agent.id, action, contactId, data }, m);
  }
}
