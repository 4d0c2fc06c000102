import { Injectable } from '@nestjs/common';
import {
  LEAD_TIMES_MESSAGE,
  LEGAL_TIME_ZONE,
  leadTimesInOrder,
  wallClock,
  type CancelEventInput,
  type ContactRegistrationDto,
  type CreateEventInput,
  type CreateSessionInput,
  type DuplicateEventInput,
  type EventQuestion,
  type EventQuestionInput,
  type ListEventsQuery,
  type MessageRegistrantsInput,
  type MunicipalEventChange,
  type MessageRegistrantsResult,
  type MunicipalEventDto,
  type RegistrantExportFormat,
  type RegistrationDto,
  type UpdateEventInput,
  type UpdateSessionInput,
} from '@guichet/contracts';
import type { EntityManager } from 'typeorm';
import { isManager, type AuthAgent } from '../../common/auth-agent';
import { Database, type AfterCommit } from '../../common/database';
import { badRequest, conflict, forbidden, notFound } from '../../common/errors';
import { AuditRepository } from '../../infra/audit/audit.repository';
import { DomainEvents } from '../events/domain-event-bus';
import { domainEvent } from '../events/domain-events';
import {
  activeSessions,
  atSession,
  MunicipalEventRepository,
  toContactRegistrationDto,
  toEventDto,
  toRegistrationDto,
  type EventRow,
  type RegistrationRow,
} from './municipal-event.repository';
import { RegistrantNotices } from './registrant-notices.service';
import { RegistrationService } from './registration.service';

const STATUS_FR: Record<string, string> = {
  confirmed: 'confirmée',
  waitlisted: 'liste d’attente',
  offered: 'place proposée',
  cancelled: 'annulée',
  expired: 'expirée',
};

/** A cancelled registration's status, by who cancelled it. */
const CANCELLED_BY_FR: Record<string, string> = {
  citizen: 'annulée par l’inscrit',
  agent: 'annulée par le service',
  event: 'annulée (événement annulé)',
};

const statusFr = (r: RegistrationRow) =>
  (r.status === 'cancelled' && r.cancelled_by ? CANCELLED_BY_FR[r.cancelled_by] : STATUS_FR[r.status]) ?? r.status;

/** Why the registrants of a cancelled event take no more check-in, promotion or cancellation. */
const CANCELLED_EVENT =
  'cet événement est annulé : ses inscrits ont été prévenus, il n’y a plus de présence à pointer, de place à proposer ni d’inscription à annuler';

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

type CellValue = string | number | boolean | Date | null;

/** One column of the registrants' export: its French header, its type, its width in characters. */
interface ExportColumn {
  header: string;
  type: 'text' | 'number' | 'date' | 'boolean';
  width: number;
}

/**
 * The registrants as typed rows, one column per question at the end; the start of each one's
 * session first when the event has several.
 */
export function registrantTable(e: EventRow, rows: RegistrationRow[]): { columns: ExportColumn[]; rows: CellValue[][] } {
  const several = e.sessions.length > 1;
  const startOf = new Map(e.sessions.map((s) => [s.id, s.starts_at]));
  const columns: ExportColumn[] = [
    ...(several ? [{ header: 'Séance', type: 'date' as const, width: 18 }] : []),
    { header: 'Nom', type: 'text', width: 28 },
    { header: 'E-mail', type: 'text', width: 30 },
    { header: 'Téléphone', type: 'text', width: 16 },
    { header: 'Places', type: 'number', width: 8 },
    { header: 'Statut', type: 'text', width: 26 },
    { header: 'Position', type: 'number', width: 9 },
    { header: 'Présent', type: 'boolean', width: 9 },
    { header: 'Arrivé à', type: 'date', width: 18 },
    { header: 'Inscrit le', type: 'date', width: 18 },
    ...e.questions.map((q) => ({ header: q.label, type: 'text' as const, width: Math.min(40, Math.max(12, q.label.length)) })),
  ];
  return {
    columns,
    rows: rows.map((r) => [
      ...(several ? [startOf.get(r.session_id) ?? null] : []),
      r.name,
      r.email,
      r.phone,
      r.places,
      statusFr(r),
      r.position,
      !!r.checked_in_at,
      r.checked_in_at,
      r.created_at,
      ...e.questions.map((q) => r.answers[q.id] ?? null),
    ]),
  };
}

