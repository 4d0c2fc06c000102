import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DataSource, EntityManager } from 'typeorm';
import { Database } from '../../src/common/database';
import { AuditViewerRepository } from '../../src/modules/audit/audit-viewer.repository';
import { CitizenFileRepository } from '../../src/modules/privacy/citizen-file.repository';
import { ConversationRepository, type ConversationFilter } from '../../src/modules/conversations/conversation.repository';
import { MessageRepository } from '../../src/modules/conversations/message.repository';
import { seedTown, startTestApp, type TestApp } from '../harness';

/**
 * The SQL of the hot queries is committed in apps/api/src/queries/*.sql so a review sees it:
 * this test fails when the generated SQL changes (UPDATE_SQL=1 rewrites the files), and checks
 * on PostgreSQL that each inbox query walks an index in order, with no Sort node.
 */
class RecordingDatabase extends Database {
  readonly statements: string[] = [];
  readonly params: unknown[][] = [];
  constructor() {
    super(null as unknown as DataSource);
  }
  override async query<T>(sql: string, params: unknown[] = [], _manager?: EntityManager): Promise<T[]> {
    this.statements.push(sql);
    this.params.push(params);
    return [];
  }
}

const ORG = '00000000-0000-4000-8000-000000000001';
const TEAM = '00000000-0000-4000-8000-000000000002';
const AGENT = '00000000-0000-4000-8000-000000000003';
const LABEL = '00000000-0000-4000-8000-000000000006';
const AFTER: [string, string] = ['2026-11-20T10:00:00.123456Z', '00000000-0000-4000-8000-000000000004'];

const INBOX: Record<string, ConversationFilter> = {
  'inbox-service-open': { organizationId: ORG, teamId: TEAM, status: ['open'], limit: 26 },
  'inbox-service-open-next-page': { organizationId: ORG, teamId: TEAM, status: ['open'], after: AFTER, limit: 26 },
  'inbox-agent-mine': { organizationId: ORG, visibleTeamIds: [TEAM], orSelf: AGENT, assigneeId: AGENT, limit: 26 },
  'inbox-unassigned': { organizationId: ORG, teamId: TEAM, assigneeId: null, limit: 26 },
  'inbox-search': { organizationId: ORG, q: 'ecole', limit: 26 },
  'inbox-overdue': { organizationId: ORG, due: 'overdue', limit: 26 },
  'inbox-service-due-soon': { organizationId: ORG, teamId: TEAM, due: 'soon', limit: 26 },
  'inbox-service-by-due-next-page': { organizationId: ORG, teamId: TEAM, sortByDue: true, after: AFTER, limit: 26 },
  'inbox-service-label': { organizationId: ORG, teamId: TEAM, status: ['open'], labelId: LABEL, limit: 26 },
  'inbox-search-reference': { organizationId: ORG, q: 'gu7k3m9q', limit: 26 },
  'inbox-search-agent-phone': { organizationId: ORG, visibleTeamIds: [TEAM], orSelf: AGENT, q: '06 12 34 56 78', limit: 26 },
  // A plain agent's words: their services', then their own files elsewhere, each from the text index.
  'inbox-search-agent': { organizationId: ORG, visibleTeamIds: [TEAM], orSelf: AGENT, q: 'ecole', limit: 26 },
};

const file = (name: string) => join(__dirname, '../../src/queries', `${name}.sql`);
const tidy = (sql: string) =>
  sql
    .replace(/[ \t]+/g, ' ')
    .replace(/\n\s*\n/g, '\n')
    .split('\n')
    .map((l) => l.trim())
    .join('\n')
    .trim() + '\n';

async function generated(): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const [name, filter] of Object.entries(INBOX)) {
    const db = new RecordingDatabase();
    await new ConversationRepository(db).list(filter);
    // A search first tests whether the words are common among the newest files (a walk by date
    // proves over 1,000), then sends a probe of each kind of match (the words first) and a
    // supervisor's look-up of the citizens so named; nothing is found here, so neither the walk
    // nor the read by id follows. They are picked by what they read, not by their order.
    const sent = (read: RegExp) => db.statements.find((sql) => read.test(sql))!;
    out[name] = tidy(name === 'inbox-search' ? sent(/AS b, c\.id,.*c\.search_doc @@/) : db.statements[db.statements.length - 1]!);
    if (name === 'inbox-search') {
      out['inbox-search-contacts'] = tidy(sent(/FROM contact WHERE/));
      out['inbox-search-dense'] = tidy(sent(/AS sampled/));
    }
  }
  const counts = new RecordingDatabase();
  await new ConversationRepository(counts).counts(ORG, AGENT, [TEAM]);
  out['inbox-counts'] = tidy(counts.statements[0]!);
  out['inbox-counts-due'] = tidy(counts.statements[1]!);
  const db = new RecordingDatabase();
  await new MessageRepository(db).page('00000000-0000-4000-8000-000000000005', 50, AFTER);
  out['thread-page'] = tidy(db.statements[0]!);
  return out;
}

