import { Injectable } from '@nestjs/common';
import type { ProcessingRestrictionKind } from '@guichet/contracts';
import type { EntityManager } from 'typeorm';
import { locked } from '../../common/errors';
import { ProcessingRestrictionRepository } from './processing-restriction.repository';

const day = (d: Date) => new Intl.DateTimeFormat('fr-FR', { dateStyle: 'long', timeZone: 'Europe/Paris' }).format(d);

/** The French reason every refusal gives: since when, what is refused (a clause), what to do. */
export const limitedReason = (since: Date, refused: string) =>
  `les données de ce citoyen font l’objet d’une limitation du traitement (RGPD art. 18) depuis le ${day(since)} : ` +
  `${refused} tant qu’un superviseur ne l’a pas levée (elles restent conservées, sans autre traitement)`;

/**
 * The rule every path that processes a citizen's data asks (RGPD art. 18 and 21, issue 16). A
 * limitation in force: nothing goes out to or about the citizen but the answer to a rights request
 * (a conversation marked as one) or to a request they opened since (their consent, art. 18.2), no transfer, no merge, no survey, no reminder, no retention; the
 * API refuses with 423 and the French reason. An objection: no satisfaction survey, no event
 * reminder (what Guichet does on the basis of public interest without needing it to answer).
 */
@Injectable()
export class ProcessingRestrictions {
  constructor(private readonly repo: ProcessingRestrictionRepository) {}

  /** Refuses (423) a message to the citizen in a conversation their limitation freezes. */
  assertMaySend(m: EntityManager | undefined, contactId: string, conversationId: string | null): Promise<void> {
    return this.assertMayProcess(
      m,
      contactId,
      conversationId,
      'aucun message ne peut lui être envoyé hors de sa demande d’exercice de droits',
    );
  }

  /** Refuses (423) `what` (a clause) in a conversation the citizen's limitation freezes. */
  async assertMayProcess(
    m: EntityManager | undefined,
    contactId: string,
    conversationId: string | null,
    what: string,
  ): Promise<void> {
    const since = await this.repo.limitedSince(contactId, conversationId, m);
    if (since) throw locked(limitedReason(since, what));
  }

  /** Whether the citizen's data is limited and this conversation may not be processed (nothing may go out in it). */
  async limitedOutside(m: EntityManager | undefined, contactId: string, conversationId: string): Promise<boolean> {
    return !!(await this.repo.limitedSince(contactId, conversationId, m));
  }

  /** Refuses (423) `what` (a clause: « la fusion de dossiers est impossible ») while one of these citizens' data is limited. */
  async assertProcessable(m: EntityManager | undefined, contactIds: string[], what: string): Promise<void> {
    const [row] = await this.repo.limitedAmong(contactIds, m);
    if (row) throw locked(limitedReason(row.granted_at, what));
  }

  /** Whether the citizen objected or is limited: the survey and the reminders are not for them. */
  withheld(contactId: string, m?: EntityManager): Promise<ProcessingRestrictionKind | null> {
    return this.repo.withheld(contactId, m);
  }
}
