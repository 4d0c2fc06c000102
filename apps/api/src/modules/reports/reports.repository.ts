import { Injectable } from '@nestjs/common';
import {
  CHANNEL_CAPABILITIES,
  CHANNEL_KINDS,
  type Closure,
  type OpenDataMode,
  type OpeningHours,
  type ServiceOpeningHours,
} from '@guichet/contracts';
import type { EntityManager } from 'typeorm';
import { Database } from '../../common/database';
import { pgJson } from '../../common/pg-text';
import { PLANNED_PER_CALL } from '../../database/preparing-client';
import {
  DAILY_COUNTERS,
  monthlyDaily,
  addDays,
  cutPeriod,
  HISTORY_START,
  monthlyDurations,
  teamMonthlyDaily,
  splitPeriod,
  type CallFact,
  type ConversationFact,
  type DailyCounter,
  type DailyDelta,
  type DurationDelta,
  type PeriodSplit,
  type AgentDelta,
  type AgentDurationDelta,
  type DurationMetric,
  type LabelDailyDelta,
  type LabelDurationDelta,
} from './report-facts';

const LABEL_COUNTERS = { daily: 'report_label_daily', monthly: 'report_label_monthly' };
const LABEL_DURATIONS = { daily: 'report_label_duration', monthly: 'report_label_duration_monthly', monthlyByTeamOnly: true };

/** The channels whose answers are printed letters an agent posts (their time is the posting's). */
const POSTAL_KINDS: string[] = CHANNEL_KINDS.filter((k) => CHANNEL_CAPABILITIES[k].postal);

/** Sums that read no channel or démarche and filter on none: whole months from the per-service rollups. */
const TEAM_COUNTERS = { daily: 'report_daily', monthly: 'report_team_monthly', monthlyByTeamOnly: true };
const LABEL_TEAM_COUNTERS = { daily: 'report_label_daily', monthly: 'report_label_team_monthly', monthlyByTeamOnly: true };

/** The fold's advisory lock (one fold at a time over every instance). */
const FOLD_LOCK = `hashtextextended('report_fold', 0)`;

const PARIS_DAY = (col: string) => `((${col}) AT TIME ZONE 'Europe/Paris')::date::text`;
const MINUTES = (to: string, from: string) => `ceil(extract(epoch FROM ${to} - ${from}) / 60)::int`;

/** What the fold computes itself (the agent who answered first, times in opening hours, the origin channel once). */
type ComputedFields =
  'channel_kind' | 'first_response_agent_id' | 'first_response_open_minutes' | 'handled_by' | 'resolution_open_minutes';

export interface ConversationSource extends Omit<ConversationFact, ComputedFields> {
  conversation_id: string;
  resolved_at: Date | null;
  created_at: Date;
  first_response_at: Date | null;
  assignee_id: string | null;
  /** The author of the first answer (an agent's first outgoing message), for an answered file. */
  first_responder: string | null;
  /** The channel of the first message, for a file not counted yet (null for one that is: it keeps its own). */
  origin_channel: string | null;
}

/**
 * A service's opening hours (null: the organization's, else the default ones), whether
 * Alsace-Moselle's holidays apply and the organization's closing days.
 */
export interface TeamHours {
  opening_hours: ServiceOpeningHours | null;
  organization_hours: OpeningHours | null;
  alsace_moselle: boolean;
  closures: Closure[];
}

export interface StoredConversationFact extends ConversationFact {
  resolved_at: Date | null;
}

/** A fold's mark: a conversation, a telephone call message, the channel a new conversation was opened on. */
export interface PendingMark {
  conversation_id: string;
  message_id: string | null;
  channel_kind: string | null;
}

/** report_conversation's columns after its key, with their types (the fold writes them as typed arrays). */
const FACT_TYPES = {
  conversation_id: 'uuid',
  organization_id: 'uuid',
  team_id: 'uuid',
  channel_kind: 'text',
  request_type_id: 'uuid',
  created_day: 'date',
  first_response_day: 'date',
  first_response_minutes: 'int',
  first_response_on_time: 'boolean',
  resolved_day: 'date',
  resolution_minutes: 'int',
  resolved_at: 'timestamptz',
  resolved_on_time: 'boolean',
  satisfaction: 'smallint',
  satisfaction_day: 'date',
  // Sent as one array literal per file (text), cast per row.
  label_ids: 'text',
  first_response_agent_id: 'uuid',
  first_response_open_minutes: 'int',
  handled_by: 'uuid',
  resolution_open_minutes: 'int',
} as const satisfies Record<keyof StoredConversationFact | 'conversation_id', string>;
const FACT_COLUMNS = (Object.keys(FACT_TYPES) as Array<keyof typeof FACT_TYPES>).filter(
  (c): c is keyof StoredConversationFact => c !== 'conversation_id',
);
/** Read back as `YYYY-MM-DD` text, as the facts hold them. */
const DATE_FACTS = new Set<string>(['created_day', 'first_response_day', 'resolved_day', 'satisfaction_day']);
/** What a recount never rewrites: the organization, the day the file came, the channel it came by. */
const FACT_KEPT = new Set<string>(['organization_id', 'created_day', 'channel_kind']);

export interface CallSource {
  id: string;
  organization_id: string;
  conversation_id: string;
  team_id: string;
  channel_kind: string;
  direction: 'inbound' | 'outbound';
  provider: string | null;
  outcome: string | null;
  day: string;
  started_at: Date;
}

/** Sums over the aggregates of a period, grouped as the caller asks. */
export type ReportDimension = 'period' | 'team' | 'channel' | 'type';

/** What a sum row is grouped by: the set it belongs to and the value of its dimension. */
export interface SumKey {
  set: ReportDimension | 'all';
  period: string | null;
  team_id: string | null;
  channel_kind: string | null;
  request_type_id: string | null;
}

/**
 * How a read is sent: alone (Database.query) or queued with the other reads of a report
 * (ReportsRepository.together). Rows read together come as JSON: numbers, text and arrays as
 * alone, timestamps as text.
 */
export type Sql = <T>(sql: string, params: unknown[]) => Promise<T[]>;

/** The summed counters, and the answers per score 0–10. */
export type SumCounters = Record<DailyCounter, number> & { satisfaction_hist: number[] };
export type SumField = keyof SumCounters;
/** Every field: what the open-data indicators read. */
export const ALL_SUM_FIELDS: readonly SumField[] = [...DAILY_COUNTERS, 'satisfaction_hist'];