describe('hot queries', () => {
  it('match the SQL committed in src/queries', async () => {
    for (const [name, sql] of Object.entries(await generated())) {
      if (process.env.UPDATE_SQL === '1')
        writeFileSync(file(name), `-- ${name}: generated, see test/service/hot-queries.service.test.ts\n${sql}`);
      const committed = readFileSync(file(name), 'utf8').split('\n').slice(1).join('\n');
      expect(`${name}:\n${sql}`).toBe(`${name}:\n${committed}`);
    }
  });

  describe('on PostgreSQL', () => {
    let t: TestApp;
    let town: Awaited<ReturnType<typeof seedTown>>;
    beforeAll(async () => {
      t = await startTestApp();
      town = await seedTown(t);
    });
    afterAll(() => t.close());

    it.each([
      'inbox-service-open',
      'inbox-service-open-next-page',
      'inbox-unassigned',
      'inbox-agent-mine',
      'inbox-overdue',
      'inbox-service-due-soon',
      'inbox-service-by-due-next-page',
      'inbox-service-label',
      'inbox-search-dense',
    ])('%s walks an index in order without sorting', async (name) => {
      const sql = (await generated())[name]!;
      const params: Record<string, unknown[]> = {
        'inbox-service-open': [ORG, TEAM, 'open', 26],
        'inbox-service-open-next-page': [ORG, TEAM, 'open', AFTER[0], AFTER[1], 26],
        'inbox-unassigned': [ORG, TEAM, 26],
        'inbox-agent-mine': [ORG, [TEAM], AGENT, AGENT, 26],
        'inbox-overdue': [ORG, 26],
        'inbox-service-due-soon': [ORG, TEAM, 26],
        'inbox-service-by-due-next-page': [ORG, TEAM, AFTER[0], AFTER[1], 26],
        'inbox-service-label': [ORG, TEAM, 'open', LABEL, 26],
        'inbox-search-dense': [ORG, 'ecole', 'ecole'],
      };
      const client = t.db;
      await client.query('BEGIN');
      try {
        // Small tables favour sequential scans; forbid them to see which index the query can use.
        await client.query('SET LOCAL enable_seqscan = off');
        const { rows } = await client.query(`EXPLAIN (FORMAT JSON) ${sql}`, params[name]);
        const plan = JSON.stringify(rows[0]['QUERY PLAN']);
        expect(plan).toMatch(/"Node Type":"Index Scan"[^}]*"Index Name":"conversation_/);
        expect(plan).not.toMatch(/"Node Type":"(Incremental )?Sort"/);
      } finally {
        await client.query('ROLLBACK');
      }
    });

    it('the audit’s look-ups by citizen, by file and by agent visit the blocks of their time-ordered indexes', async () => {
      // 50,000 events over 1,000 files, their ids spread over 92 blocks of 65,536 (a year of a
      // town's accesses has ~30): each look-up must descend the index block by block (skip scan),
      // not read the table or the whole index. In a transaction rolled back.
      const ORG_ID = town.org.id;
      const record = new RecordingDatabase();
      const client = t.db;
      await client.query('BEGIN');
      try {
        await client.query(
          `INSERT INTO audit_event (id, organization_id, agent_id, action, conversation_id, contact_id, team_ids)
           OVERRIDING SYSTEM VALUE
           SELECT 1000000000000 + g * 120, $1, CASE WHEN g % 1000 = 7 THEN $4::uuid ELSE $2::uuid END, 'conversation.viewed',
                  p.conversation, p.contact, ARRAY[$3::uuid]
             FROM generate_series(1, 50000) g
             JOIN (SELECT i, gen_random_uuid() AS conversation, gen_random_uuid() AS contact FROM generate_series(0, 999) i) p
               ON p.i = g % 1000`,
          [ORG_ID, town.agentEC.id, town.etatCivil.id, town.agentSco.id],
        );
        await client.query('ANALYZE audit_event');
        const { rows } = await client.query(
          `SELECT conversation_id, contact_id FROM audit_event WHERE id = 1000000000000 + 42 * 120`,
        );
        const [{ conversation_id: conversationId, contact_id: contactId }] = rows;
        const viewer = new AuditViewerRepository(record);
        const plan = async (read: () => Promise<unknown>) => {
          await read();
          const { rows: p } = await client.query(`EXPLAIN (FORMAT JSON) ${record.statements.at(-1)!}`, record.params.at(-1));
          return JSON.stringify(p[0]['QUERY PLAN']);
        };
        const byContact = await plan(() => viewer.page(ORG_ID, { contactId, limit: 50 }, null));
        expect(byContact).toMatch(/"Index Name":"audit_event_contact_block_idx"/);
        const byFile = await plan(() => viewer.page(ORG_ID, { conversationId, limit: 50 }, [town.etatCivil.id]));
        expect(byFile).toMatch(/"Index Name":"audit_event_conversation_block_idx"/);
        // By agent (50 of the 50,000 events are this one's): the agent's block index, not a walk back through all.
        const byAgent = await plan(() => viewer.page(ORG_ID, { agentId: town.agentSco.id, limit: 50 }, null));
        expect(byAgent).toMatch(/"Index Name":"audit_event_agent_block_idx"/);
        const views = await plan(() => new CitizenFileRepository(record).views(ORG_ID, contactId, [conversationId]));
        expect(views).toMatch(/"Index Name":"audit_event_contact_block_idx"/);
        expect(views).toMatch(/"Index Name":"audit_event_conversation_block_idx"/);
        for (const p of [byContact, byFile, views, byAgent])
          expect(p).not.toMatch(/"Node Type":"Seq Scan"[^}]*"Relation Name":"audit_event"/);
      } finally {
        await client.query('ROLLBACK');
      }
    });

    it('inbox-counts-due reads the partial due indexes (overdue cannot be kept by the counters)', async () => {
      const sql = (await generated())['inbox-counts-due']!;
      const client = t.db;
      await client.query('BEGIN');
      try {
        await client.query('SET LOCAL enable_seqscan = off');
        const { rows } = await client.query(`EXPLAIN (FORMAT JSON) ${sql}`, [ORG, AGENT, [TEAM]]);
        const plan = JSON.stringify(rows[0]['QUERY PLAN']);
        expect(plan).toMatch(/"Index Name":"conversation_(team_|assignee_)?due_idx"/);
        expect(plan).not.toMatch(/"Index Name":"conversation_(?!(team_|assignee_)?due_idx)/);
      } finally {
        await client.query('ROLLBACK');
      }
    });
  });
});
