import { Injectable } from '@nestjs/common';
import {
  emptyConversationCounts,
  normalizeEmail,
  normalizePhone,
  referenceSearched,
  SEARCH_TOTAL_CAP,
  type ChannelKind,
  type IdentityKind,
  type ConversationCountsDto,
  type ConversationStatus,
  type DecisionRegime,
  type NonWorkingDay,
  type Priority,
} from '@guichet/contracts';
import type { EntityManager } from 'typeorm';
import { Database } from '../../common/database';
import { QUEUES } from '../../infra/jobs/job-queue';
import { pgJson } from '../../common/pg-text';
import { PLANNED_PER_CALL } from '../../database/preparing-client';
import { drawReference } from './references';
import { CONVERSATION_COLUMNS, DUE_KEY, type ConversationRow } from './conversation.mapper';
import { SKIPPED_NOTICE } from './message.repository';

export interface ConversationFilter {
  organizationId: string;
  /** Restrict to these teams or to conversations assigned to `orSelf` (plain agents). */
  visibleTeamIds?: string[];
  orSelf?: string;
  status?: ConversationStatus[];
  teamId?: string;
  assigneeId?: string | null;
  channel?: ChannelKind;
  /** Only files carrying this label. */
  labelId?: string;
  q?: string;
  /** In progress with a due date: passed (`overdue`) or within 48 hours (`soon`). Implies `sortByDue`. */
  due?: 'overdue' | 'soon';
  /** Earliest due date first, keyset on (due_at, id); only files in progress with a due date. */
  sortByDue?: boolean;
  after?: [string, string];
  limit: number;
}

/** Files in progress: the statuses the due-date views and their partial indexes cover. */
const IN_PROGRESS = `('open', 'pending', 'snoozed')`;
const DUE_SOON = `interval '48 hours'`;

/**
 * The state a conversation's past left it in, for one written with its history (the demo town,
 * an import from another tool): every date is the history's, not now.
 */
export interface ConversationHistory {
  status: ConversationStatus;
  priority: Priority;
  assigneeId: string | null;
  snippet: string;
  lastChannelKind: ChannelKind | null;
  unread: boolean;
  callbackNeeded: boolean;
  snoozedUntil: Date | null;
  lastMessageAt: Date;
  lastInboundAt: Date | null;
  firstResponseAt: Date | null;
  resolvedAt: Date | null;
}

export interface ConversationChanges {
  status?: ConversationStatus;
  priority?: Priority;
  teamId?: string;
  assigneeId?: string | null;
  snoozedUntil?: string | null;
  requestTypeId?: string | null;
  decisionRegime?: DecisionRegime | null;
  /** Written with its reason for a closed day below (none when the date is removed). */
  decisionDueAt?: Date | null;
  /** Why the town is closed on decisionDueAt (read only with it). */
  decisionDueNonWorkingDay?: NonWorkingDay | null;
  responseDueAt?: Date | null;
  documentsRequestedAt?: Date | null;
  documentsReceivedAt?: Date | null;
  /** The citizen's answer to the satisfaction survey (issue 15), 0–10. */
  satisfaction?: number;
  /** L114-2: the administration the file was forwarded to. */
  transmittedTo?: string | null;
}

/** A phone or e-mail typed in the search box also finds the citizen by identity. */
function identityCandidates(q: string): string[] {
  const out: string[] = [];
  for (const f of [normalizeEmail, normalizePhone]) {
    try {
      out.push(f(q));
    } catch {
      /* not that kind */
    }
  }
  return out;
}

