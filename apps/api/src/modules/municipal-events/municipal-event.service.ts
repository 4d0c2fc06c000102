import { Injectable } from '@nestjs/common';
import type {
  CancelEventInput,
  CreateEventInput,
  DuplicateEventInput,
  EventQuestion,
  EventQuestionInput,
  ListEventsQuery,
  MessageRegistrantsInput,
  MunicipalEventDto,
  RegistrationDto,
  UpdateEventInput,
} from '@guichet/contracts';
import type { EntityManager } from 'typeorm';
import { isManager, type AuthAgent } from '../../common/auth-agent';
import { Database } from '../../common/database.service';
import { badRequest, conflict, forbidden, notFound } from '../../common/errors';
import { AuditRepository } from '../../infra/audit/audit.repository';
import { MunicipalEventRepository, toEventDto, toRegistrationDto, type EventRow } from './municipal-event.repository';
import { RegistrantNotices } from './registrant-notices.service';
import { RegistrationService } from './registration.service';

const STATUS_FR: Record<string, string> = {
  confirmed: 'confirmée',
  waitlisted: 'liste d’attente',
  offered: 'place proposée',
  cancelled: 'annulée',
  expired: 'expirée',
};

/** Question ids from their labels (stable keys of the answers), unique within the event. */
export function questionIds(questions: EventQuestionInput[]): EventQuestion[] {
  const seen = new Set<string>();
  return questions.map((q, i) => {
    let id =
      q.id ??
      (q.label
        .toLowerCase()
        .normalize('NFD')
        .replace(/[\u0300-\u036f]/g, '')
        .replace(/[^a-z0-9]+/g, '-')
        .replace(/^-|-$/g, '')
        .slice(0, 30) ||
        `question-${i + 1}`);
    while (seen.has(id)) id = `${id}-${i + 1}`;
    seen.add(id);
    return { id, label: q.label, required: q.required ?? false };
  });
}

