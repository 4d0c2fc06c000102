import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { civilDateAt, civilDateTimeAt, frenchLongDateOf, isOpenWorkingDay, type CivilDate } from '@guichet/contracts';
import { Database } from '../../common/database';
import { APP_CONFIG, type AppConfig } from '../../config';
import { JobQueue } from '../../infra/jobs/job-queue';
import { ConversationReader } from '../conversations/conversation-reader.service';
import { DomainEvents } from '../events/domain-event-bus';
import { domainEvent, type DomainEvent } from '../events/domain-events';
import { OrganizationMail } from '../organizations/organization-mail.service';
import { DeadlineWarningRepository, type DigestRow } from './deadline-warning.repository';

const WARN_QUEUE = 'deadline-warnings';
const DIGEST_QUEUE = 'deadline-digest';
/** Files warned of per organization and run (every 5 minutes): a backlog drains without a flood. */
const WARN_BATCH = 200;
/** Files listed per digest mail (the totals count them all). */
const DIGEST_MAX_FILES = 100;

const timeOf = (d: Date) =>
  new Intl.DateTimeFormat('fr-FR', { timeZone: 'Europe/Paris', hour: '2-digit', minute: '2-digit' })
    .format(d)
    .replace(':', ' h ');
/** « 3 décembre 2026 à 17 h 00 », read in Paris. */
export const frenchDueText = (d: Date) => `${frenchLongDateOf(d)} à ${timeOf(d)}`;
/** The wall-clock time in Paris, HH:MM: the digests due by then go out. */
const parisTime = (d: Date) => civilDateTimeAt(d).slice(11, 16);

/**
 * Deadline warnings (issue 13), on the durable job queue:
 * - every 5 minutes, each file whose due date comes within 48 hours, then passes, is announced
 *   once per stage and due date as a `conversation.deadline_warning` domain event naming its
 *   assignee and its service's supervisors (the realtime listener tells them in the app);
 * - on working days (not the organization's public holidays nor its closing days), each supervisor
 *   who wants it gets one mail at the time they chose (« Mon compte », 07:30 unless changed; the job
 *   runs every quarter of an hour and catches up a missed run the same day) listing their services'
 *   files overdue and due soon (nothing when there are none: the day is done all the same).
 * What was told is recorded in the same transaction as the event, so a re-run tells nothing twice.
 */
@Injectable()
export class DeadlineWarnings implements OnApplicationBootstrap {
  private readonly logger = new Logger('DeadlineWarnings');

  constructor(
    private readonly db: Database,
    private readonly queue: JobQueue,
    private readonly repo: DeadlineWarningRepository,
    private readonly reader: ConversationReader,
    private readonly events: DomainEvents,
    private readonly mail: OrganizationMail,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.queue.define(WARN_QUEUE, { retryLimit: 0, expireInSeconds: 240, cron: '*/5 * * * *' }, () =>
      this.warnAll().then(() => undefined),
    );
    await this.queue.define(DIGEST_QUEUE, { retryLimit: 3, expireInSeconds: 3600, cron: '*/15 * * * 1-5' }, () =>
      this.digestAll().then(() => undefined),
    );
  }

  /** Every organization's warnings due now; returns how many were told. */
  async warnAll(): Promise<number> {
    let told = 0;
    for (const { id } of await this.repo.organizationIds()) told += await this.warn(id);
    if (told) this.logger.log(`${told} échéance(s) signalée(s)`);
    return told;
  }

  /** One organization's warnings (at most WARN_BATCH files), recorded and announced in one transaction. */
  warn(organizationId: string): Promise<number> {
    return this.db.tx(async (m, afterCommit) => {
      const claimed = await this.repo.claim(m, organizationId, WARN_BATCH);
      if (!claimed.length) return 0;
      const supervisors = await this.repo.supervisorsOf(organizationId, [...new Set(claimed.map((c) => c.team_id))], m);
      const events: DomainEvent[] = [];
      for (const w of claimed) {
        const conversation = await this.reader.conversation(organizationId, w.conversation_id, m);
        if (!conversation) continue;
        const agentIds = [...new Set([...(w.assignee_id ? [w.assignee_id] : []), ...(supervisors.get(w.team_id) ?? [])])];
        events.push(
          domainEvent('conversation.deadline_warning', organizationId, {
            conversation,
            stage: w.stage,
            dueAt: new Date(w.due_at).toISOString(),
            agentIds,
          }),
        );
      }
      await this.events.record(m, afterCommit, ...events);
      return events.length;
    });
  }