/** A date as a spreadsheet shows it: the wall-clock time in Paris (a cell has no time zone). */
function parisWallClock(d: Date): Date {
  const w = wallClock(d, LEGAL_TIME_ZONE);
  return new Date(Date.UTC(w.y, w.mo - 1, w.d, w.h, w.mi, w.s));
}

/** The XLSX workbook: one sheet, frozen bold header, numbers as numbers, dates as dates, presence as a boolean (VRAI/FAUX). */
async function registrantWorkbook(e: EventRow, table: { columns: ExportColumn[]; rows: CellValue[][] }): Promise<Buffer> {
  // Loaded on the first export: exceljs is large, and nothing else needs it at start-up.
  const { Workbook } = require('exceljs') as typeof import('exceljs');
  const book = new Workbook();
  book.creator = 'Guichet';
  book.created = new Date();
  const sheet = book.addWorksheet('Inscrits', { views: [{ state: 'frozen', ySplit: 1 }] });
  sheet.columns = table.columns.map((c, i) => ({
    header: c.header,
    key: `c${i}`,
    width: c.width,
    style: c.type === 'date' ? { numFmt: 'dd/mm/yyyy hh:mm' } : c.type === 'number' ? { numFmt: '0' } : {},
  }));
  sheet.getRow(1).font = { bold: true };
  for (const r of table.rows) sheet.addRow(r.map((v) => (v instanceof Date ? parisWallClock(v) : (v ?? null))));
  sheet.autoFilter = { from: { row: 1, column: 1 }, to: { row: 1, column: table.columns.length } };
  book.title = `Inscrits — ${e.title}`;
  return Buffer.from(await book.xlsx.writeBuffer());
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
    private readonly events: DomainEvents,
  ) {}

  /**
   * `municipal_event.changed` with the event as it stands in `m` (after the change), told once it
   * commits: the other agents' events screens patch theirs.
   */
  private async announce(
    m: EntityManager,
    afterCommit: AfterCommit,
    organizationId: string,
    id: string,
    change: MunicipalEventChange,
  ): Promise<void> {
    // This instance's registrations read the event as changed from now on (others within a second).
    afterCommit(() => this.registrationsSvc.forgetEvent(id));
    const e = await this.repo.findEvent(organizationId, id, m);
    if (e)
      await this.events.record(
        m,
        afterCommit,
        domainEvent('municipal_event.changed', organizationId, { event: toEventDto(e), change }),
      );
  }

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

  /**
   * Retention of registrants (issue 16), in the caller's transaction: the next `limit` past events
   * whose organization's period is over have their registrants anonymized, one audit row per event.
   * Returns how many events and registrations it did.
   */
  async anonymizePastRegistrants(
    m: EntityManager,
    o: { organizationId: string | null; now: Date; limit: number; agentId: string | null },
  ): Promise<{ events: number; registrations: number }> {
    const done = await this.repo.anonymizePastRegistrants(m, o);
    for (const e of done)
      await this.audit.record(
        {
          organizationId: e.organization_id,
          agentId: o.agentId,
          action: 'municipal_event.registrants_anonymized',
          data: { eventId: e.event_id, title: e.title, registrations: e.n },
        },
        m,
      );
    return { events: done.length, registrations: done.reduce((n, e) => n + e.n, 0) };
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
    const id = await this.db.tx(async (m, afterCommit) => {
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
      await this.announce(m, afterCommit, agent.organizationId, id, 'created');
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
      // Dates and places are its session's: an event of several sessions changes them session by session.
      const { startsAt, endsAt, capacity, waitlistCapacity, ...eventChanges } = changes;
      const sessionChanges = { startsAt, endsAt, capacity, waitlistCapacity };
      // The values the event already sums up to are no change (a form sends every field back).
      const same = {
        startsAt: startsAt === undefined || Date.parse(startsAt) === e.starts_at.getTime(),
        endsAt: endsAt === undefined || (endsAt === null ? null : Date.parse(endsAt)) === (e.ends_at?.getTime() ?? null),
        capacity: capacity === undefined || capacity === e.capacity,
        waitlistCapacity: waitlistCapacity === undefined || waitlistCapacity === e.waitlist_capacity,
      };
      const touched = Object.entries(sessionChanges).filter(([k, v]) => v !== undefined && !same[k as keyof typeof same]);
      if (touched.length && e.sessions.length > 1)
        throw badRequest(
          `cet événement a ${e.sessions.length} séances : changez les dates et les places de chacune dans ses séances`,
          touched.map(([k]) => `${k}: à changer sur la séance concernée`),
        );
      const only = e.sessions[0]!;
      if (changes.capacity !== undefined && changes.capacity < e.booked_places)
        throw conflict(`${e.booked_places} places sont déjà réservées : la capacité ne peut pas descendre en dessous`);
      if (changes.waitlistCapacity !== undefined && changes.waitlistCapacity < e.waitlisted_places)
        throw conflict(`${e.waitlisted_places} places sont en liste d’attente : sa capacité ne peut pas descendre en dessous`);
      const starts = changes.startsAt ?? e.starts_at.toISOString();
      const ends = changes.endsAt !== undefined ? changes.endsAt : (e.ends_at?.toISOString() ?? null);
      if (ends && Date.parse(ends) <= Date.parse(starts))
        throw badRequest('la fin doit suivre le début', ['endsAt: avant le début']);
      const leadTimes = {
        bookingOpensDaysBefore:
          changes.bookingOpensDaysBefore !== undefined ? changes.bookingOpensDaysBefore : e.booking_opens_days_before,
        bookingClosesHoursBefore:
          changes.bookingClosesHoursBefore !== undefined ? changes.bookingClosesHoursBefore : e.booking_closes_hours_before,
      };
      if (!leadTimesInOrder(leadTimes))
        throw badRequest(LEAD_TIMES_MESSAGE, [
          `bookingClosesHoursBefore: ${leadTimes.bookingClosesHoursBefore} h, pour une ouverture ${leadTimes.bookingOpensDaysBefore} jours avant`,
        ]);
      await this.repo.updateEvent(m, agent.organizationId, id, {
        ...eventChanges,
        ...(changes.questions ? { questions: questionIds(changes.questions) } : {}),
      } as Partial<UpdateEventInput>);
      if (touched.length) {
        await this.repo.updateSession(m, only.id, sessionChanges);
        await this.repo.syncEvent(m, id);
      }
      const promotion = changes.promotion ?? e.promotion;
      if (promotion === 'automatic')
        for (const s of activeSessions(e)) await this.registrationsSvc.promote(m, afterCommit, id, s.id);
      // A new date, time or place is told to every registrant by the town hall, once, with the old values.
      const after = (await this.repo.findEvent(null, id, m))!;
      const told =
        e.sessions.length === 1
          ? await this.notices.tellEventChange({ m, afterCommit }, atSession(e, only.id), atSession(after, only.id), only.id)
          : await this.notices.tellEventChange({ m, afterCommit }, e, after);
      if (notify)
        await this.notices.messageRegistrants(m, afterCommit, agent, await this.repo.activeRegistrations(m, id), notify);
      await this.audit.record(
        {
          organizationId: agent.organizationId,
          agentId: agent.id,
          action: 'municipal_event.updated',
          data: { id, ...changes, ...(told.sent || told.unreachable ? { changeNotice: told } : {}) },
        },
        m,
      );
      await this.announce(m, afterCommit, agent.organizationId, id, 'updated');
    });
    return this.get(agent, id);
  }

  /**
   * A copy to reschedule (a workshop every week): unpublished, no registrations, its sessions not
   * cancelled moved as the first one is.
   */
  async duplicate(agent: AuthAgent, id: string, input: DuplicateEventInput): Promise<MunicipalEventDto> {
    const e = await this.event(agent, id);
    const [first, ...rest] = activeSessions(e).length ? activeSessions(e) : e.sessions;
    const shift = input.startsAt ? Date.parse(input.startsAt) - first!.starts_at.getTime() : 0;
    const at = (d: Date | null) => (d ? new Date(d.getTime() + shift).toISOString() : null);
    const copy = await this.create(agent, {
      teamId: e.team_id,
      title: e.title,
      description: e.description,
      place: e.place,
      theme: e.theme,
      audience: e.audience,
      priceInfo: e.price_info,
      startsAt: input.startsAt ?? first!.starts_at.toISOString(),
      endsAt: input.endsAt !== undefined ? input.endsAt : at(first!.ends_at),
      capacity: first!.capacity,
      waitlistCapacity: first!.waitlist_capacity,
      maxPlacesPerRegistration: e.max_places,
      published: false,
      bookingOpensAt: at(e.booking_opens_at),
      bookingClosesAt: at(e.booking_closes_at),
      bookingOpensDaysBefore: e.booking_opens_days_before,
      bookingClosesHoursBefore: e.booking_closes_hours_before,
      promotion: e.promotion,
      confirmationHours: e.confirmation_hours,
      cancelCutoffHours: e.cancel_cutoff_hours,
      reminderMinutes: e.reminder_minutes,
      questions: e.questions,
    });
    if (!rest.length) return copy;
    await this.db.tx(async (m, afterCommit) => {
      await this.repo.findEvent(agent.organizationId, copy.id, m, true);
      for (const s of rest)
        await this.repo.insertSession(m, agent.organizationId, copy.id, {
          startsAt: at(s.starts_at)!,
          endsAt: at(s.ends_at),
          capacity: s.capacity,
          waitlistCapacity: s.waitlist_capacity,
        });
      await this.repo.syncEvent(m, copy.id);
      await this.announce(m, afterCommit, agent.organizationId, copy.id, 'updated');
    });
    return this.get(agent, copy.id);
  }

  /** One more session of the event (a workshop on one more afternoon), with its places. */
  async addSession(agent: AuthAgent, id: string, input: CreateSessionInput): Promise<MunicipalEventDto> {
    await this.db.tx(async (m, afterCommit) => {
      const e = await this.event(agent, id, m, true);
      if (e.cancelled_at) throw conflict('cet événement est annulé : il ne peut plus être modifié');
      const sessionId = await this.repo.insertSession(m, agent.organizationId, id, input);
      await this.repo.syncEvent(m, id);
      await this.audit.record(
        {
          organizationId: agent.organizationId,
          agentId: agent.id,
          action: 'municipal_event.updated',
          data: { id, sessionAdded: { id: sessionId, ...input } },
        },
        m,
      );
      await this.announce(m, afterCommit, agent.organizationId, id, 'updated');
    });
    return this.get(agent, id);
  }

  /** The session of the event this agent may manage (404 otherwise), with the event locked. */
  private async session(agent: AuthAgent, id: string, sessionId: string, m: EntityManager): Promise<EventRow> {
    const e = await this.event(agent, id, m, true);
    if (!e.sessions.some((s) => s.id === sessionId)) throw notFound('séance');
    if (e.cancelled_at) throw conflict('cet événement est annulé : il ne peut plus être modifié');
    if (e.sessions.find((s) => s.id === sessionId)!.cancelled_at)
      throw conflict('cette séance est annulée : elle ne peut plus être modifiée');
    return e;
  }

  /**
   * A session's dates or places: no fewer places than booked (or waiting); more places go to its
   * waiting list (automatic promotion); a new date or time is told to its registrants, and their
   * reminders follow it.
   */
  async updateSession(agent: AuthAgent, id: string, sessionId: string, input: UpdateSessionInput): Promise<MunicipalEventDto> {
    await this.db.tx(async (m, afterCommit) => {
      const e = await this.session(agent, id, sessionId, m);
      const before = atSession(e, sessionId);
      if (input.capacity !== undefined && input.capacity < before.booked_places)
        throw conflict(
          `${before.booked_places} places de cette séance sont déjà réservées : sa capacité ne peut pas descendre en dessous`,
        );
      if (input.waitlistCapacity !== undefined && input.waitlistCapacity < before.waitlisted_places)
        throw conflict(
          `${before.waitlisted_places} places de cette séance sont en liste d’attente : sa capacité ne peut pas descendre en dessous`,
        );
      const starts = input.startsAt ?? before.starts_at.toISOString();
      const ends = input.endsAt !== undefined ? input.endsAt : (before.ends_at?.toISOString() ?? null);
      if (ends && Date.parse(ends) <= Date.parse(starts))
        throw badRequest('la fin doit suivre le début', ['endsAt: avant le début']);
      await this.repo.updateSession(m, sessionId, input);
      await this.repo.syncEvent(m, id);
      if (e.promotion === 'automatic') await this.registrationsSvc.promote(m, afterCommit, id, sessionId);
      const after = atSession((await this.repo.findEvent(null, id, m))!, sessionId);
      const told = await this.notices.tellEventChange({ m, afterCommit }, before, after, sessionId);
      await this.audit.record(
        {
          organizationId: agent.organizationId,
          agentId: agent.id,
          action: 'municipal_event.updated',
          data: { id, session: { id: sessionId, ...input }, ...(told.sent || told.unreachable ? { changeNotice: told } : {}) },
        },
        m,
      );
      await this.announce(m, afterCommit, agent.organizationId, id, 'updated');
    });
    return this.get(agent, id);
  }

  /**
   * Cancels one session and writes `message` to its registrants; their registrations end cancelled
   * by the town (as an event's cancellation does for all). The last session left is not cancelled
   * this way: the event is.
   */
  async cancelSession(
    agent: AuthAgent,
    id: string,
    sessionId: string,
    input: CancelEventInput,
  ): Promise<MunicipalEventDto & { messaged: number }> {
    const sent = await this.db.tx(async (m, afterCommit) => {
      const e = await this.session(agent, id, sessionId, m);
      if (activeSessions(e).length === 1)
        throw conflict('c’est la dernière séance de cet événement : annulez l’événement lui-même');
      const reached = new Set<string>();
      const result = await this.notices.messageRegistrants(
        m,
        afterCommit,
        agent,
        await this.repo.activeRegistrations(m, id, undefined, sessionId),
        input.message,
        reached,
      );
      const cancelled = await this.repo.cancelSession(m, id, sessionId);
      await this.notices.enqueueMany(
        m,
        afterCommit,
        agent.organizationId,
        cancelled.map((r) => ({ registrationId: r, notice: 'event_cancelled' as const, quiet: reached.has(r) })),
      );
      await this.audit.record(
        {
          organizationId: agent.organizationId,
          agentId: agent.id,
          action: 'municipal_event.updated',
          data: { id, sessionCancelled: sessionId, ...result },
        },
        m,
      );
      await this.announce(m, afterCommit, agent.organizationId, id, 'updated');
      return result;
    });
    return { ...(await this.get(agent, id)), messaged: sent.sent };
  }

  /**
   * Cancels the event and writes `message` to every registrant; their registrations end cancelled
   * by the event (no place held or waited for any more), each with its line in the citizen's
   * timeline, and those the message could not reach yet (their file not written) are told by the
   * town hall. No reminder goes out after it.
   */
  async cancel(agent: AuthAgent, id: string, input: CancelEventInput): Promise<MunicipalEventDto & { messaged: number }> {
    const result = await this.db.tx(async (m, afterCommit) => {
      const e = await this.event(agent, id, m, true);
      if (e.cancelled_at) throw conflict('cet événement est déjà annulé');
      const reached = new Set<string>();
      const sent = await this.notices.messageRegistrants(
        m,
        afterCommit,
        agent,
        await this.repo.activeRegistrations(m, id),
        input.message,
        reached,
      );
      const cancelled = await this.repo.cancelEvent(m, id);
      await this.notices.enqueueMany(
        m,
        afterCommit,
        agent.organizationId,
        cancelled.map((r) => ({ registrationId: r, notice: 'event_cancelled' as const, quiet: reached.has(r) })),
      );
      await this.audit.record(
        { organizationId: agent.organizationId, agentId: agent.id, action: 'municipal_event.cancelled', data: { id, ...sent } },
        m,
      );
      await this.announce(m, afterCommit, agent.organizationId, id, 'cancelled');
      return sent;
    });
    return { ...(await this.get(agent, id)), messaged: result.sent };
  }

  /** The registrants of the event (of one session: `sessionId`). */
  async registrations(agent: AuthAgent, id: string, sessionId?: string): Promise<RegistrationDto[]> {
    await this.event(agent, id);
    return (await this.repo.registrations(id, sessionId)).map(toRegistrationDto);
  }

  /**
   * The registrants for the day, as CSV (semicolons, UTF-8 with BOM: what a French spreadsheet
   * opens) or XLSX (typed columns: numbers, dates in Paris time, French headers). Audited.
   */
  async exportRegistrants(
    agent: AuthAgent,
    id: string,
    format: RegistrantExportFormat,
    sessionId?: string,
  ): Promise<{ fileName: string; contentType: string; content: Buffer }> {
    const e = await this.event(agent, id);
    const rows = await this.repo.registrations(id, sessionId);
    const table = registrantTable(e, rows);
    await this.audit.record({
      organizationId: agent.organizationId,
      agentId: agent.id,
      action: 'municipal_event.exported',
      data: { id, format, ...(sessionId ? { sessionId } : {}) },
    });
    const slug =
      e.title
        .toLowerCase()
        .normalize('NFD')
        .replace(/[\u0300-\u036f]/g, '')
        .replace(/[^a-z0-9]+/g, '-')
        .replace(/^-|-$/g, '')
        .slice(0, 40) || 'evenement';
    const fileName = `inscrits-${slug}.${format}`;
    if (format === 'csv') {
      const text = (v: CellValue) => (v instanceof Date ? v.toISOString() : typeof v === 'boolean' ? (v ? 'oui' : '') : v);
      const lines = [table.columns.map((c) => csvCell(c.header)), ...table.rows.map((r) => r.map((v) => csvCell(text(v))))];
      return {
        fileName,
        contentType: 'text/csv; charset=utf-8',
        content: Buffer.from('\ufeff' + lines.map((l) => l.join(';')).join('\r\n') + '\r\n', 'utf8'),
      };
    }
    return {
      fileName,
      contentType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
      content: await registrantWorkbook(e, table),
    };
  }

  /** A citizen's registrations for their file: all for supervisors and admins, their services' events for agents. */
  async contactRegistrations(agent: AuthAgent, contactId: string): Promise<ContactRegistrationDto[]> {
    const rows = await this.repo.byContact(agent.organizationId, contactId, isManager(agent) ? null : agent.teamIds);
    return rows.map(toContactRegistrationDto);
  }

  /** Presence at the door, told to the other agents' screens (`registration.checked_in`) once it commits. */
  async checkIn(agent: AuthAgent, id: string, registrationId: string, present: boolean): Promise<RegistrationDto> {
    await this.db.tx(async (m, afterCommit) => {
      const e = await this.event(agent, id, m);
      if (e.cancelled_at) throw conflict(CANCELLED_EVENT);
      const r = await this.repo.setCheckIn(m, agent.organizationId, id, registrationId, present);
      if (!r) throw notFound('inscription confirmée');
      // Who marked whom present, or took it back, and when (a change of the state only).
      if (r.changed)
        await this.audit.record(
          {
            organizationId: agent.organizationId,
            agentId: agent.id,
            action: present ? 'municipal_event.checked_in' : 'municipal_event.check_in_undone',
            contactId: r.contact_id,
            conversationId: r.conversation_id,
            data: { eventId: id, title: e.title, registrationId, name: r.name },
          },
          m,
        );
      await this.notices.announce(m, afterCommit, agent.organizationId, new Map([[registrationId, 'checked_in']]));
    });
    return toRegistrationDto((await this.repo.findRegistration(registrationId))!);
  }

  /** An agent offers the places of the waiting list's registration (manual promotion, or ahead of time). */
  async promote(agent: AuthAgent, id: string, registrationId: string): Promise<RegistrationDto> {
    await this.db.tx(async (m, afterCommit) => {
      const event = await this.event(agent, id, m, true);
      if (event.cancelled_at) throw conflict(CANCELLED_EVENT);
      const r = await this.repo.findRegistration(registrationId, m, true);
      if (!r || r.event_id !== id) throw notFound('inscription');
      if (r.status !== 'waitlisted') throw conflict('seule une inscription en liste d’attente peut recevoir une place');
      // The places of its session.
      const e = atSession(event, r.session_id);
      if (e.booked_places + r.places > e.capacity)
        throw conflict(
          `il ne reste que ${Math.max(0, e.capacity - e.booked_places)} place(s) : pas assez pour cette inscription`,
        );
      await this.registrationsSvc.offer(m, afterCommit, e, r);
    });
    return toRegistrationDto((await this.repo.findRegistration(registrationId))!);
  }

  /** An agent cancels a registration (a call to the front desk); the freed places may go to the waiting list. */
  async cancelRegistration(agent: AuthAgent, id: string, registrationId: string): Promise<RegistrationDto> {
    await this.db.tx(async (m, afterCommit) => {
      const e = await this.event(agent, id, m, true);
      if (e.cancelled_at) throw conflict(CANCELLED_EVENT);
      const r = await this.repo.findRegistration(registrationId, m, true);
      if (!r || r.event_id !== id) throw notFound('inscription');
      if (r.status === 'cancelled' || r.status === 'expired') return;
      await this.registrationsSvc.release(m, atSession(e, r.session_id), r, 'cancelled', 'agent');
      await this.notices.enqueue(m, afterCommit, e.organization_id, r.id, 'cancelled');
      if (e.promotion === 'automatic') await this.registrationsSvc.promote(m, afterCommit, id, r.session_id);
    });
    return toRegistrationDto((await this.repo.findRegistration(registrationId))!);
  }

  async message(agent: AuthAgent, id: string, input: MessageRegistrantsInput): Promise<MessageRegistrantsResult> {
    return this.db.tx(async (m, afterCommit) => {
      await this.event(agent, id, m);
      const list = await this.repo.activeRegistrations(m, id, input.registrationIds, input.sessionId);
      if (input.registrationIds && list.length !== new Set(input.registrationIds).size)
        throw badRequest('inscription inconnue ou close', ['registrationIds: hors de cet événement ou annulées']);
      return this.notices.messageRegistrants(m, afterCommit, agent, list, input.body);
    });
  }
}