const csvCell = (v: unknown) => {
  const s = v === null || v === undefined ? '' : String(v);
  // A cell a spreadsheet would run as a formula is quoted as text.
  const safe = /^[=+\-@\t\r]/.test(s) ? `'${s}` : s;
  return /[";\n\r]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
};

/**
 * Agents' side of municipal events (issue 17): the agents of an event's service (and supervisors
 * and admins) create, edit, duplicate, publish, cancel, see and check in registrants, promote from
 * the waiting list and write to registrants.
 */
@Injectable()
export class MunicipalEventService {
  constructor(
    private readonly db: Database,
    private readonly repo: MunicipalEventRepository,
    private readonly registrationsSvc: RegistrationService,
    private readonly notices: RegistrantNotices,
    private readonly audit: AuditRepository,
  ) {}

  private checkTeam(agent: AuthAgent, teamId: string): void {
    if (!isManager(agent) && !agent.teamIds.includes(teamId)) throw forbidden('cet événement appartient à un autre service');
  }

  /** The event if this agent may manage it (another organization's: 404; another service's: 403). */
  private async event(agent: AuthAgent, id: string, m?: EntityManager, lock = false): Promise<EventRow> {
    const e = await this.repo.findEvent(agent.organizationId, id, m, lock);
    if (!e) throw notFound('événement');
    this.checkTeam(agent, e.team_id);
    return e;
  }

  async list(agent: AuthAgent, q: ListEventsQuery): Promise<MunicipalEventDto[]> {
    let teamIds: string[] | undefined;
    if (q.teamId) {
      this.checkTeam(agent, q.teamId);
      teamIds = [q.teamId];
    } else if (!isManager(agent)) teamIds = agent.teamIds;
    return (await this.repo.listEvents(agent.organizationId, { teamIds, past: q.past })).map(toEventDto);
  }

  async get(agent: AuthAgent, id: string): Promise<MunicipalEventDto> {
    return toEventDto(await this.event(agent, id));
  }

  async create(agent: AuthAgent, input: CreateEventInput): Promise<MunicipalEventDto> {
    const id = await this.db.tx(async (m) => {
      if (!(await this.repo.teamExists(m, agent.organizationId, input.teamId)))
        throw badRequest('service inconnu', [`teamId: ${input.teamId}`]);
      this.checkTeam(agent, input.teamId);
      const id = await this.repo.insertEvent(m, agent.organizationId, agent.id, {
        ...input,
        questions: questionIds(input.questions),
      });
      await this.audit.record(
        { organizationId: agent.organizationId, agentId: agent.id, action: 'municipal_event.created', data: { id } },
        m,
      );
      return id;
    });
    return this.get(agent, id);
  }

  /**
   * Any field; fewer places than already booked (or waiting) is refused. More places offer them to
   * the waiting list (automatic promotion); `notify` writes to every registrant about the change.
   */
  async update(agent: AuthAgent, id: string, input: UpdateEventInput): Promise<MunicipalEventDto> {
    const { notify, ...changes } = input;
    await this.db.tx(async (m, afterCommit) => {
      const e = await this.event(agent, id, m, true);
      if (e.cancelled_at) throw conflict('cet événement est annulé : il ne peut plus être modifié');
      if (changes.capacity !== undefined && changes.capacity < e.booked_places)
        throw conflict(`${e.booked_places} places sont déjà réservées : la capacité ne peut pas descendre en dessous`);
      if (changes.waitlistCapacity !== undefined && changes.waitlistCapacity < e.waitlisted_places)
        throw conflict(`${e.waitlisted_places} places sont en liste d’attente : sa capacité ne peut pas descendre en dessous`);
      const starts = changes.startsAt ?? e.starts_at.toISOString();
      const ends = changes.endsAt !== undefined ? changes.endsAt : (e.ends_at?.toISOString() ?? null);
      if (ends && Date.parse(ends) <= Date.parse(starts))
        throw badRequest('la fin doit suivre le début', ['endsAt: avant le début']);
      await this.repo.updateEvent(m, agent.organizationId, id, {
        ...changes,
        ...(changes.questions ? { questions: questionIds(changes.questions) } : {}),
      } as Partial<UpdateEventInput>);
      const promotion = changes.promotion ?? e.promotion;
      if (promotion === 'automatic') await this.registrationsSvc.promote(m, id);
      if (notify)
        await this.notices.messageRegistrants(m, afterCommit, agent, await this.repo.activeRegistrations(m, id), notify);
      await this.audit.record(
        { organizationId: agent.organizationId, agentId: agent.id, action: 'municipal_event.updated', data: { id, ...changes } },
        m,
      );
    });
    return this.get(agent, id);
  }

  /** A copy to reschedule (a workshop every week): unpublished, no registrations. */
  async duplicate(agent: AuthAgent, id: string, input: DuplicateEventInput): Promise<MunicipalEventDto> {
    const e = await this.event(agent, id);
    const shift = input.startsAt ? Date.parse(input.startsAt) - e.starts_at.getTime() : 0;
    const at = (d: Date | null) => (d ? new Date(d.getTime() + shift).toISOString() : null);
    return this.create(agent, {
      teamId: e.team_id,
      title: e.title,
      description: e.description,
      place: e.place,
      theme: e.theme,
      audience: e.audience,
      priceInfo: e.price_info,
      startsAt: input.startsAt ?? e.starts_at.toISOString(),
      endsAt: input.endsAt !== undefined ? input.endsAt : at(e.ends_at),
      capacity: e.capacity,
      waitlistCapacity: e.waitlist_capacity,
      maxPlacesPerRegistration: e.max_places,
      published: false,
      bookingOpensAt: at(e.booking_opens_at),
      bookingClosesAt: at(e.booking_closes_at),
      promotion: e.promotion,
      confirmationHours: e.confirmation_hours,
      reminderMinutes: e.reminder_minutes,
      questions: e.questions,
    });
  }

  /** Cancels the event and writes `message` to every registrant; no reminder goes out after it. */
  async cancel(agent: AuthAgent, id: string, input: CancelEventInput): Promise<MunicipalEventDto & { messaged: number }> {
    const result = await this.db.tx(async (m, afterCommit) => {
      const e = await this.event(agent, id, m, true);
      if (e.cancelled_at) throw conflict('cet événement est déjà annulé');
      await this.repo.cancelEvent(m, id);
      const sent = await this.notices.messageRegistrants(
        m,
        afterCommit,
        agent,
        await this.repo.activeRegistrations(m, id),
        input.message,
      );
      await this.audit.record(
        { organizationId: agent.organizationId, agentId: agent.id, action: 'municipal_event.cancelled', data: { id, ...sent } },
        m,
      );
      return sent;
    });
    return { ...(await this.get(agent, id)), messaged: result.sent };
  }

  async registrations(agent: AuthAgent, id: string): Promise<RegistrationDto[]> {
    await this.event(agent, id);
    return (await this.repo.registrations(id)).map(toRegistrationDto);
  }

  /** The registrants as CSV (semicolons, UTF-8 with BOM: what a French spreadsheet opens). */
  async csv(agent: AuthAgent, id: string): Promise<{ fileName: string; content: string }> {
    const e = await this.event(agent, id);
    const rows = await this.repo.registrations(id);
    const header = [
      'Nom',
      'E-mail',
      'Téléphone',
      'Places',
      'Statut',
      'Position',
      'Présent',
      'Inscrit le',
      ...e.questions.map((q) => q.label),
    ];
    const lines = rows.map((r) =>
      [
        r.name,
        r.email,
        r.phone,
        r.places,
        STATUS_FR[r.status],
        r.position,
        r.checked_in_at ? 'oui' : '',
        r.created_at.toISOString(),
        ...e.questions.map((q) => r.answers[q.id] ?? ''),
      ]
        .map(csvCell)
        .join(';'),
    );
    await this.audit.record({
      organizationId: agent.organizationId,
      agentId: agent.id,
      action: 'municipal_event.exported',
      data: { id },
    });
    const slug =
      e.title
        .toLowerCase()
        .normalize('NFD')
        .replace(/[^a-z0-9]+/g, '-')
        .replace(/^-|-$/g, '')
        .slice(0, 40) || 'evenement';
    return {
      fileName: `inscrits-${slug}.csv`,
      content: '\ufeff' + [header.map(csvCell).join(';'), ...lines].join('\r\n') + '\r\n',
    };
  }

  async checkIn(agent: AuthAgent, id: string, registrationId: string, present: boolean): Promise<RegistrationDto> {
    await this.event(agent, id);
    if (!(await this.repo.setCheckIn(agent.organizationId, id, registrationId, present))) throw notFound('inscription confirmée');
    return toRegistrationDto((await this.repo.findRegistration(registrationId))!);
  }

  /** An agent offers the places of the waiting list's registration (manual promotion, or ahead of time). */
  async promote(agent: AuthAgent, id: string, registrationId: string): Promise<RegistrationDto> {
    await this.db.tx(async (m) => {
      const e = await this.event(agent, id, m, true);
      const r = await this.repo.findRegistration(registrationId, m, true);
      if (!r || r.event_id !== id) throw notFound('inscription');
      if (r.status !== 'waitlisted') throw conflict('seule une inscription en liste d’attente peut recevoir une place');
      if (e.booked_places + r.places > e.capacity)
        throw conflict(
          `il ne reste que ${Math.max(0, e.capacity - e.booked_places)} place(s) : pas assez pour cette inscription`,
        );
      await this.registrationsSvc.offer(m, e, r);
    });
    return toRegistrationDto((await this.repo.findRegistration(registrationId))!);
  }

  /** An agent cancels a registration (a call to the front desk); the freed places may go to the waiting list. */
  async cancelRegistration(agent: AuthAgent, id: string, registrationId: string): Promise<RegistrationDto> {
    await this.db.tx(async (m) => {
      const e = await this.event(agent, id, m, true);
      const r = await this.repo.findRegistration(registrationId, m, true);
      if (!r || r.event_id !== id) throw notFound('inscription');
      if (r.status === 'cancelled' || r.status === 'expired') return;
      await this.registrationsSvc.release(m, e, r, 'cancelled');
      await this.notices.enqueue(m, e.organization_id, r.id, 'cancelled');
      if (e.promotion === 'automatic') await this.registrationsSvc.promote(m, id);
    });
    return toRegistrationDto((await this.repo.findRegistration(registrationId))!);
  }

  async message(agent: AuthAgent, id: string, input: MessageRegistrantsInput): Promise<{ sent: number; skipped: number }> {
    return this.db.tx(async (m, afterCommit) => {
      await this.event(agent, id, m);
      const list = await this.repo.activeRegistrations(m, id, input.registrationIds);
      if (input.registrationIds && list.length !== new Set(input.registrationIds).size)
        throw badRequest('inscription inconnue ou close', ['registrationIds: hors de cet événement ou annulées']);
      return this.notices.messageRegistrants(m, afterCommit, agent, list, input.body);
    });
  }
}