/** The fields asked for in one period (its first day) and service. */
export type SeriesRow<F extends SumField> = { period: string; team_id: string } & Pick<SumCounters, F>;

/** A sum row with the fields asked for (a report sums only what it shows: each sum costs per row read). */
export type SumRow<F extends SumField = SumField> = SumKey & Pick<SumCounters, F>;
export type DailySumRow = SumRow;

export interface ReportScope {
  organizationId: string;
  from: string;
  to: string;
  /** Null: every service of the organization. */
  teamIds: string[] | null;
  /** Origin channels kept (null or absent: every channel). */
  channelKinds?: string[] | null;
  /** Démarches kept (null or absent: every démarche, and files without one). */
  requestTypeIds?: string[] | null;
  /** Only the files carrying this label (read from the label rows; calls carry none). */
  labelId?: string | null;
}

/**
 * The answers per score, summed element by element (plain aggregates: an ARRAY(unnest(array_agg()))
 * per group took 17 s over a year of a large town's rows, this 1.2 s on a loaded machine).
 */
const HIST_SUM = `ARRAY[${Array.from({ length: 11 }, (_, i) => `sum(d.satisfaction_hist[${i + 1}])`).join(', ')}]::int[]`;

/** The select list of the fields asked for. */
const sumsOf = (fields: readonly SumField[]) =>
  fields
    .map((c) =>
      c === 'satisfaction_hist'
        ? `${HIST_SUM} AS satisfaction_hist`
        : `sum(d.${c})::${c === 'callback_minutes' ? 'float8' : 'int'} AS ${c}`,
    )
    .join(', ');

/** The columns a sum reads. */
const columnsOf = (fields: readonly SumField[]) => fields.map((c) => `d.${c}`).join(', ');

/**
 * The aggregates of reports (migration ReportsAndSatisfaction1764830000000): the facts of each
 * conversation and call, the daily rows they add up to, and the reads of reports. Nothing here
 * reads `message` beyond one indexed row (a conversation's first channel, a call).
 */
@Injectable()
export class ReportsRepository {
  constructor(private readonly db: Database) {}

  private readonly alone: Sql = (sql, params) => this.db.query(sql, params);

  /**
   * The reads `reads` starts (each called with `sql`, synchronously) sent as one statement: one
   * round trip and one snapshot for a whole report instead of one per read, each run on its own
   * pooled connection (each statement costs its parse, its socket writes and a backend's wake-up:
   * on a loaded machine those, not the sums, made a report's time). Each read's rows come back
   * as one JSON array, its parameters numbered after the previous reads'.
   */
  async together<R extends readonly unknown[]>(reads: (sql: Sql) => readonly [...{ [K in keyof R]: Promise<R[K]> }]): Promise<R> {
    const queued: Array<{ sql: string; params: unknown[]; settle: (rows: unknown[] | Error) => void }> = [];
    let sent = false;
    const sql: Sql = <T>(text: string, params: unknown[]) =>
      new Promise<T[]>((resolve, reject) => {
        if (sent) throw new Error('a read queued after its batch was sent');
        queued.push({ sql: text, params, settle: (r) => (r instanceof Error ? reject(r) : resolve(r as T[])) });
      });
    const started = reads(sql);
    sent = true;
    const params: unknown[] = [];
    const columns = queued.map((r, i) => {
      const offset = params.length;
      params.push(...r.params);
      const text = r.sql.replace(/\$(\d+)/g, (_, n: string) => `$${Number(n) + offset}`);
      return `(SELECT coalesce(json_agg(batched), '[]') FROM (${text}) batched) AS r${i}`;
    });
    try {
      const [row] = await this.db.query<Record<string, unknown[]>>(`${PLANNED_PER_CALL}SELECT ${columns.join(',\n')}`, params);
      queued.forEach((r, i) => r.settle(row![`r${i}`]!));
    } catch (e) {
      for (const r of queued) r.settle(e as Error);
    }
    return Promise.all(started) as unknown as Promise<R>;
  }

  /**
   * The fold's lock, for its transaction: one fold at a time over every instance. `wait` false:
   * false at once when another holds it.
   */
  async lockFold(m: EntityManager, wait: boolean): Promise<boolean> {
    if (wait) {
      await this.db.query(`SELECT pg_advisory_xact_lock(${FOLD_LOCK})`, [], m);
      return true;
    }
    const [row] = await this.db.query<{ locked: boolean }>(`SELECT pg_try_advisory_xact_lock(${FOLD_LOCK}) AS locked`, [], m);
    return !!row?.locked;
  }

  /**
   * Takes up to `limit` marks (migration ReportFold1765096000000) in the fold's transaction: the
   * conversations, and the telephone call messages, whose counted state may have changed.
   */
  takePending(m: EntityManager, limit: number): Promise<PendingMark[]> {
    return this.db.query(
      `DELETE FROM report_pending WHERE ctid = ANY(ARRAY(SELECT ctid FROM report_pending LIMIT $1))
       RETURNING conversation_id, message_id, channel_kind`,
      [limit],
      m,
    );
  }

  /** A fold left no mark behind: every change committed before its transaction began is counted. */
  async markFolded(m: EntityManager): Promise<void> {
    await this.db.query(`UPDATE report_fold SET folded_at = now()`, [], m);
  }

  /** Until when the aggregates count every change (the last fold that left no mark behind), or null before the first. */
  async foldedAt(sql = this.alone): Promise<Date | null> {
    const [row] = await sql<{ folded_at: Date | string | null }>(`SELECT folded_at FROM report_fold`, []);
    return row?.folded_at ? new Date(row.folded_at) : null;
  }