  /**
   * Every organization's digests of `day` (today in Paris) due by `time` (now in Paris), as they
   * stand at `now`; returns how many mails went out. The cron runs Monday to Friday: on a public
   * holiday of the organization (Good Friday and 26 December too in Alsace-Moselle) or one of its
   * closing days it has no digest.
   */
  async digestAll(now = new Date(), day: CivilDate = civilDateAt(now), time = parisTime(now)): Promise<number> {
    let sent = 0;
    for (const { id, alsace_moselle, closures } of await this.repo.organizationIds()) {
      if (!isOpenWorkingDay(day, { alsaceMoselle: alsace_moselle, closures })) continue;
      for (const supervisor of await this.repo.supervisors(id, day, time)) {
        try {
          if (await this.digest(id, supervisor, now, day)) sent++;
        } catch (e) {
          // One refused mail does not stop the others; the job's retry sends what is left.
          this.logger.warn(`récapitulatif des échéances non envoyé : ${(e as Error).message}`);
        }
      }
    }
    return sent;
  }

  private async digest(
    organizationId: string,
    supervisor: { id: string; email: string; name: string; digest_time: string; team_ids: string[] },
    now: Date,
    day: CivilDate,
  ): Promise<boolean> {
    const counts = await this.repo.dueCounts(organizationId, supervisor.team_ids);
    const total = counts.reduce((n, c) => n + c.overdue + c.soon, 0);
    const files = total ? await this.repo.dueFiles(organizationId, supervisor.team_ids, DIGEST_MAX_FILES) : [];
    return this.db.tx(async (m) => {
      // Marked with the mail in one transaction: a refused mail is tried again by the retry. A day
      // with nothing to list is marked too: no first digest in the afternoon of a quiet morning.
      if (!(await this.repo.markDigest(m, supervisor.id, day, total)) || !total) return false;
      await this.mail.send(m, organizationId, {
        to: supervisor.email,
        subject: digestSubject(counts),
        text: digestText(supervisor.name, counts, files, total, now, {
          time: supervisor.digest_time,
          accountUrl: `${this.config.publicUrl}/#/compte`,
        }),
      });
      return true;
    });
  }
}

function digestSubject(counts: { overdue: number; soon: number }[]): string {
  const overdue = counts.reduce((n, c) => n + c.overdue, 0);
  const soon = counts.reduce((n, c) => n + c.soon, 0);
  const parts = [
    overdue ? `${overdue} dossier${overdue > 1 ? 's' : ''} en retard` : '',
    soon ? `${soon} à échéance sous 48 h` : '',
  ].filter(Boolean);
  return `Échéances : ${parts.join(', ')}`;
}

/** The digest's text: per service, its totals then its files, earliest due first. */
export function digestText(
  name: string,
  counts: { team_id: string; overdue: number; soon: number }[],
  files: DigestRow[],
  total: number,
  now: Date,
  settings: { time: string; accountUrl: string },
): string {
  const lines = [
    `Bonjour ${name},`,
    '',
    'Voici les dossiers de vos services dont l’échéance est dépassée ou tombe dans les 48 heures.',
  ];
  const byTeam = new Map<string, DigestRow[]>();
  for (const f of files) byTeam.set(f.team_id, [...(byTeam.get(f.team_id) ?? []), f]);
  const teamName = new Map(files.map((f) => [f.team_id, f.team_name]));
  for (const c of [...counts].sort((a, b) =>
    (teamName.get(a.team_id) ?? '').localeCompare(teamName.get(b.team_id) ?? '', 'fr'),
  )) {
    lines.push('', `${teamName.get(c.team_id) ?? 'Service'} : ${c.overdue} en retard, ${c.soon} sous 48 h`);
    for (const f of byTeam.get(c.team_id) ?? []) {
      const due = new Date(f.due_at);
      const state = due < now ? 'en retard depuis le' : 'échéance le';
      lines.push(
        `- ${f.reference} · ${f.subject ?? '(sans objet)'} · ${state} ${frenchDueText(due)} · ${f.assignee_name ?? 'non assigné'}`,
      );
    }
  }
  if (total > files.length)
    lines.push('', `… et ${total - files.length} autre(s) dossier(s) : voir la vue « En retard » de Guichet.`);
  lines.push(
    '',
    `Ce récapitulatif vous est envoyé chaque jour ouvré à ${settings.time.replace(':', ' h ')}. ` +
      `Pour changer l’heure ou ne plus le recevoir : « Mon compte », ${settings.accountUrl}`,
  );
  return lines.join('\n');
}