/** The sort key of a conversation as text (fixed width, microseconds): it orders as the keyset does. */
const SORT_KEY = `to_char(c.last_message_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;

/** Beyond this many citizens of one name, a supervisor's search reads them as a subquery. */
const CONTACTS_NAMED_MAX = 1000;

/** A common word (denseByDate): the newest files tested, the share of them that must hold it, the walk's bound. */
const DENSE_SAMPLE = 100;
const DENSE_SHARE = 5;
const DENSE_WALK = 5 * (SEARCH_TOTAL_CAP + 1);
/** Words in one of the newest files in EARLY_SHARE: their first page is walked during the probe, over at most EARLY_WALK files. */
const EARLY_SHARE = 50;
const EARLY_WALK = 2000;

/** One kind of match of a search: a condition on `c`, its parameters added to `sql`. */
type Branch = (sql: Params) => string;

/** The `n` newest files of `scope` that hold `words`, named `c` as the words' condition expects (FROM item). */
const newest = (scope: string, n: number, words: Branch, sql: Params) =>
  `(SELECT c.search_doc FROM conversation c WHERE ${scope}
     ORDER BY c.last_message_at DESC, c.id DESC LIMIT ${n}) c WHERE ${words(sql)}`;

/** [id, sort key] pairs in the keyset's order: newest first. */
const newestFirst = ([ia, ka]: [string, string], [ib, kb]: [string, string]) =>
  ka === kb ? (ia < ib ? 1 : -1) : ka < kb ? 1 : -1;

/** Positional parameters of one statement. */
class Params {
  constructor(readonly values: unknown[]) {}
  p(v: unknown): string {
    this.values.push(v);
    return `$${this.values.length}`;
  }
}

@Injectable()
export class ConversationRepository {
  constructor(private readonly db: Database) {}

  /**
   * Inbox lists: newest activity first, keyset pagination on (last_message_at, id); by due date
   * (`sortByDue`, `due`): earliest first, keyset on (due_at, id), only files in progress with a due
   * date (the partial due indexes). A search goes to `search`.
   */
  async list(f: ConversationFilter): Promise<ConversationRow[]> {
    if (f.q) return (await this.search({ ...f, q: f.q })).rows;
    const byDue = f.sortByDue || !!f.due;
    const sql = new Params([f.organizationId]);
    // The due-date order pages on its own key: the scope's recency keyset is left out.
    const scope = this.scope(byDue ? { ...f, after: undefined } : f, sql);
    if (byDue && f.after) scope.push(`(c.due_at, c.id) > (${sql.p(f.after[0])}::timestamptz, ${sql.p(f.after[1])}::uuid)`);
    return this.db.query<ConversationRow>(
      `SELECT ${CONVERSATION_COLUMNS}${byDue ? `, ${DUE_KEY}` : ''}
         FROM conversation c JOIN contact ct ON ct.id = c.contact_id
        WHERE ${scope.join(' AND ')}
        ORDER BY ${byDue ? 'c.due_at, c.id' : 'c.last_message_at DESC, c.id DESC'}
        LIMIT ${sql.p(f.limit)}`,
      sql.values,
    );
  }

  /**
   * A search, in recency order with keyset pages, without building every match and without
   * trusting the planner's guess of how common a word is:
   * 0. a word common among the newest files is proved over SEARCH_TOTAL_CAP by a walk by date
   *    (denseByDate), without the probe: then as a dense word below.
   * 1. a probe takes up to SEARCH_TOTAL_CAP + 1 files holding the words (`search_doc`) in no
   *    order, from the text index (words found in a few of the newest files have their first page
   *    walked meanwhile: boundedWalk, used if over the cap; they are first only counted up to
   *    SEARCH_TOTAL_CAP + 1, the count sent beside the sample, then probed if under it). Over the
   *    cap (a common word or name: its matches are dense), one walk of the conversations by date
   *    takes the first `limit` files matching any way
   *    (words, citizen, identity, reference): the other kinds are never probed, the total is
   *    « plus de 1 000 ».
   * 2. otherwise each other kind of match (citizen name, identity, reference) is probed the same
   *    way; a kind under the cap is complete: its matches are sorted here; one over it is walked.
   * 3. the page's rows are read by id.
   * The total is the probes' distinct matches, `more` beyond the cap.
   */
  async search(
    f: ConversationFilter & { q: string },
  ): Promise<{ rows: ConversationRow[]; total: { count: number; more: boolean } }> {
    const cap = SEARCH_TOTAL_CAP;
    const probed: { b: number; id: string; k: string }[] = [];
    const dense = new Set<number>();
    const words = this.wordsBranch(f.q);
    // A word likely over the cap (its first page walked meanwhile) is first only counted
    // (countWords), up to SEARCH_TOTAL_CAP + 1: no ids, no sort keys, no rows sent. Under the cap,
    // probed as usual. `early`: counted only if the newest files hold the words as the early walk
    // below requires (the sample's condition, tested in the same statement): sent beside the
    // sample, the count is then not waited for after it, and costs nothing for a word the sample
    // settles alone. Undefined when that condition did not hold.
    const countWords = async (early: boolean): Promise<number | undefined> => {
      const st = this.countWordsStatement(f, words, early);
      const [row] = await this.db.query<{ n: number | null }>(st.text, st.values);
      return row!.n ?? undefined;
    };
    // The words (first = 0) by the text index, an agent's visibility in it; an agent's branch over
    // the cap in either of its two parts is over the cap.
    const probe = async (branches: Branch[], first: number) => {
      const st = this.searchStatement(
        f,
        branches,
        (where, sql, i) =>
          `(SELECT ${first + i} AS b, c.id, ${SORT_KEY} AS k FROM conversation c WHERE ${where} LIMIT ${sql.p(cap + 1)})`,
        { byIndex: first === 0 },
      );
      const rows = await this.db.query<{ b: number; id: string; k: string }>(st.text, st.values);
      const perBranch = new Map<number, number>();
      for (const r of rows) perBranch.set(r.b, (perBranch.get(r.b) ?? 0) + 1);
      for (const [b, n] of perBranch) if (n > cap) dense.add(b);
      probed.push(...rows);
    };
    // Dense words: one walk by date on every kind of match, each file's citizen looked up by key.
    const anyKind = () => this.anyOf([words, ...this.otherBranches(f, f.q, 'walked')]);
    const counted = countWords(true);
    counted.catch(() => undefined); // awaited below only for such words: not an unhandled rejection
    const common = await this.denseByDate(f, words);
    // Words in a few of the newest files may well be over the cap (« Martin »): their first page
    // is walked meanwhile, on another connection, the count deciding which answer counts. (The
    // same condition as earlySample's, which guards the count sent above: keep them in step.)
    let early: Promise<Map<string, ConversationRow> | undefined> | undefined;
    if (common.dense) dense.add(0);
    else if (common.sampled > 0 && common.sampled * EARLY_SHARE >= common.of) {
      // (An agent's too: at 1,000,000 files one service holds some 5,000 « Martin ».)
      early = this.boundedWalk(f, anyKind(), EARLY_WALK);
      early.catch(() => undefined); // awaited below: not an unhandled rejection meanwhile
      // (Not counted beside the sample when the files changed meanwhile, or a service's sample
      // was dense without its walk proving it: counted now.)
      const n = (await counted) ?? (await countWords(false))!;
      if (n > cap) dense.add(0);
      else await probe([words], 0);
    } else await probe([words], 0);
    let walked: Branch[];
    let page: Map<string, ConversationRow> | undefined;
    if (dense.size) {
      page = await early;
      walked = page ? [] : [anyKind()];
    } else {
      const contacts = f.visibleTeamIds ? [] : await this.contactsNamed(f.organizationId, f.q);
      const others = this.otherBranches(f, f.q, contacts);
      if (others.length) await probe(others, 1);
      walked = others.filter((_, i) => dense.has(i + 1));
      await early; // not needed: the words are under the cap
    }
    const found = new Map<string, string>([...(page ?? [])].map(([id, row]) => [id, row.sort_key]));
    for (const r of probed) if (!dense.has(r.b)) found.set(r.id, r.k);
    const distinct = new Set(probed.map((r) => r.id)).size;

    if (walked.length) {
      // An agent's files are walked per service and for their own (each in its index's order):
      // the word is then tested on the files of the service only, not on the whole town's.
      const sources: Branch[] = f.visibleTeamIds
        ? [
            ...f.visibleTeamIds.map(
              (t): Branch =>
                (sql) =>
                  `c.team_id = ${sql.p(t)}`,
            ),
            (sql) => `c.assignee_id = ${sql.p(f.orSelf)}`,
          ]
        : [];
      const walk = this.searchStatement(
        sources.length ? { ...f, visibleTeamIds: undefined, orSelf: undefined } : f,
        sources.length
          ? walked.flatMap((b) =>
              sources.map(
                (source): Branch =>
                  (sql) =>
                    `${source(sql)} AND ${b(sql)}`,
              ),
            )
          : walked,
        (where, sql) =>
          `(SELECT c.id, ${SORT_KEY} AS k FROM conversation c WHERE ${where}
             ORDER BY c.last_message_at DESC, c.id DESC LIMIT ${sql.p(f.limit)})`,
      );
      for (const r of await this.db.query<{ id: string; k: string }>(walk.text, walk.values)) found.set(r.id, r.k);
    }
    const ids = [...found]
      .sort(newestFirst)
      .slice(0, f.limit)
      .map(([id]) => id);
    // The early walk's page came with its rows (a common name's usual answer: no statement more).
    const rows = ids.every((id) => page?.has(id))
      ? ids.map((id) => page!.get(id)!)
      : await this.db.query<ConversationRow>(
          `SELECT ${CONVERSATION_COLUMNS} FROM conversation c JOIN contact ct ON ct.id = c.contact_id
            WHERE c.organization_id = $1 AND c.id = ANY($2::uuid[])
            ORDER BY c.last_message_at DESC, c.id DESC`,
          [f.organizationId, ids],
        );
    return { rows, total: { count: dense.size ? cap : Math.min(distinct, cap), more: distinct > cap || dense.size > 0 } };
  }

  /**
   * How many files of the search's scope hold its words, up to SEARCH_TOTAL_CAP + 1 (`early`: only
   * if earlySample holds, else NULL). Counted service by service, each from the index of the words
   * by service (SearchWordsByService1765133000000: « Martin » in one service is that service's
   * posting list, not the town's crossed with the service's), so that the first services alone may
   * prove the cap without a bitmap of every match in the town; then an agent's own files in other
   * services (the text index holds their assignee), only if their services hold too few. A file
   * has one service: it is counted once. A phrase is tested again on `search_doc` (the index by
   * service has no positions); for other queries that test is constant-folded away.
   */
  private countWordsStatement(
    f: ConversationFilter & { q: string },
    words: Branch,
    early: boolean,
  ): { text: string; values: unknown[] } {
    const cap = SEARCH_TOTAL_CAP;
    const sql = new Params([f.organizationId]);
    const scope = this.scope({ ...f, visibleTeamIds: undefined, orSelf: undefined }, sql, true).join(' AND ');
    const q = `websearch_to_tsquery('guichet_fr', ${sql.p(f.q)})`;
    const inService = `service_words(c.search_doc, c.team_id) @@ service_query(${q}, t.id) AND (c.team_id = t.id) IS TRUE
                       AND (strpos(${q}::text, '<') = 0 OR c.search_doc @@ ${q})`;
    // The services counted: an agent's (within the one chosen, if any), or the organization's.
    const visible = f.visibleTeamIds && sql.p(f.visibleTeamIds);
    const services = visible
      ? `unnest(${f.teamId ? sql.p(f.visibleTeamIds!.filter((t) => t === f.teamId)) : visible}::uuid[]) t(id)`
      : `(SELECT id FROM team WHERE organization_id = $1${f.teamId ? ` AND id = ${sql.p(f.teamId)}` : ''}) t`;
    const parts = [
      `SELECT FROM ${services} CROSS JOIN LATERAL (SELECT FROM conversation c WHERE ${scope} AND ${inService}
          LIMIT ${sql.p(cap + 1)}) x`,
    ];
    if (visible) {
      parts.push(`SELECT FROM conversation c WHERE ${scope} AND c.assignee_id = ${sql.p(f.orSelf)}
                     AND c.team_id <> ALL(${visible}::uuid[]) AND ${words(sql)}`);
    }
    const count = `(SELECT count(*)::int FROM (${parts.join(' UNION ALL ')} LIMIT ${sql.p(cap + 1)}) w)`;
    return {
      text: `${PLANNED_PER_CALL}SELECT ${early ? `CASE WHEN ${this.earlySample(f, words, sql)} THEN ${count} END` : count} AS n`,
      values: sql.values,
    };
  }

  /**
   * Whether the search's scope holds over SEARCH_TOTAL_CAP files with the words, proved by walking
   * the files by date (each of an agent's services in its index's order, or the organization's)
   * while the words are common there: the newest DENSE_SAMPLE files are tested first, and only a
   * walk where at least one in DENSE_SHARE holds them goes on, for at most DENSE_WALK files. The
   * probe would pick a sequential scan for such a word: it reads the table through a small ring of
   * buffers (never kept warm), and for an agent it tested the words on every file of the town
   * before the visibility (« lampadaire », one file in two, at 100,000 conversations: 11,585 files
   * tested for 1,001 visible). A rare word costs the sample alone; a false start, the walk too.
   */
  private async denseByDate(f: ConversationFilter, words: Branch): Promise<{ dense: boolean; sampled: number; of: number }> {
    const sql = new Params([f.organizationId]);
    const sources = this.sampledSources(f, sql);
    if (!sources.length) return { dense: false, sampled: 0, of: 0 };
    const text = sources
      .map(
        (where) => `SELECT s.n::int AS sampled, CASE WHEN s.n * ${DENSE_SHARE} >= ${DENSE_SAMPLE}
                  THEN (SELECT count(*) FROM (SELECT 1 FROM ${newest(where, DENSE_WALK, words, sql)} LIMIT ${SEARCH_TOTAL_CAP + 1}) w) END::int AS n
                  FROM (SELECT count(*) AS n FROM ${newest(where, DENSE_SAMPLE, words, sql)}) s`,
      )
      .join(' UNION ALL ');
    const rows = await this.db.query<{ sampled: number; n: number | null }>(`${PLANNED_PER_CALL}${text}`, sql.values);
    return {
      dense: rows.reduce((sum, r) => sum + (r.n ?? 0), 0) > SEARCH_TOTAL_CAP,
      sampled: rows.reduce((sum, r) => sum + r.sampled, 0),
      of: rows.length * DENSE_SAMPLE,
    };
  }

  /**
   * The scopes whose newest files denseByDate tests (an agent's services, each on its own; an
   * agent's own files in other services are left out: the services alone may prove it), their
   * parameters added to `sql`.
   */
  private sampledSources(f: ConversationFilter, sql: Params): string[] {
    const scope = this.scope({ ...f, visibleTeamIds: undefined, orSelf: undefined }, sql);
    return (f.visibleTeamIds ? f.visibleTeamIds.map((t) => [...scope, `c.team_id = ${sql.p(t)}`]) : [scope]).map((w) =>
      w.join(' AND '),
    );
  }

  /**
   * As a condition, in SQL: the words are in at least one of the newest files of the search's
   * scope in EARLY_SHARE, and no service's sample is dense (denseByDate's answer for the search's
   * early walk).
   */
  private earlySample(f: ConversationFilter, words: Branch, sql: Params): string {
    const sources = this.sampledSources(f, sql);
    if (!sources.length) return 'false';
    const samples = sources
      .map((where) => `SELECT count(*) AS n FROM ${newest(where, DENSE_SAMPLE, words, sql)}`)
      .join(' UNION ALL ');
    return `(SELECT sum(s.n) > 0 AND sum(s.n) * ${EARLY_SHARE} >= ${sources.length * DENSE_SAMPLE}
                    AND bool_and(s.n * ${DENSE_SHARE} < ${DENSE_SAMPLE}) FROM (${samples}) s)`;
  }

  /**
   * The first page of `branch`, walked by date over at most `bound` of the newest files of the
   * search's scope (of each of an agent's services, with their own files in other services), as
   * the walk of a dense search does, with the rows' columns (read only for the page's rows).
   * Undefined when a source has fewer than a page there and older files (the full walk decides then).
   */
  private async boundedWalk(
    f: ConversationFilter,
    branch: Branch,
    bound: number,
  ): Promise<Map<string, ConversationRow> | undefined> {
    const page = (rows: ConversationRow[] | undefined) => rows && new Map(rows.map((row) => [row.id, row]));
    if (!f.visibleTeamIds) return page(await this.walkSources(f, branch, bound, [[]]));
    const teams = f.visibleTeamIds;
    const agent = { ...f, visibleTeamIds: undefined, orSelf: undefined };
    const elsewhere: Branch = (sql) => `c.assignee_id = ${sql.p(f.orSelf)} AND c.team_id <> ALL(${sql.p(teams)}::uuid[])`;
    const rows = await this.walkSources(
      agent,
      branch,
      bound,
      teams.map((t) => [(sql) => `c.team_id = ${sql.p(t)}`]),
      elsewhere,
    );
    if (!rows || rows.length >= f.limit) return page(rows);
    // The services' page is not full: their own files elsewhere are walked on their own.
    const own = await this.walkSources(agent, branch, bound, [[elsewhere]]);
    return page(own && [...rows, ...own]);
  }

  /**
   * Per source (conditions on `c` added to the scope of `f`), its first `limit` matches of `branch`
   * within its newest `bound` files: all its matches when it has no older file. Undefined when a
   * source has fewer than a page there and older files (asked only then). `newer`: in the same
   * statement, once the sources' merged page is full, the first `limit` matches of the files of
   * that condition newer than its last (walked by date without bound: only those newer are read).
   */
  private async walkSources(
    f: ConversationFilter,
    branch: Branch,
    bound: number,
    sources: Branch[][],
    newer?: Branch,
  ): Promise<ConversationRow[] | undefined> {
    if (!sources.length) return [];
    const order = 'ORDER BY c.last_message_at DESC, c.id DESC';
    const scopes = (sql: Params, only: number[]) =>
      only.map((s) => [...this.scope(f, sql, true), ...sources[s]!.map((condition) => condition(sql))].join(' AND '));
    const all = [...sources.keys()];
    const sql = new Params([f.organizationId]);
    const limit = sql.p(f.limit);
    const pages = scopes(sql, all)
      .map(
        (scope, s) => `(SELECT ${s} AS s, ${CONVERSATION_COLUMNS}
                         FROM (SELECT c.* FROM conversation c WHERE ${scope} ${order} LIMIT ${bound}) c
                        WHERE ${branch(sql)} ${order} LIMIT ${limit})`,
      )
      .join(' UNION ALL ');
    // (OFFSET 0: the files are walked by date, the branch tested on each, as in the pages.)
    const text = newer
      ? `WITH page AS MATERIALIZED (${pages})
         SELECT * FROM page UNION ALL
         (SELECT -1 AS s, ${CONVERSATION_COLUMNS}
            FROM (SELECT c.* FROM conversation c
                   WHERE ${[...this.scope(f, sql, true), newer(sql)].join(' AND ')}
                     AND c.last_message_at >= (SELECT p.last_message_at FROM page p
                                                ORDER BY p.last_message_at DESC, p.id DESC OFFSET ${limit} - 1 LIMIT 1)
                   OFFSET 0) c
           WHERE ${branch(sql)} ${order} LIMIT ${limit})`
      : pages;
    const rows = await this.db.query<ConversationRow & { s: number }>(PLANNED_PER_CALL + text, sql.values);
    const short = all.filter((s) => rows.filter((r) => r.s === s).length < f.limit);
    if (short.length) {
      const older = new Params([f.organizationId]);
      const [row] = await this.db.query<{ older: boolean }>(
        `${PLANNED_PER_CALL}SELECT ${scopes(older, short)
          .map((scope) => `EXISTS (SELECT FROM conversation c WHERE ${scope} ${order} OFFSET ${bound} LIMIT 1)`)
          .join(' OR ')} AS older`,
        older.values,
      );
      if (row!.older) return undefined;
    }
    return rows.map(({ s: _, ...row }) => row);
  }

  /**
   * One statement of a search: `part` of each branch on the search's scope, in UNION ALL. An
   * agent's visibility is a filter on the rows the branch finds, never a second bitmap: ANDed with
   * a word's, the bitmap of a whole service (one file in seven) cost more than the rows. Except for
   * the words (`byIndex`): the text index also holds each file's service and assignee
   * (SearchIndexVisibility1765107000000), so each branch is then two parts, the agent's services
   * and their own files elsewhere (disjoint), each answered by one scan of that index with only the
   * files the agent may see.
   */
  private searchStatement(
    f: ConversationFilter,
    branches: Branch[],
    part: (where: string, sql: Params, branch: number) => string,
    { byIndex = false }: { byIndex?: boolean } = {},
  ): { text: string; values: unknown[] } {
    const sql = new Params([f.organizationId]);
    let parts: string[];
    if (byIndex && f.visibleTeamIds) {
      const scope = this.scope({ ...f, visibleTeamIds: undefined, orSelf: undefined }, sql, true);
      const teams = sql.p(f.visibleTeamIds);
      const self = sql.p(f.orSelf);
      const sources = [`c.team_id = ANY(${teams}::uuid[])`, `c.assignee_id = ${self} AND c.team_id <> ALL(${teams}::uuid[])`];
      parts = branches.flatMap((build, i) => sources.map((source) => part([...scope, source, build(sql)].join(' AND '), sql, i)));
    } else {
      const scope = this.scope(f, sql, true);
      parts = branches.map((build, i) => part([...scope, build(sql)].join(' AND '), sql, i));
    }
    return { text: `${PLANNED_PER_CALL}${parts.join(' UNION ALL ')}`, values: sql.values };
  }

  /** Matches of any of `branches`: one condition, for one walk. */
  private anyOf(branches: Branch[]): Branch {
    return (sql) => `(${branches.map((b) => b(sql)).join(' OR ')})`;
  }

  /** The filters of a list or a search, on `c` (conversation): organization, visibility and the agent's choices. */
  private scope(f: ConversationFilter, sql: Params, visibilityAsFilter = false): string[] {
    const where = ['c.organization_id = $1'];
    if (f.visibleTeamIds) {
      const visible = `(c.team_id = ANY(${sql.p(f.visibleTeamIds)}::uuid[]) OR c.assignee_id = ${sql.p(f.orSelf)})`;
      // IS TRUE: the same rows, but no index condition the planner could turn into a bitmap.
      where.push(visibilityAsFilter ? `${visible} IS TRUE` : visible);
    }
    if (f.teamId) where.push(`c.team_id = ${sql.p(f.teamId)}`);
    if (f.status?.length === 1) where.push(`c.status = ${sql.p(f.status[0])}`);
    else if (f.status?.length) where.push(`c.status = ANY(${sql.p(f.status)})`);
    if (f.assigneeId === null) where.push('c.assignee_id IS NULL');
    else if (f.assigneeId) where.push(`c.assignee_id = ${sql.p(f.assigneeId)}`);
    if (f.channel) {
      where.push(`EXISTS (SELECT 1 FROM message m JOIN channel ch ON ch.id = m.channel_id
                          WHERE m.conversation_id = c.id AND ch.kind = ${sql.p(f.channel)})`);
    }
    if (f.labelId) {
      where.push(
        `EXISTS (SELECT 1 FROM conversation_label cl WHERE cl.conversation_id = c.id AND cl.label_id = ${sql.p(f.labelId)})`,
      );
    }
    // The due-date views (a search within one keeps its filter, in recency order).
    if (f.due || f.sortByDue) where.push(`c.due_at IS NOT NULL AND c.status IN ${IN_PROGRESS}`);
    if (f.due === 'overdue') where.push('c.due_at < now()');
    if (f.due === 'soon') where.push(`c.due_at >= now() AND c.due_at < now() + ${DUE_SOON}`);
    if (f.after) {
      where.push(`(c.last_message_at, c.id) < (${sql.p(f.after[0])}::timestamptz, ${sql.p(f.after[1])}::uuid)`);
    }
    return where;
  }

  /**
   * The citizens (of the whole organization: supervisors' searches only) whose name matches,
   * up to CONTACTS_NAMED_MAX; 'many' beyond. From the contact text index, without the files.
   */
  private async contactsNamed(organizationId: string, q: string): Promise<string[] | 'many'> {
    const rows = await this.db.query<{ id: string }>(
      `${PLANNED_PER_CALL}SELECT id FROM contact WHERE organization_id = $1 AND search @@ websearch_to_tsquery('guichet_fr', $2) LIMIT $3`,
      [organizationId, q, CONTACTS_NAMED_MAX + 1],
    );
    return rows.length > CONTACTS_NAMED_MAX ? 'many' : rows.map((r) => r.id);
  }

  /** The words of the conversation (`search_doc`: subject, reference, the name given in it, every message body). */
  private wordsBranch(q: string): Branch {
    return (sql) => `c.search_doc @@ websearch_to_tsquery('guichet_fr', ${sql.p(q)})`;
  }

  /**
   * What a search matches besides the words, one condition on `c` per kind of match: the
   * citizen's name, an identity (e-mail, phone in any French format), the reference typed exactly.
   */
  private otherBranches(f: ConversationFilter, q: string, contacts: string[] | 'many' | 'walked'): Branch[] {
    const tsq = (sql: Params) => `websearch_to_tsquery('guichet_fr', ${sql.p(q)})`;
    // An agent limited to some services finds a conversation by its citizen's name or identity
    // only when that conversation holds them: searching must not tell who owns a number elsewhere.
    // The name given in a conversation is in its search_doc; the citizen's name from other files
    // (contact.name) is searched for supervisors only.
    const held = !!f.visibleTeamIds;
    const branches: Branch[] = [];
    // The citizens so named were looked up first (contactsNamed): the planner then knows how many
    // files they hold. A very common name reads them as a subquery. A walk by date tests each file
    // it reads by its citizen's key (a few buffers a file, after the words): a subquery would first
    // read every citizen so named (« Martin »: 10,800 at 1,000,000 files, 753 pages and a hash
    // built before the first file, where the walk reads some 1,000 files for a page). Only a file
    // whose citizen's current name differs from the one given in it is probed: otherwise its words
    // (search_doc holds that name) already answered (contact_name_differs, kept by triggers).
    if (contacts === 'walked') {
      if (!held)
        branches.push(
          (sql) => `(c.contact_name_differs AND (SELECT k.search @@ ${tsq(sql)} FROM contact k WHERE k.id = c.contact_id))`,
        );
    } else if (contacts === 'many') {
      if (!held)
        branches.push(
          (sql) => `c.contact_id IN (SELECT k.id FROM contact k WHERE k.organization_id = $1 AND k.search @@ ${tsq(sql)})`,
        );
    } else if (contacts.length) {
      branches.push((sql) => `c.contact_id = ANY(${sql.p(contacts)}::uuid[])`);
    }
    const ids = identityCandidates(q);
    if (ids.length) {
      branches.push((sql) => {
        const identities = `FROM contact_identity i WHERE i.organization_id = $1 AND i.value = ANY(${sql.p(ids)}::text[])`;
        return (
          `c.contact_id IN (SELECT i.contact_id ${identities})` +
          (held ? ` AND c.identity_ids && ARRAY(SELECT i.id ${identities})` : '')
        );
      });
    }
    // A reference finds its file by the reference column, whatever text search makes of the subject.
    const reference = referenceSearched(q);
    if (reference) branches.push((sql) => `c.reference = ${sql.p(reference)}`);
    return branches;
  }

  /**
   * Counters of the in-progress conversations, summed from `conversation_count` (deltas appended
   * by triggers in each writing transaction, folded by `compactCounts`): a few dozen rows per
   * organization instead of a recount of the conversations. Same visibility as the lists.
   */
  async counts(organizationId: string, agentId: string, visibleTeamIds?: string[]): Promise<ConversationCountsDto> {
    const params: unknown[] = [organizationId, agentId];
    let scope = `organization_id = $1`;
    if (visibleTeamIds) {
      params.push(visibleTeamIds);
      scope += ` AND (team_id = ANY($3::uuid[]) OR assignee_id = $2)`;
    }
    const [rows, due] = await Promise.all([
      this.db.query<{
        team_id: string;
        status: string;
        mine: number;
        unassigned: number;
        callback: number;
        n: number;
      }>(
        `SELECT team_id, status, sum(n)::int AS n,
                coalesce(sum(n) FILTER (WHERE assignee_id = $2 AND status <> 'snoozed'), 0)::int AS mine,
                coalesce(sum(n) FILTER (WHERE assignee_id IS NULL AND status = 'open'), 0)::int AS unassigned,
                coalesce(sum(n) FILTER (WHERE callback_needed), 0)::int AS callback
           FROM conversation_count WHERE ${scope} GROUP BY team_id, status`,
        params,
      ),
      // Overdue depends on the clock, not on a write: no trigger can keep it. Counted from the
      // partial due indexes (in progress, with a due date), only up to the end of the 48 hours.
      // Per service: the board shows each service's overdue files.
      this.db.query<{ team_id: string; overdue: number; due_soon: number }>(
        `SELECT team_id, count(*) FILTER (WHERE due_at < now())::int AS overdue,
                count(*) FILTER (WHERE due_at >= now())::int AS due_soon
           FROM conversation
          WHERE ${scope} AND due_at IS NOT NULL AND status IN ${IN_PROGRESS} AND due_at < now() + ${DUE_SOON}
          GROUP BY team_id`,
        // $2 (the agent) is only in the visibility condition.
        visibleTeamIds ? params : [organizationId],
      ),
    ]);
    const out = emptyConversationCounts();
    for (const d of due) {
      out.overdue += d.overdue;
      out.dueSoon += d.due_soon;
      if (d.overdue) out.overdueByTeam[d.team_id] = d.overdue;
    }
    for (const r of rows) {
      out.mine += r.mine;
      out.unassigned += r.unassigned;
      out.callbackNeeded += r.callback;
      out.byStatus[r.status as keyof ConversationCountsDto['byStatus']] += r.n;
      if (r.status === 'open' && r.n) out.byTeam[r.team_id] = (out.byTeam[r.team_id] ?? 0) + r.n;
    }
    return out;
  }

  /**
   * Folds the counter deltas into one row per key. Rows a concurrent transaction has not
   * committed yet are not seen and stay as they are; two compactions never count a row twice
   * (a row deleted by one is skipped by the other). Returns the rows removed.
   */
  async compactCounts(): Promise<number> {
    const [row] = await this.db.query<{ removed: number }>(
      `WITH d AS (DELETE FROM conversation_count RETURNING *),
            k AS (INSERT INTO conversation_count (organization_id, team_id, assignee_id, status, callback_needed, n)
                  SELECT organization_id, team_id, assignee_id, status, callback_needed, sum(n) FROM d
                   GROUP BY organization_id, team_id, assignee_id, status, callback_needed HAVING sum(n) <> 0
                  RETURNING 1)
       SELECT (SELECT count(*) FROM d)::int - (SELECT count(*) FROM k)::int AS removed`,
    );
    return row?.removed ?? 0;
  }

  /**
   * The differences between the maintained counters and a full recount of the conversations,
   * one line per (service/assignee/status/callback) key that differs: empty when they agree.
   */
  countDrift(organizationId: string): Promise<{ key: string; recounted: number; maintained: number }[]> {
    return this.db.query(
      `WITH real AS (SELECT team_id, coalesce(assignee_id::text, '-') AS assignee, status, callback_needed, count(*)::int AS n
                       FROM conversation WHERE organization_id = $1 AND status IN ('open', 'pending', 'snoozed')
                      GROUP BY 1, 2, 3, 4),
            kept AS (SELECT team_id, coalesce(assignee_id::text, '-') AS assignee, status, callback_needed, sum(n)::int AS n
                       FROM conversation_count WHERE organization_id = $1 GROUP BY 1, 2, 3, 4 HAVING sum(n) <> 0)
       SELECT concat_ws('/', team_id, assignee, status, callback_needed) AS key,
              coalesce(real.n, 0) AS recounted, coalesce(kept.n, 0) AS maintained
         FROM real FULL JOIN kept USING (team_id, assignee, status, callback_needed)
        WHERE real.n IS DISTINCT FROM kept.n`,
      [organizationId],
    );
  }

  async findById(organizationId: string, id: string, manager?: EntityManager, lock = false): Promise<ConversationRow | null> {
    const [row] = await this.db.query<ConversationRow>(
      `SELECT ${CONVERSATION_COLUMNS} FROM conversation c JOIN contact ct ON ct.id = c.contact_id
        WHERE c.organization_id = $1 AND c.id = $2 ${lock ? 'FOR UPDATE OF c' : ''}`,
      [organizationId, id],
      manager,
    );
    return row ?? null;
  }

  /**
   * A conversation as an agent opens it (its page, its messages), and the record of that access
   * (RGPD access audit: audit_event), written by the same statement: a data-modifying WITH query
   * inserts the record when the agent may read the file (the rule of conversation-access.ts,
   * computed on the row read), and the statement's commit comes before its answer, so a file is
   * never shown without its record, and no record is written for a file not shown. One round
   * trip and one transaction, where a read and a separate INSERT took two of each (issue 16's
   * audit-view bench). The file's service is given to the record here (what the audit_event
   * trigger would otherwise read again). `access_recorded` says whether the record was written.
   */
  async findForView(
    organizationId: string,
    id: string,
    view: {
      agentId: string;
      manager: boolean;
      teamIds: string[];
      action: 'conversation.viewed' | 'conversation.messages_read';
      origin: { ip: string | null; sessionId: string | null };
      /** What the record says was shown besides the file (the latest messages read with it). */
      data?: Record<string, unknown>;
    },
  ): Promise<(ConversationRow & { access_recorded: boolean }) | null> {
    const [row] = await this.db.query<ConversationRow & { access_recorded: boolean }>(
      `WITH found AS (
         SELECT ${CONVERSATION_COLUMNS}, ($4::boolean OR c.team_id = ANY($5::uuid[]) OR c.assignee_id = $3) AS readable
           FROM conversation c JOIN contact ct ON ct.id = c.contact_id
          WHERE c.organization_id = $1 AND c.id = $2
       ), recorded AS (
         INSERT INTO audit_event (organization_id, agent_id, action, conversation_id, contact_id, team_ids, ip, session_id, data)
         SELECT found.organization_id, $3, $6, found.id, found.contact_id, ARRAY[found.team_id], $7::inet, $8::uuid, $9::jsonb
           FROM found WHERE found.readable
         RETURNING id
       )
       SELECT found.*, EXISTS (SELECT 1 FROM recorded) AS access_recorded FROM found`,
      [
        organizationId,
        id,
        view.agentId,
        view.manager,
        view.teamIds,
        view.action,
        view.origin.ip,
        view.origin.sessionId,
        view.data ? pgJson(view.data) : null,
      ],
    );
    return row ?? null;
  }

  async findByReference(reference: string, manager?: EntityManager): Promise<ConversationRow | null> {
    const [row] = await this.db.query<ConversationRow>(
      `SELECT ${CONVERSATION_COLUMNS} FROM conversation c JOIN contact ct ON ct.id = c.contact_id WHERE c.reference = $1`,
      [reference],
      manager,
    );
    return row ?? null;
  }

  async forContact(organizationId: string, contactId: string, limit = 50): Promise<ConversationRow[]> {
    return this.db.query<ConversationRow>(
      `SELECT ${CONVERSATION_COLUMNS} FROM conversation c JOIN contact ct ON ct.id = c.contact_id
        WHERE c.organization_id = $1 AND c.contact_id = $2 ORDER BY c.last_message_at DESC LIMIT $3`,
      [organizationId, contactId, limit],
    );
  }

  /**
   * A contact merge (or its undo) moves these conversations of `fromContactId` to `toContactId`;
   * answers those moved (a conversation already elsewhere is left alone).
   */
  async moveToContact(manager: EntityManager, ids: string[], fromContactId: string, toContactId: string): Promise<string[]> {
    const rows = await this.db.query<{ id: string }>(
      `UPDATE conversation SET contact_id = $3, version = version + 1
        WHERE id = ANY($1::uuid[]) AND contact_id = $2 RETURNING id`,
      [ids, fromContactId, toContactId],
      manager,
    );
    return rows.map((r) => r.id);
  }

  /** Rectification (RGPD art. 16): every conversation of the citizen shows the corrected name. */
  async renameCitizen(manager: EntityManager, contactId: string, name: string): Promise<string[]> {
    const rows = await this.db.query<{ id: string }>(
      `UPDATE conversation SET citizen_name = $2, version = version + 1
        WHERE contact_id = $1 AND citizen_name IS DISTINCT FROM $2 RETURNING id`,
      [contactId, name],
      manager,
    );
    return rows.map((r) => r.id);
  }

  /** A provider profile's name on the files this identity wrote in that show none yet. */
  async nameFromProfile(manager: EntityManager, contactId: string, identityId: string, name: string): Promise<string[]> {
    const rows = await this.db.query<{ id: string }>(
      `UPDATE conversation SET citizen_name = $3, version = version + 1
        WHERE contact_id = $1 AND citizen_name IS NULL AND $2::uuid = ANY(identity_ids) RETURNING id`,
      [contactId, identityId, name],
      manager,
    );
    return rows.map((r) => r.id);
  }

  /** An identity an agent typed becomes held by these conversations (those they may read), so they keep seeing it. */
  async holdIdentity(manager: EntityManager, conversationIds: string[], identityId: string): Promise<void> {
    await manager.query(
      `UPDATE conversation SET identity_ids = identity_ids || $2::uuid WHERE id = ANY($1::uuid[]) AND NOT $2::uuid = ANY(identity_ids)`,
      [conversationIds, identityId],
    );
  }

  /**
   * The contact's most recent conversation still in progress (SMS, WhatsApp, Messenger threading);
   * `processable`: skipping those the citizen's limitation freezes (guichet_limited_since).
   */
  async latestOpenId(manager: EntityManager, contactId: string, o: { processable?: boolean } = {}): Promise<string | null> {
    const [row] = await manager.query(
      `SELECT id FROM conversation WHERE contact_id = $1 AND status IN ('open', 'pending', 'snoozed')
          AND (NOT $2::boolean OR guichet_limited_since(contact_id, id) IS NULL)
        ORDER BY last_message_at DESC LIMIT 1`,
      [contactId, o.processable ?? false],
    );
    return row?.id ?? null;
  }

  /**
   * Inserts a conversation with a fresh unique public reference. It holds `identity` (the address
   * written to) and the name given (else the one its service already holds for this citizen).
   */
  async insert(
    manager: EntityManager,
    v: {
      organizationId: string;
      contactId: string;
      teamId: string;
      subject: string | null;
      possiblyRelatedToId?: string | null;
      at: Date;
      /** The address written to; null when there is none (a letter with no e-mail nor phone). */
      identity: { kind: IdentityKind; value: string } | null;
      citizenName?: string | null;
    },
  ): Promise<string> {
    for (let attempt = 0; attempt < 8; attempt++) {
      const [row] = await manager.query(
        `INSERT INTO conversation (organization_id, reference, contact_id, team_id, subject, possibly_related_to_id,
                                   created_at, last_message_at, citizen_name, identity_ids)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $7,
                 coalesce($8, (SELECT c.citizen_name FROM conversation c WHERE c.contact_id = $3 AND c.team_id = $4
                                  AND c.citizen_name IS NOT NULL ORDER BY c.last_message_at DESC LIMIT 1)),
                 ARRAY(SELECT i.id FROM contact_identity i WHERE i.contact_id = $3 AND i.kind = $9 AND i.value = $10))
         ON CONFLICT (reference) DO NOTHING RETURNING id`,
        [
          v.organizationId,
          drawReference(),
          v.contactId,
          v.teamId,
          v.subject,
          v.possiblyRelatedToId ?? null,
          v.at,
          v.citizenName?.trim().slice(0, 200) || null,
          v.identity?.kind ?? null,
          v.identity?.value ?? null,
        ],
      );
      if (row) return row.id;
    }
    throw new Error('could not allocate a unique conversation reference');
  }

  /** A conversation written with its history: the state and dates that history left it in. */
  async setHistory(manager: EntityManager, id: string, h: ConversationHistory): Promise<void> {
    await manager.query(
      `UPDATE conversation SET status = $2, priority = $3, assignee_id = $4, snippet = $5, last_channel_kind = $6, unread = $7,
              callback_needed = $8, snoozed_until = $9, last_message_at = $10, last_inbound_at = $11, first_response_at = $12,
              resolved_at = $13
        WHERE id = $1`,
      [
        id,
        h.status,
        h.priority,
        h.assigneeId,
        h.snippet,
        h.lastChannelKind,
        h.unread,
        h.callbackNeeded,
        h.snoozedUntil,
        h.lastMessageAt,
        h.lastInboundAt,
        h.firstResponseAt,
        h.resolvedAt,
      ],
    );
  }

  /**
   * An agent reply or note. Replies count as the first response (a letter's only once posted:
   * `answeredByPost`); both mark the file read.
   */
  async touchOutbound(
    manager: EntityManager,
    id: string,
    v: { snippet: string; channelKind: ChannelKind | null; isReply: boolean },
  ): Promise<void> {
    await manager.query(
      `UPDATE conversation SET
         last_message_at = GREATEST(last_message_at, now()),
         snippet = $2, last_channel_kind = coalesce($3, last_channel_kind), unread = false,
         first_response_at = CASE WHEN $4 THEN coalesce(first_response_at, now()) ELSE first_response_at END,
         version = version + 1
       WHERE id = $1`,
      [id, v.snippet, v.channelKind, v.isReply],
    );
  }

  /**
   * A printed answer of an agent posted (`messageId`, just marked posted): the file's first response
   * when it had none, at the posting time (a letter written but not posted has answered nobody).
   * Not the town hall's acknowledgement, nor a notice (no author). The version is kept (no draft
   * goes stale: the thread did not change); answers whether the first response was set.
   */
  async answeredByPost(manager: EntityManager, id: string, messageId: string): Promise<boolean> {
    const rows = await manager.query(
      `UPDATE conversation c SET first_response_at = now()
         FROM message m
        WHERE c.id = $1 AND c.first_response_at IS NULL
          AND m.id = $2 AND m.conversation_id = c.id AND m.author_agent_id IS NOT NULL
          AND (m.meta->>'acknowledgement') IS NULL
       RETURNING c.id`,
      [id, messageId],
    );
    return rows.length > 0;
  }

  /**
   * A citizen's message stored outside the ingest (a letter an agent registers, at the day it came):
   * activity, snippet, unread. The version is bumped like any message.
   */
  async touchInbound(
    manager: EntityManager,
    id: string,
    v: { snippet: string; channelKind: ChannelKind; at: Date },
  ): Promise<void> {
    await manager.query(
      `UPDATE conversation SET last_message_at = GREATEST(last_message_at, $2),
              last_inbound_at = GREATEST(coalesce(last_inbound_at, $2), $2), snippet = $3, last_channel_kind = $4,
              unread = true, version = version + 1
        WHERE id = $1`,
      [id, v.at, v.snippet, v.channelKind],
    );
  }

  /** A call's progress: the snippet follows its message when that message is still the latest. */
  async refreshSnippetFrom(manager: EntityManager, id: string, messageId: string, snippet: string): Promise<void> {
    await manager.query(
      `UPDATE conversation c SET snippet = $3 FROM message m
        WHERE c.id = $1 AND m.id = $2 AND m.created_at >= c.last_message_at`,
      [id, messageId, snippet],
    );
  }

  /** A missed call or a voicemail: "à rappeler", the priority raised to at least high, the file reopened. */
  async flagCallback(manager: EntityManager, id: string): Promise<boolean> {
    const rows = await manager.query(
      `UPDATE conversation SET callback_needed = true,
              priority = CASE WHEN priority IN ('low', 'normal') THEN 'high' ELSE priority END,
              status = CASE WHEN status IN ('pending', 'snoozed', 'resolved') THEN 'open' ELSE status END,
              snoozed_until = NULL, unread = true, version = version + 1
        WHERE id = $1 AND NOT callback_needed RETURNING id`,
      [id],
    );
    return rows.length > 0;
  }

  /** The callback was made: the flag goes, and the priority it raised goes back to normal. */
  async clearCallback(manager: EntityManager, id: string): Promise<boolean> {
    const rows = await manager.query(
      `UPDATE conversation SET callback_needed = false,
              priority = CASE WHEN priority = 'high' THEN 'normal' ELSE priority END,
              version = version + 1
        WHERE id = $1 AND callback_needed RETURNING id`,
      [id],
    );
    return rows.length > 0;
  }

  /** A hand-logged call or an outgoing switchboard call, at the call's time: activity, snippet, first response. */
  async touchCall(manager: EntityManager, id: string, v: { snippet: string; outbound: boolean; at: Date }): Promise<void> {
    await manager.query(
      `UPDATE conversation SET last_message_at = GREATEST(last_message_at, $2), snippet = $3,
              first_response_at = CASE WHEN $4 THEN coalesce(first_response_at, $2) ELSE first_response_at END,
              version = version + 1
        WHERE id = $1`,
      [id, v.at, v.snippet, v.outbound],
    );
  }

  /** The subject, if it is still `current` (a placeholder the system set). */
  async setSubjectIf(manager: EntityManager, id: string, subject: string, current: string): Promise<boolean> {
    const rows = await manager.query(`UPDATE conversation SET subject = $2 WHERE id = $1 AND subject = $3 RETURNING id`, [
      id,
      subject,
      current,
    ]);
    return rows.length > 0;
  }

  /** Legal hold (RGPD retention skips the file): set with its reason and who set it, or lifted (null). */
  async setLegalHold(manager: EntityManager, id: string, hold: { reason: string; agentId: string } | null): Promise<Date | null> {
    const [row] = await manager.query(
      `UPDATE conversation SET legal_hold_reason = $2, legal_hold_at = CASE WHEN $2::text IS NULL THEN NULL ELSE now() END,
              legal_hold_by = $3
        WHERE id = $1 RETURNING legal_hold_at`,
      [id, hold?.reason ?? null, hold?.agentId ?? null],
    );
    return row?.legal_hold_at ?? null;
  }

  /**
   * `system`: a change no agent made (due dates computed after creation or after a type's rules
   * changed) leaves the version alone, like reading: it makes nobody's draft stale.
   */
  async update(manager: EntityManager, id: string, c: ConversationChanges, system = false): Promise<void> {
    const sets: string[] = system ? [] : ['version = version + 1'];
    const params: unknown[] = [id];
    const set = (col: string, v: unknown) => {
      params.push(v);
      sets.push(`${col} = $${params.length}`);
    };
    if (c.status !== undefined) {
      set('status', c.status);
      sets.push(
        `resolved_at = CASE WHEN $${params.length} IN ('resolved', 'closed') THEN coalesce(resolved_at, now()) ELSE NULL END`,
      );
      if (c.status !== 'snoozed') sets.push('snoozed_until = NULL');
    }
    if (c.priority !== undefined) set('priority', c.priority);
    if (c.teamId !== undefined) set('team_id', c.teamId);
    if (c.assigneeId !== undefined) set('assignee_id', c.assigneeId);
    if (c.snoozedUntil !== undefined) set('snoozed_until', c.snoozedUntil);
    if (c.requestTypeId !== undefined) set('request_type_id', c.requestTypeId);
    if (c.decisionRegime !== undefined) set('decision_regime', c.decisionRegime);
    if (c.decisionDueAt !== undefined) {
      set('decision_due_at', c.decisionDueAt);
      set('decision_due_non_working', c.decisionDueAt ? (c.decisionDueNonWorkingDay ?? null) : null);
    }
    if (c.responseDueAt !== undefined) set('response_due_at', c.responseDueAt);
    if (c.documentsRequestedAt !== undefined) set('documents_requested_at', c.documentsRequestedAt);
    if (c.documentsReceivedAt !== undefined) set('documents_received_at', c.documentsReceivedAt);
    if (c.satisfaction !== undefined) set('satisfaction', c.satisfaction);
    if (c.transmittedTo !== undefined) set('transmitted_to', c.transmittedTo);
    if (sets.length) await manager.query(`UPDATE conversation SET ${sets.join(', ')} WHERE id = $1`, params);
  }

  /** What the access rule needs (canRead) for these conversations of the organization. */
  accessRows(
    organizationId: string,
    ids: string[],
  ): Promise<Pick<ConversationRow, 'id' | 'organization_id' | 'team_id' | 'assignee_id'>[]> {
    if (!ids.length) return Promise.resolve([]);
    return this.db.query(
      `SELECT id, organization_id, team_id, assignee_id FROM conversation WHERE organization_id = $1 AND id = ANY($2::uuid[])`,
      [organizationId, ids],
    );
  }

  /** A deactivated agent's conversations still in progress go back to their service (unassigned). */
  async releaseAssigned(manager: EntityManager, agentId: string): Promise<{ id: string; contact_id: string }[]> {
    return this.db.query(
      `UPDATE conversation SET assignee_id = NULL, version = version + 1
        WHERE assignee_id = $1 AND status IN ('open', 'pending', 'snoozed') RETURNING id, contact_id`,
      [agentId],
      manager,
    );
  }

  /** Snoozed conversations whose date has come: open again, unread, version bumped. */
  wakeSnoozed(manager?: EntityManager): Promise<{ id: string; organization_id: string }[]> {
    return this.db.query(
      `UPDATE conversation SET status = 'open', snoozed_until = NULL, unread = true, version = version + 1
        WHERE status = 'snoozed' AND snoozed_until <= now() RETURNING id, organization_id`,
      [],
      manager,
    );
  }

  /** The enabled channel of this kind a new conversation goes out on: the service's own first, else the organization's. */
  async outboundChannelFor(
    manager: EntityManager,
    organizationId: string,
    kind: ChannelKind,
    teamId: string,
  ): Promise<{ id: string; kind: ChannelKind } | null> {
    const [row] = await manager.query(
      `SELECT id, kind FROM channel WHERE organization_id = $1 AND kind = $2 AND enabled
        ORDER BY (team_id = $3) DESC, created_at LIMIT 1`,
      [organizationId, kind, teamId],
    );
    return row ?? null;
  }

  /**
   * Puts a failed reply of this conversation back to "queued" for another try: the queue whose
   * worker sends it (a Meta comment reply's, a form's e-mail notice's, or the outbound worker's);
   * null when it is not a failed reply (nor a withdrawn letter: MessageRepository.withdrawUnposted);
   * 'skipped' for a registrant's notice not sent because its registration was cancelled
   * (SKIPPED_NOTICE), which stays as it is.
   */
  async requeueFailedReply(
    manager: EntityManager,
    conversationId: string,
    messageId: string,
  ): Promise<string | 'skipped' | null> {
    const [row] = await manager.query<
      { source: string | null; channel_id: string | null; notice_via: string | null; skipped: boolean }[]
    >(
      `WITH u AS (
         UPDATE message m SET status = 'queued', error = NULL
          WHERE m.id = $1 AND m.conversation_id = $2 AND m.direction = 'outbound' AND m.kind = 'message'
            AND (m.status = 'failed' OR (m.status = 'sending' AND m.error IS NOT NULL)) AND NOT ${SKIPPED_NOTICE}
            -- A letter withdrawn before it was posted (its file forwarded elsewhere) is no failure to retry.
            AND NOT coalesce(m.meta ? 'withdrawnAt', false)
          RETURNING m.id, m.channel_id, m.meta->>'source' AS source, m.meta->'formNotice'->>'via' AS notice_via
       ) SELECT channel_id, source, notice_via, false AS skipped FROM u
         UNION ALL
         SELECT NULL, NULL, NULL, true FROM message m WHERE m.id = $1 AND m.conversation_id = $2 AND ${SKIPPED_NOTICE}`,
      [messageId, conversationId],
    );
    if (!row) return null;
    if (row.skipped) return 'skipped';
    if (row.source === 'comment-reply' || row.source === 'private-reply') return QUEUES.metaCommentSend;
    if (!row.channel_id && row.notice_via === 'email') return QUEUES.formNoticeMail;
    return QUEUES.outboundSend;
  }

  /** Reading does not make anyone's draft stale: no version bump. True when it was unread. */
  async markRead(id: string, manager?: EntityManager): Promise<boolean> {
    const rows = await this.db.query(
      `UPDATE conversation SET unread = false WHERE id = $1 AND unread RETURNING id`,
      [id],
      manager,
    );
    return rows.length > 0;
  }

  /** Whether the organization tells citizens of a transfer to another service, and that service's name. */
  async transferNoticeFacts(
    manager: EntityManager,
    organizationId: string,
    teamId: string,
  ): Promise<{ on: boolean; team: string }> {
    const [row] = await manager.query(
      `SELECT o.transfer_notice AS on, t.name AS team FROM organization o JOIN team t ON t.organization_id = o.id
        WHERE o.id = $1 AND t.id = $2`,
      [organizationId, teamId],
    );
    return row ?? { on: false, team: '' };
  }

  /** The channel of the citizen's last inbound message (where a reply goes by default). */
  async lastInboundChannelId(manager: EntityManager, conversationId: string): Promise<string | undefined> {
    const [last] = await manager.query(
      `SELECT channel_id FROM message WHERE conversation_id = $1 AND direction = 'inbound' AND channel_id IS NOT NULL
          ORDER BY created_at DESC LIMIT 1`,
      [conversationId],
    );
    return last?.channel_id;
  }

  /** The citizen's oldest identity of that kind, with its opt-out (null when it has none). */
  /** What the e-mail to the competent administration says of the file (L114-2): who asks, through which service. */
  async transferFacts(
    manager: EntityManager,
    conversationId: string,
  ): Promise<{ organization: string; email: string; team: string; identities: { kind: string; value: string }[] }> {
    const [row] = await manager.query(
      `SELECT o.name AS organization, o.email, t.name AS team,
              coalesce((SELECT json_agg(json_build_object('kind', i.kind, 'value', i.value) ORDER BY i.created_at)
                          FROM contact_identity i WHERE i.contact_id = c.contact_id AND i.kind IN ('email', 'phone')), '[]') AS identities
         FROM conversation c JOIN organization o ON o.id = c.organization_id JOIN team t ON t.id = c.team_id
        WHERE c.id = $1`,
      [conversationId],
    );
    return row;
  }

  async insertAdministrationTransfer(
    manager: EntityManager,
    t: {
      organizationId: string;
      conversationId: string;
      name: string;
      email: string;
      agentId: string;
      citizenMessageId: string;
      eventMessageId: string;
      /** The directory's entry it was sent to, if picked there. */
      administrationId?: string | null;
    },
  ): Promise<{ id: string; created_at: Date }> {
    const [row] = await manager.query(
      `INSERT INTO administration_transfer
              (organization_id, conversation_id, administration_name, administration_email, agent_id, citizen_message_id,
               event_message_id, administration_id)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id, created_at`,
      [
        t.organizationId,
        t.conversationId,
        t.name,
        t.email,
        t.agentId,
        t.citizenMessageId,
        t.eventMessageId,
        t.administrationId ?? null,
      ],
    );
    return row;
  }

  /** The conversation's latest transfer to an administration (withdrawn or not); null if none. */
  async latestAdministrationTransfer(
    manager: EntityManager,
    conversationId: string,
  ): Promise<{
    id: string;
    administration_name: string;
    administration_email: string;
    citizen_message_id: string;
    event_message_id: string;
    created_at: Date;
  } | null> {
    const [row] = await manager.query(
      `SELECT id, administration_name, administration_email, citizen_message_id, event_message_id, created_at
         FROM administration_transfer WHERE conversation_id = $1 ORDER BY created_at DESC, id DESC LIMIT 1`,
      [conversationId],
    );
    return row ?? null;
  }

  /**
   * The conversation's latest transfer to an administration not withdrawn yet, marked withdrawn
   * by `agentId` now (locked: two reopenings at once tell the administration once); null if none.
   */
  async withdrawAdministrationTransfer(
    manager: EntityManager,
    conversationId: string,
    agentId: string,
  ): Promise<{ id: string; name: string; email: string; transferred_at: Date } | null> {
    const [row] = await this.db.query<{ id: string; name: string; email: string; transferred_at: Date }>(
      `UPDATE administration_transfer SET withdrawn_at = now(), withdrawn_by = $2
        WHERE id = (SELECT id FROM administration_transfer
                     WHERE conversation_id = $1 AND withdrawn_at IS NULL
                     ORDER BY created_at DESC LIMIT 1 FOR UPDATE)
        RETURNING id, administration_name AS name, administration_email AS email, created_at AS transferred_at`,
      [conversationId, agentId],
      manager,
    );
    return row ?? null;
  }

  async replyIdentity(
    manager: EntityManager,
    contactId: string,
    kind: string,
  ): Promise<{ value: string; opted_out_at: Date | null } | null> {
    const [identity] = await manager.query(
      `SELECT value, opted_out_at FROM contact_identity WHERE contact_id = $1 AND kind = $2 ORDER BY created_at LIMIT 1`,
      [contactId, kind],
    );
    return identity ?? null;
  }

  /** True when a message of this conversation came or went through this channel. */
  async channelUsed(manager: EntityManager, conversationId: string, channelId: string): Promise<boolean> {
    const [used] = await manager.query(`SELECT 1 FROM message WHERE conversation_id = $1 AND channel_id = $2 LIMIT 1`, [
      conversationId,
      channelId,
    ]);
    return Boolean(used);
  }
}