  /**
   * The conversations as the aggregates count them, from their rows, with the facts stored for
   * them, in one statement (one snapshot: each file's fields, labels, survey and first answer as
   * they stood together; only folds write facts); gone ones are left out. The first answer's
   * author is read for answered files; the origin channel for files not counted yet: the one
   * their creation's mark carries (ReportPendingChannel1765101000000), else their first message's.
   * A printed answer answers from its posting: one not posted yet is nobody's answer.
   */
  async conversationSources(
    m: EntityManager,
    marks: ReadonlyMap<string, string | null>,
  ): Promise<Array<ConversationSource & { fact: StoredConversationFact | null }>> {
    const rows = await this.db.query<ConversationSource & { counted: boolean } & Record<`f_${string}`, unknown>>(
      `SELECT c.id AS conversation_id, c.organization_id, c.team_id, c.request_type_id,
              ${PARIS_DAY('c.created_at')} AS created_day,
              ${PARIS_DAY('c.first_response_at')} AS first_response_day,
              ${MINUTES('c.first_response_at', 'c.created_at')} AS first_response_minutes,
              CASE WHEN c.first_response_at IS NOT NULL AND c.response_due_at IS NOT NULL
                   THEN c.first_response_at <= c.response_due_at END AS first_response_on_time,
              CASE WHEN c.status IN ('resolved', 'closed') THEN ${PARIS_DAY('c.resolved_at')} END AS resolved_day,
              CASE WHEN c.status IN ('resolved', 'closed') THEN ${MINUTES('c.resolved_at', 'c.created_at')} END AS resolution_minutes,
              CASE WHEN c.status IN ('resolved', 'closed') THEN c.resolved_at END AS resolved_at,
              CASE WHEN c.status IN ('resolved', 'closed') AND c.decision_due_at IS NOT NULL
                   THEN c.resolved_at <= c.decision_due_at END AS resolved_on_time,
              c.satisfaction,
              (SELECT ${PARIS_DAY('s.answered_at')} FROM satisfaction_survey s
                WHERE s.conversation_id = c.id AND s.answered_at IS NOT NULL) AS satisfaction_day,
              c.created_at, c.first_response_at, c.assignee_id,
              coalesce((SELECT array_agg(cl.label_id ORDER BY cl.label_id) FROM conversation_label cl
                         WHERE cl.conversation_id = c.id), '{}') AS label_ids,
              CASE WHEN c.first_response_at IS NOT NULL THEN
                (SELECT mm.author_agent_id FROM message mm
                  WHERE mm.conversation_id = c.id AND mm.direction = 'outbound' AND mm.kind <> 'note'
                    AND mm.author_agent_id IS NOT NULL AND (mm.meta->>'acknowledgement') IS NULL
                    AND (mm.meta->>'postedAt' IS NOT NULL
                         OR NOT EXISTS (SELECT 1 FROM channel pc WHERE pc.id = mm.channel_id AND pc.kind = ANY($3::text[])))
                  ORDER BY coalesce((mm.meta->>'postedAt')::timestamptz, mm.created_at), mm.id LIMIT 1) END AS first_responder,
              CASE WHEN rc.conversation_id IS NULL THEN
                coalesce(k.channel_kind, (SELECT ch.kind FROM message mm JOIN channel ch ON ch.id = mm.channel_id
                                           WHERE mm.conversation_id = c.id AND mm.kind <> 'note'
                                           ORDER BY mm.created_at, mm.id LIMIT 1), 'unknown') END AS origin_channel,
              rc.conversation_id IS NOT NULL AS counted,
              ${FACT_COLUMNS.map((f) => `rc.${f}${DATE_FACTS.has(f) ? '::text' : ''} AS f_${f}`).join(', ')}
         FROM unnest($1::uuid[], $2::text[]) AS k(id, channel_kind)
         JOIN conversation c ON c.id = k.id
         LEFT JOIN report_conversation rc ON rc.conversation_id = c.id`,
      [[...marks.keys()], [...marks.values()], POSTAL_KINDS],
      m,
    );
    return rows.map((r) => {
      const source: Record<string, unknown> = {};
      const fact: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(r)) {
        if (k.startsWith('f_')) fact[k.slice(2)] = v;
        else if (k !== 'counted') source[k] = v;
      }
      return {
        ...(source as unknown as ConversationSource),
        fact: r.counted ? (fact as unknown as StoredConversationFact) : null,
      };
    });
  }

  /** The opening hours of services, by id. */
  async hoursOf(m: EntityManager, teamIds: string[]): Promise<Map<string, TeamHours>> {
    const rows = await this.db.query<TeamHours & { team_id: string }>(
      `SELECT t.id AS team_id, t.opening_hours, o.opening_hours AS organization_hours, o.alsace_moselle, o.closures
         FROM team t JOIN organization o ON o.id = t.organization_id
        WHERE t.id = ANY($1::uuid[])`,
      [teamIds],
      m,
    );
    return new Map(rows.map((r) => [r.team_id, r]));
  }

  /** Forgets the facts of conversations that are gone (their counts stay in the aggregates). */
  async forgetFacts(m: EntityManager, ids: string[]): Promise<void> {
    await this.db.query(`DELETE FROM report_conversation WHERE conversation_id = ANY($1::uuid[])`, [ids], m);
  }

  /** Saves conversations' facts (each id once), in one statement (a typed array per column: no JSON to parse). */
  async saveConversationFacts(
    m: EntityManager,
    facts: Array<StoredConversationFact & { conversation_id: string }>,
  ): Promise<void> {
    if (!facts.length) return;
    const columns = ['conversation_id', ...FACT_COLUMNS] as const;
    const params = columns.map((c) =>
      facts.map((f) => {
        const v = (f as unknown as Record<string, unknown>)[c];
        // A file's labels go as one array literal per row (an array of arrays must be rectangular).
        return c === 'label_ids' ? `{${((v as string[] | null) ?? []).join(',')}}` : (v ?? null);
      }),
    );
    const updated = FACT_COLUMNS.filter((c) => !FACT_KEPT.has(c));
    await this.db.query(
      `INSERT INTO report_conversation (${columns.join(', ')})
       SELECT ${columns.map((c) => (c === 'label_ids' ? 'r.label_ids::uuid[]' : `r.${c}`)).join(', ')}
         FROM unnest(${columns.map((c, i) => `$${i + 1}::${FACT_TYPES[c]}[]`).join(', ')}) AS r(${columns.join(', ')})
       ON CONFLICT (conversation_id) DO UPDATE SET ${updated.map((c) => `${c} = EXCLUDED.${c}`).join(', ')}`,
      params,
      m,
    );
  }

  /** Telephone call messages as the aggregates count them, oldest first (a call-back after the calls it settles). */
  callSources(m: EntityManager, messageIds: string[]): Promise<CallSource[]> {
    return this.db.query<CallSource>(
      `SELECT mm.id, mm.organization_id, mm.conversation_id, c.team_id, coalesce(ch.kind, 'voice') AS channel_kind, mm.direction,
              mm.meta->'call'->>'provider' AS provider, mm.meta->'call'->>'outcome' AS outcome,
              ${PARIS_DAY('mm.created_at')} AS day, mm.created_at AS started_at
         FROM message mm JOIN conversation c ON c.id = mm.conversation_id LEFT JOIN channel ch ON ch.id = mm.channel_id
        WHERE mm.id = ANY($1::uuid[]) AND mm.kind = 'call'
        ORDER BY mm.created_at, mm.id`,
      [messageIds],
      m,
    );
  }

  /**
   * Minutes from a missed call to the first answered outgoing call of its conversation after it
   * (a call-back already counted), or null.
   */
  async callbackMinutes(m: EntityManager, conversationId: string, at: Date): Promise<number | null> {
    const [row] = await this.db.query<{ minutes: number | null }>(
      `SELECT ${MINUTES('min(mm.created_at)', '$2::timestamptz')} AS minutes FROM message mm
        WHERE mm.conversation_id = $1 AND mm.kind = 'call' AND mm.direction = 'outbound'
          AND mm.meta->'call'->>'outcome' = 'answered' AND mm.created_at > $2
          AND coalesce(mm.meta->'call'->>'provider', 'manual') <> 'manual'`,
      [conversationId, at],
      m,
    );
    return row?.minutes ?? null;
  }

  async callFact(m: EntityManager, messageId: string): Promise<CallFact | null> {
    const [row] = await this.db.query<CallFact>(
      `SELECT organization_id, team_id, channel_kind, day::text, outcome, called_back_minutes FROM report_call WHERE message_id = $1`,
      [messageId],
      m,
    );
    return row ?? null;
  }

  async saveCallFact(m: EntityManager, s: CallSource, f: CallFact): Promise<void> {
    await this.db.query(
      `INSERT INTO report_call (message_id, organization_id, conversation_id, team_id, channel_kind, day, started_at, outcome, called_back_minutes)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
       ON CONFLICT (message_id) DO UPDATE SET outcome = EXCLUDED.outcome, called_back_minutes = EXCLUDED.called_back_minutes`,
      [
        s.id,
        f.organization_id,
        s.conversation_id,
        f.team_id,
        f.channel_kind,
        f.day,
        s.started_at,
        f.outcome,
        f.called_back_minutes,
      ],
      m,
    );
  }

  /** Missed calls of a conversation, before `at`, not called back yet: an answered call-back settles them. */
  async settleMissedCalls(m: EntityManager, conversationId: string, at: Date): Promise<Array<CallFact & { before: CallFact }>> {
    const rows = await this.db.query<CallFact & { message_id: string }>(
      `UPDATE report_call SET called_back_minutes = ${MINUTES('$2::timestamptz', 'started_at')}
        WHERE conversation_id = $1 AND outcome = 'missed' AND called_back_minutes IS NULL AND started_at < $2
        RETURNING message_id, organization_id, team_id, channel_kind, day::text, outcome, called_back_minutes`,
      [conversationId, at],
      m,
    );
    return rows.map((r) => ({ ...r, before: { ...r, called_back_minutes: null } }));
  }

  /**
   * Adds deltas to the daily rows, then the same deltas summed per month to the monthly rollups
   * (per service, channel and démarche; per service only), in the caller's transaction (the
   * fold's): a month's row is always the sum of its days.
   */
  async addDaily(m: EntityManager, deltas: DailyDelta[]): Promise<void> {
    if (!deltas.length) return;
    await this.upsertCounters(m, 'report_daily', 'day', deltas);
    await this.upsertCounters(m, 'report_monthly', 'month', monthlyDaily(deltas));
    await this.upsertCounters(m, 'report_team_monthly', 'month', teamMonthlyDaily(deltas));
  }

  private async upsertCounters(
    m: EntityManager,
    table:
      | 'report_daily'
      | 'report_monthly'
      | 'report_team_monthly'
      | 'report_label_daily'
      | 'report_label_monthly'
      | 'report_label_team_monthly',
    period: 'day' | 'month',
    deltas: Array<DailyDelta & { label_id?: string }>,
  ): Promise<void> {
    const label = table.startsWith('report_label_');
    // The per-service rollups have no channel and no démarche.
    const perTeam = table === 'report_team_monthly' || table === 'report_label_team_monthly';
    const dims = perTeam ? '' : ', channel_kind, request_type_id';
    const rows = deltas.map((d) => ({
      label_id: d.label_id,
      organization_id: d.organization_id,
      day: d.day,
      team_id: d.team_id,
      channel_kind: d.channel_kind,
      request_type_id: d.request_type_id,
      ...Object.fromEntries(DAILY_COUNTERS.map((c) => [c, d.counters[c] ?? 0])),
      satisfaction_hist: d.hist ?? new Array<number>(11).fill(0),
    }));
    const cols = DAILY_COUNTERS.join(', ');
    const labelCol = label ? 'label_id, ' : '';
    await this.db.query(
      `INSERT INTO ${table} (${labelCol}organization_id, ${period}, team_id${dims}, ${cols}, satisfaction_hist)
       SELECT ${label ? 'r.label_id, ' : ''}r.organization_id, r.day, r.team_id${perTeam ? '' : ', r.channel_kind, r.request_type_id'},
              ${DAILY_COUNTERS.map((c) => `r.${c}`).join(', ')},
              ARRAY(SELECT jsonb_array_elements_text(r.satisfaction_hist)::int)
         FROM jsonb_to_recordset($1::jsonb) AS r(label_id uuid, organization_id uuid, day date, team_id uuid, channel_kind text,
              request_type_id uuid, ${DAILY_COUNTERS.map((c) => `${c} ${c === 'callback_minutes' ? 'bigint' : 'int'}`).join(', ')},
              satisfaction_hist jsonb)
       ON CONFLICT (organization_id, ${labelCol}${period}, team_id${dims}) DO UPDATE SET
         ${DAILY_COUNTERS.map((c) => `${c} = ${table}.${c} + EXCLUDED.${c}`).join(', ')},
         satisfaction_hist = ARRAY(SELECT a + b FROM unnest(${table}.satisfaction_hist, EXCLUDED.satisfaction_hist) AS h(a, b))`,
      [pgJson(rows)],
      m,
    );
  }

  /** Adds histogram deltas to the daily rows, then per month and service to the monthly rollup (same order as addDaily). */
  async addDurations(m: EntityManager, deltas: DurationDelta[]): Promise<void> {
    if (!deltas.length) return;
    await this.db.query(
      `INSERT INTO report_duration (organization_id, metric, day, team_id, channel_kind, request_type_id, bucket, n)
       SELECT r.organization_id, r.metric, r.day, r.team_id, r.channel_kind, r.request_type_id, r.bucket, r.n
         FROM jsonb_to_recordset($1::jsonb) AS r(organization_id uuid, metric text, day date, team_id uuid, channel_kind text,
              request_type_id uuid, bucket int, n int)
       ON CONFLICT (organization_id, metric, day, team_id, channel_kind, request_type_id, bucket)
       DO UPDATE SET n = report_duration.n + EXCLUDED.n`,
      [pgJson(deltas)],
      m,
    );
    const months = monthlyDurations(deltas);
    if (!months.length) return;
    await this.db.query(
      `INSERT INTO report_duration_monthly (organization_id, metric, month, team_id, bucket, n)
       SELECT r.organization_id, r.metric, r.day, r.team_id, r.bucket, r.n
         FROM jsonb_to_recordset($1::jsonb) AS r(organization_id uuid, metric text, day date, team_id uuid, bucket int, n int)
       ON CONFLICT (organization_id, metric, month, team_id, bucket) DO UPDATE SET n = report_duration_monthly.n + EXCLUDED.n`,
      [pgJson(months)],
      m,
    );
  }

  /**
   * The label rows of a file's labels, daily then per month (counters: per service, channel and
   * démarche, and per service only) and per month and service (histograms).
   */
  async addLabelled(m: EntityManager, daily: LabelDailyDelta[], durations: LabelDurationDelta[]): Promise<void> {
    if (daily.length) {
      await this.upsertCounters(m, 'report_label_daily', 'day', daily);
      await this.upsertCounters(m, 'report_label_monthly', 'month', monthlyDaily(daily));
      await this.upsertCounters(m, 'report_label_team_monthly', 'month', teamMonthlyDaily(daily));
    }
    if (!durations.length) return;
    await this.db.query(
      `INSERT INTO report_label_duration (organization_id, label_id, metric, day, team_id, channel_kind, request_type_id, bucket, n)
       SELECT r.organization_id, r.label_id, r.metric, r.day, r.team_id, r.channel_kind, r.request_type_id, r.bucket, r.n
         FROM jsonb_to_recordset($1::jsonb) AS r(organization_id uuid, label_id uuid, metric text, day date, team_id uuid,
              channel_kind text, request_type_id uuid, bucket int, n int)
       ON CONFLICT (organization_id, label_id, metric, day, team_id, channel_kind, request_type_id, bucket)
       DO UPDATE SET n = report_label_duration.n + EXCLUDED.n`,
      [pgJson(durations)],
      m,
    );
    const months = monthlyDurations(durations);
    if (!months.length) return;
    await this.db.query(
      `INSERT INTO report_label_duration_monthly (organization_id, label_id, metric, month, team_id, bucket, n)
       SELECT r.organization_id, r.label_id, r.metric, r.day, r.team_id, r.bucket, r.n
         FROM jsonb_to_recordset($1::jsonb) AS r(organization_id uuid, label_id uuid, metric text, day date, team_id uuid,
              bucket int, n int)
       ON CONFLICT (organization_id, label_id, metric, month, team_id, bucket)
       DO UPDATE SET n = report_label_duration_monthly.n + EXCLUDED.n`,
      [pgJson(months)],
      m,
    );
  }

  async addAgents(m: EntityManager, agents: AgentDelta[], durations: AgentDurationDelta[]): Promise<void> {
    if (agents.length)
      await this.db.query(
        `INSERT INTO report_agent_daily (organization_id, day, team_id, agent_id, handled, first_responses)
         SELECT r.organization_id, r.day, r.team_id, r.agent_id, r.handled, r.first_responses
           FROM jsonb_to_recordset($1::jsonb) AS r(organization_id uuid, day date, team_id uuid, agent_id uuid, handled int,
                first_responses int)
         ON CONFLICT (organization_id, day, team_id, agent_id) DO UPDATE SET
           handled = report_agent_daily.handled + EXCLUDED.handled,
           first_responses = report_agent_daily.first_responses + EXCLUDED.first_responses`,
        [pgJson(agents)],
        m,
      );
    if (durations.length)
      await this.db.query(
        `INSERT INTO report_agent_duration (organization_id, metric, day, team_id, agent_id, bucket, n)
         SELECT r.organization_id, r.metric, r.day, r.team_id, r.agent_id, r.bucket, r.n
           FROM jsonb_to_recordset($1::jsonb) AS r(organization_id uuid, metric text, day date, team_id uuid, agent_id uuid,
                bucket int, n int)
         ON CONFLICT (organization_id, metric, day, team_id, agent_id, bucket) DO UPDATE SET n = report_agent_duration.n + EXCLUDED.n`,
        [pgJson(durations)],
        m,
      );
  }

  /**
   * The rows of a period, as one relation `d` with a `day` column: the monthly rollup for the
   * whole months of the period and the daily rows for the partial months at its edges (or the
   * daily rows only, when the caller groups by day or week). `cuts` are days the period is also
   * split after, so that no monthly row straddles one (a FILTER on `d.day <= cut` is then exact).
   * `perTeam`: the caller reads no channel or démarche column (`cols`), so that whole months may
   * come from the per-service rollup when none is filtered either.
   * Parameters $1 organization, $2 services, $3 channels, $4 démarches, then the ranges.
   */
  private periodRows(
    scope: ReportScope,
    tables: { daily: string; monthly: string; monthlyByTeamOnly?: boolean },
    cols: string,
    byDay: boolean,
    cuts: string[] = [],
    perTeam = false,
  ): { sql: string; params: unknown[] } {
    const params: unknown[] = [scope.organizationId, scope.teamIds, scope.channelKinds ?? null, scope.requestTypeIds ?? null];
    // A sum per service only (no channel or démarche read, none filtered): whole months from the per-service rollups.
    const narrow = perTeam && tables.daily === 'report_daily' && !scope.channelKinds?.length && !scope.requestTypeIds?.length;
    // One label: its own rows (its daily rows, its monthly rollups), the same dimensions.
    if (scope.labelId) {
      params.push(scope.labelId);
      tables = tables.daily !== 'report_daily' ? LABEL_DURATIONS : narrow ? LABEL_TEAM_COUNTERS : LABEL_COUNTERS;
    } else if (narrow) tables = TEAM_COUNTERS;
    const label = scope.labelId ? ' AND d.label_id = $5' : '';
    const filters = `d.organization_id = $1${label} AND ($2::uuid[] IS NULL OR d.team_id = ANY($2))
          AND ($3::text[] IS NULL OR d.channel_kind = ANY($3)) AND ($4::uuid[] IS NULL OR d.request_type_id = ANY($4))`;
    // A rollup per service only answers when no channel and no démarche is asked (durations() sees to it).
    const monthFilters = tables.monthlyByTeamOnly
      ? `d.organization_id = $1${label} AND ($2::uuid[] IS NULL OR d.team_id = ANY($2)) AND $3::text[] IS NULL AND $4::uuid[] IS NULL`
      : filters;
    const parts: string[] = [];
    const range = (r: [string, string]) => {
      params.push(r[0], r[1]);
      return `BETWEEN $${params.length - 1}::date AND $${params.length}::date`;
    };
    for (const [from, to] of cutPeriod(scope.from, scope.to, cuts)) {
      const split: PeriodSplit = byDay ? { months: null, days: [[from, to]] } : splitPeriod(from, to);
      if (split.months)
        parts.push(
          `SELECT d.month AS day, ${cols} FROM ${tables.monthly} d WHERE ${monthFilters} AND d.month ${range(split.months)}`,
        );
      for (const days of split.days)
        parts.push(`SELECT d.day, ${cols} FROM ${tables.daily} d WHERE ${filters} AND d.day ${range(days)}`);
    }
    return { sql: parts.join('\n UNION ALL\n'), params };
  }

  /**
   * Sums of the aggregates of a period: the total (`set` 'all') and one row per value of each
   * dimension asked (`period` is the first day of the day / ISO week / month), with the fields
   * asked only. Whole months are read from the monthly rollup; a series by day or week reads the
   * daily rows, in a query of its own so that the other sums still read months.
   */
  async sums<F extends SumField>(
    scope: ReportScope,
    granularity: 'day' | 'week' | 'month',
    dims: ReportDimension[],
    fields: readonly F[],
    sql = this.alone,
  ): Promise<Array<SumRow<F>>> {
    if (granularity !== 'month' && dims.includes('period')) {
      const [rest, series] = await Promise.all([
        this.sumRows(scope, { granularity, dims: dims.filter((d) => d !== 'period'), fields }, sql),
        this.series(scope, granularity, fields, sql),
      ]);
      return [...rest, ...series];
    }
    return this.sumRows(scope, { granularity, dims, fields }, sql);
  }

  /** The counters per day or ISO week, from the daily rows. */
  private series<F extends SumField>(
    scope: ReportScope,
    granularity: 'day' | 'week',
    fields: readonly F[],
    sql: Sql,
  ): Promise<Array<SumRow<F>>> {
    const source = this.periodRows(scope, { daily: 'report_daily', monthly: 'report_monthly' }, columnsOf(fields), true);
    return sql<SumRow<F>>(
      `SELECT 'period' AS set, date_trunc('${granularity}', d.day)::date::text AS period, NULL AS team_id, NULL AS channel_kind,
              NULL AS request_type_id, ${sumsOf(fields)}
         FROM (${source.sql}) d
        GROUP BY 2`,
      source.params,
    );
  }

  private sumRows<F extends SumField>(
    scope: ReportScope,
    { granularity, dims, fields }: { granularity: 'day' | 'week' | 'month'; dims: ReportDimension[]; fields: readonly F[] },
    sql: Sql,
  ): Promise<Array<SumRow<F>>> {
    const expr: Record<ReportDimension, string> = {
      period: `date_trunc('${granularity}', d.day)`,
      team: 'd.team_id',
      channel: 'd.channel_kind',
      type: 'd.request_type_id',
    };
    const col = (dim: ReportDimension, as: string, cast = '') =>
      dims.includes(dim) ? `${expr[dim]}${cast} AS ${as}` : `NULL AS ${as}`;
    const set = dims.length
      ? `CASE ${dims.map((dim) => `WHEN GROUPING(${expr[dim]}) = 0 THEN '${dim}'`).join(' ')} ELSE 'all' END`
      : `'all'`;
    // Sums by service at most read the per-service rollup for whole months (periodRows).
    const perTeam = !dims.includes('channel') && !dims.includes('type');
    const source = this.periodRows(
      scope,
      { daily: 'report_daily', monthly: 'report_monthly' },
      `d.team_id, ${perTeam ? '' : 'd.channel_kind, d.request_type_id, '}${columnsOf(fields)}`,
      false,
      [],
      perTeam,
    );
    return sql<SumRow<F>>(
      `SELECT ${set} AS set, ${col('period', 'period', '::date::text')}, ${col('team', 'team_id')},
              ${col('channel', 'channel_kind')}, ${col('type', 'request_type_id')},
              ${sumsOf(fields)}
         FROM (${source.sql}) d
        GROUP BY GROUPING SETS (()${dims.map((dim) => `, (${expr[dim]})`).join('')})`,
      source.params,
    );
  }

  /**
   * Files open per service at the end of the period and at the end of the previous one (created
   * by then, not resolved by then), and the previous period's volumes: one read of the history
   * (every row since HISTORY_START up to the period's end), cut at both ends of the previous
   * period so that FILTERs on the day are exact.
   */
  backlog(
    scope: ReportScope,
    previous: { from: string; to: string },
    sql = this.alone,
  ): Promise<
    Array<{
      team_id: string;
      open: number;
      previous_open: number;
      previous_created: number;
      previous_reopened: number;
      previous_resolved: number;
    }>
  > {
    const beforePrevious = addDays(previous.from, -1);
    const source = this.periodRows(
      { ...scope, from: HISTORY_START },
      { daily: 'report_daily', monthly: 'report_monthly' },
      'd.team_id, d.created, d.reopened, d.resolved',
      false,
      [beforePrevious, previous.to].filter((c) => c >= HISTORY_START),
      true,
    );
    const n = source.params.length;
    // Years of monthly rows, summed in one pass, never by parallel workers (the report tables'
    // `parallel_workers` is 0, ReportTablesSerial1765101000001): one statement, one round trip.
    return sql(
      `SELECT d.team_id, (sum(d.created) - sum(d.resolved))::int AS open,
              (coalesce(sum(d.created) FILTER (WHERE d.day <= $${n + 2}::date), 0)
               - coalesce(sum(d.resolved) FILTER (WHERE d.day <= $${n + 2}::date), 0))::int AS previous_open,
              coalesce(sum(d.created) FILTER (WHERE d.day BETWEEN $${n + 1}::date AND $${n + 2}::date), 0)::int AS previous_created,
              coalesce(sum(d.reopened) FILTER (WHERE d.day BETWEEN $${n + 1}::date AND $${n + 2}::date), 0)::int AS previous_reopened,
              coalesce(sum(d.resolved) FILTER (WHERE d.day BETWEEN $${n + 1}::date AND $${n + 2}::date), 0)::int AS previous_resolved
         FROM (${source.sql}) d
        GROUP BY d.team_id`,
      [...source.params, previous.from, previous.to],
    );
  }

  /**
   * The counters asked for per period and per service (`period` the first day of the day / ISO
   * week / month), in one read: a report's series and each service's, added up by the caller
   * (the volumes and the backlog over time, the telephone, satisfaction). By month, whole months
   * come from the per-service rollup when no channel or démarche is asked (periodRows); by day or
   * week, from the daily rows (a week can straddle two months).
   */
  seriesByTeam<F extends SumField>(
    scope: ReportScope,
    granularity: 'day' | 'week' | 'month',
    fields: readonly F[],
    sql = this.alone,
  ): Promise<Array<SeriesRow<F>>> {
    const source = this.periodRows(
      scope,
      { daily: 'report_daily', monthly: 'report_monthly' },
      `d.team_id, ${columnsOf(fields)}`,
      granularity !== 'month',
      [],
      true,
    );
    return sql(
      `SELECT date_trunc('${granularity}', d.day)::date::text AS period, d.team_id, ${sumsOf(fields)}
         FROM (${source.sql}) d
        GROUP BY 1, 2`,
      source.params,
    );
  }

  /** Histogram of durations per service over a period (whole months from the monthly rollup when no channel or démarche is asked). */
  durations(
    scope: ReportScope,
    sql = this.alone,
  ): Promise<Array<{ metric: DurationMetric; team_id: string; bucket: number; n: number }>> {
    // The monthly histograms are per service only: a channel or a démarche reads the daily ones.
    const filtered = !!scope.channelKinds?.length || !!scope.requestTypeIds?.length;
    const source = this.periodRows(
      scope,
      { daily: 'report_duration', monthly: 'report_duration_monthly', monthlyByTeamOnly: true },
      'd.metric, d.team_id, d.bucket, d.n',
      filtered,
    );
    return sql(
      `SELECT metric, team_id, bucket, sum(n)::int AS n FROM (${source.sql}) d
        GROUP BY metric, team_id, bucket HAVING sum(n) <> 0`,
      source.params,
    );
  }

  /**
   * Files overdue at `at` per service, from the conversations themselves (a state now, not a sum
   * of days): still in progress and past their due date (the partial due-date index holds them).
   */
  overdue(
    scope: ReportScope,
    at: Date,
    sql = this.alone,
  ): Promise<Array<{ team_id: string; total: number; decision: number; response: number }>> {
    return sql(
      `SELECT c.team_id, count(*)::int AS total,
              count(*) FILTER (WHERE c.decision_due_at < $5)::int AS decision,
              count(*) FILTER (WHERE c.first_response_at IS NULL AND c.response_due_at < $5)::int AS response
         FROM conversation c
         LEFT JOIN report_conversation rc ON $3::text[] IS NOT NULL AND rc.conversation_id = c.id
        WHERE c.organization_id = $1 AND c.due_at IS NOT NULL AND c.due_at < $5
          AND c.status IN ('open', 'pending', 'snoozed')
          AND ($2::uuid[] IS NULL OR c.team_id = ANY($2))
          AND ($3::text[] IS NULL OR rc.channel_kind = ANY($3))
          AND ($4::uuid[] IS NULL OR c.request_type_id = ANY($4))
          AND ($6::uuid IS NULL OR EXISTS (SELECT 1 FROM conversation_label cl WHERE cl.conversation_id = c.id AND cl.label_id = $6))
        GROUP BY c.team_id`,
      [scope.organizationId, scope.teamIds, scope.channelKinds ?? null, scope.requestTypeIds ?? null, at, scope.labelId ?? null],
    );
  }

  /**
   * The newest comments of the period (answered on those days, Europe/Paris), for the services in
   * scope: what was said and scored, never by whom.
   */
  async satisfactionComments(
    scope: ReportScope,
    limit: number,
    sql = this.alone,
  ): Promise<Array<{ answered_at: Date; score: number; comment: string; team_id: string; conversation_id: string }>> {
    type Comment = { answered_at: Date | string; score: number; comment: string; team_id: string; conversation_id: string };
    const rows = await sql<Comment>(
      `SELECT s.answered_at, s.score, s.comment, c.team_id, s.conversation_id
         FROM satisfaction_survey s
         JOIN conversation c ON c.id = s.conversation_id
         LEFT JOIN report_conversation rc ON rc.conversation_id = s.conversation_id
        WHERE s.organization_id = $1 AND s.comment IS NOT NULL
          AND s.answered_at >= ($2::date)::timestamp AT TIME ZONE 'Europe/Paris'
          AND s.answered_at < ($3::date + 1)::timestamp AT TIME ZONE 'Europe/Paris'
          AND ($4::uuid[] IS NULL OR c.team_id = ANY($4))
          AND ($6::text[] IS NULL OR rc.channel_kind = ANY($6))
          AND ($7::uuid[] IS NULL OR c.request_type_id = ANY($7))
          AND ($8::uuid IS NULL OR EXISTS (SELECT 1 FROM conversation_label cl WHERE cl.conversation_id = c.id AND cl.label_id = $8))
        ORDER BY s.answered_at DESC
        LIMIT $5`,
      [
        scope.organizationId,
        scope.from,
        scope.to,
        scope.teamIds,
        limit,
        scope.channelKinds ?? null,
        scope.requestTypeIds ?? null,
        scope.labelId ?? null,
      ],
    );
    // Read together, the times are text and the order is json_agg's: sorted again (stable: ties stay as read).
    return rows
      .map((r) => ({ ...r, answered_at: new Date(r.answered_at) }))
      .sort((a, b) => b.answered_at.getTime() - a.answered_at.getTime());
  }

  /**
   * Per agent over a period, for the services in scope: handled files and first answers in total
   * (`period` null) and per day / ISO week / month, from the agents' daily rows.
   */
  agentSums(
    scope: ReportScope,
    granularity: 'day' | 'week' | 'month',
  ): Promise<Array<{ agent_id: string; period: string | null; handled: number; first_responses: number }>> {
    return this.db.query(
      `SELECT d.agent_id, CASE WHEN GROUPING(date_trunc('${granularity}', d.day)) = 0
                               THEN date_trunc('${granularity}', d.day)::date::text END AS period,
              sum(d.handled)::int AS handled, sum(d.first_responses)::int AS first_responses
         FROM report_agent_daily d
        WHERE d.organization_id = $1 AND ($2::uuid[] IS NULL OR d.team_id = ANY($2)) AND d.day BETWEEN $3::date AND $4::date
        GROUP BY GROUPING SETS ((d.agent_id), (d.agent_id, date_trunc('${granularity}', d.day)))`,
      [scope.organizationId, scope.teamIds, scope.from, scope.to],
    );
  }

  /** The agents' first-answer times over a period (histograms, calendar and opening hours). */
  agentDurations(
    scope: ReportScope,
  ): Promise<Array<{ agent_id: string; metric: 'first_response' | 'first_response_open'; bucket: number; n: number }>> {
    return this.db.query(
      `SELECT d.agent_id, d.metric, d.bucket, sum(d.n)::int AS n
         FROM report_agent_duration d
        WHERE d.organization_id = $1 AND ($2::uuid[] IS NULL OR d.team_id = ANY($2)) AND d.day BETWEEN $3::date AND $4::date
        GROUP BY d.agent_id, d.metric, d.bucket HAVING sum(d.n) <> 0`,
      [scope.organizationId, scope.teamIds, scope.from, scope.to],
    );
  }

  /** The agents of the services in scope (every one of the organization for null), active or not, with their names. */
  agentsOf(organizationId: string, teamIds: string[] | null): Promise<Array<{ id: string; name: string; active: boolean }>> {
    return this.db.query(
      `SELECT a.id, a.name, a.active FROM agent a
        WHERE a.organization_id = $1
          AND ($2::uuid[] IS NULL OR EXISTS (SELECT 1 FROM agent_team at WHERE at.agent_id = a.id AND at.team_id = ANY($2)))`,
      [organizationId, teamIds],
    );
  }

  /** Names of agents by id (those with figures who left the services since). */
  agentNames(organizationId: string, ids: string[]): Promise<Array<{ id: string; name: string }>> {
    return this.db.query(`SELECT id, name FROM agent WHERE organization_id = $1 AND id = ANY($2::uuid[])`, [organizationId, ids]);
  }

  /** Names for the report's rows: services and démarches of the organization (archived ones too). */
  async names(
    organizationId: string,
    sql = this.alone,
  ): Promise<{ teams: Map<string, string>; types: Map<string, string>; labels: Map<string, string>; organization: string }> {
    const rows = await sql<{ kind: 'team' | 'type' | 'label' | 'organization'; id: string; name: string }>(
      `SELECT 'team' AS kind, id, name FROM team WHERE organization_id = $1
       UNION ALL SELECT 'type', id, name FROM request_type WHERE organization_id = $1
       UNION ALL SELECT 'label', id, name FROM label WHERE organization_id = $1
       UNION ALL SELECT 'organization', id, name FROM organization WHERE id = $1`,
      [organizationId],
    );
    const of = (kind: string) => new Map(rows.filter((r) => r.kind === kind).map((r) => [r.id, r.name]));
    return {
      teams: of('team'),
      types: of('type'),
      labels: of('label'),
      organization: rows.find((r) => r.kind === 'organization')?.name ?? '',
    };
  }

  /** An organization's name and open-data publication, by id or by its public slug. */
  async openDataSettings(
    by: { id: string } | { slug: string },
  ): Promise<{ id: string; slug: string; name: string; open_data: OpenDataMode } | null> {
    const [row] = await this.db.query<{ id: string; slug: string; name: string; open_data: OpenDataMode }>(
      `SELECT id, slug, name, open_data FROM organization WHERE ${'id' in by ? 'id = $1' : 'slug = $1'}`,
      ['id' in by ? by.id : by.slug],
    );
    return row ?? null;
  }

  /** The first month with counted activity (`YYYY-MM-01`), or null. */
  async firstMonth(organizationId: string): Promise<string | null> {
    const [row] = await this.db.query<{ first: string | null }>(
      `SELECT min(month)::text AS first FROM report_monthly WHERE organization_id = $1`,
      [organizationId],
    );
    return row?.first ?? null;
  }

  // ---- Backfill (files written before the listener) ----

  async backfillDone(m?: EntityManager): Promise<boolean> {
    const [row] = await this.db.query(`SELECT 1 FROM report_backfill`, [], m);
    return !!row;
  }

  /** Takes the backfill's mark (the one instance that gets it runs it); false when it is done or running elsewhere. */
  async claimBackfill(m: EntityManager): Promise<boolean> {
    const rows = await this.db.query(`INSERT INTO report_backfill DEFAULT VALUES ON CONFLICT DO NOTHING RETURNING id`, [], m);
    return rows.length > 0;
  }

  /**
   * Marks for the fold the next `limit` conversations by id after `after` and their telephone
   * calls (the one-time backfill, primary key order): how many, and the last id (null at the end).
   */
  async markAfter(after: string, limit: number): Promise<{ last: string | null; n: number }> {
    const [row] = await this.db.query<{ last: string | null; n: number }>(
      `WITH next AS (SELECT id FROM conversation WHERE id > $1::uuid ORDER BY id LIMIT $2),
            marked AS (INSERT INTO report_pending (conversation_id) SELECT id FROM next),
            calls AS (INSERT INTO report_pending (conversation_id, message_id)
                      SELECT mm.conversation_id, mm.id FROM message mm
                       WHERE mm.conversation_id IN (SELECT id FROM next) AND mm.kind = 'call')
       SELECT (SELECT id::text FROM next ORDER BY id DESC LIMIT 1) AS last, (SELECT count(*)::int FROM next) AS n`,
      [after, limit],
    );
    return { last: row?.last ?? null, n: row?.n ?? 0 };
  }
}
