/**
 * Measures the reports fold's first-answer look-up (ReportsRepository.conversationSources'
 * `first_responder`) on a seeded town (the inbox bench's seed, plus letters on 3 % of the answered
 * files, one posted, and 40 more messages on 1 %): EXPLAIN (ANALYZE, BUFFERS) of the look-up alone
 * over a fold's batch (5,000 answered files) and over the long files, in three forms — before
 * 0880a50 (first answer by writing time), 0880a50's (every answer of the file read through
 * message_conversation_idx and sorted by posting time), and a two-branch one (the first answer
 * not on paper by that index, stopping there; the posted letters by a partial index the script
 * creates). Not part of `pnpm bench`: run it by hand after `tsc -b bench`:
 *   node dist/bench-build/bench/first-answer-plan.js [conversations, default 20000]
 */
import { withBenchEnv } from './lib/env';
import { seedInbox } from './inbox-seed';

const POSTAL = `ARRAY['letter']`;
const ANSWER = `mm.conversation_id = c.id AND mm.direction = 'outbound' AND mm.kind <> 'note'
                AND mm.author_agent_id IS NOT NULL AND (mm.meta->>'acknowledgement') IS NULL`;

const FORMS: Record<string, string> = {
  before: `(SELECT mm.author_agent_id FROM message mm WHERE ${ANSWER} ORDER BY mm.created_at, mm.id LIMIT 1)`,
  current: `(SELECT mm.author_agent_id FROM message mm
              WHERE ${ANSWER}
                AND (mm.meta->>'postedAt' IS NOT NULL
                     OR NOT EXISTS (SELECT 1 FROM channel pc WHERE pc.id = mm.channel_id AND pc.kind = ANY(${POSTAL})))
              ORDER BY coalesce((mm.meta->>'postedAt')::timestamptz, mm.created_at), mm.id LIMIT 1)`,
  split: `(SELECT a.author_agent_id FROM (
             (SELECT mm.author_agent_id, mm.created_at AS at, mm.id FROM message mm
               WHERE ${ANSWER}
                 AND NOT EXISTS (SELECT 1 FROM channel pc WHERE pc.id = mm.channel_id AND pc.kind = ANY(${POSTAL}))
               ORDER BY mm.created_at, mm.id LIMIT 1)
             UNION ALL
             (SELECT mm.author_agent_id, (mm.meta->>'postedAt')::timestamptz, mm.id FROM message mm
               WHERE ${ANSWER} AND mm.meta ? 'postedAt'
               ORDER BY 2, 3 LIMIT 1)) a
           ORDER BY a.at, a.id LIMIT 1)`,
};

async function main(): Promise<void> {
  const conversations = Number(process.argv[2] ?? 20_000);
  const log = (s: string) => console.log(s);
  await withBenchEnv(log, async (env) => {
    const town = await seedInbox(
      env,
      { conversations, messages: conversations * 5, contacts: conversations / 2, agentsPerTeam: 3 },
      log,
    );
    const db = env.db;
    // A letter channel; 3 % of the answered files also answered on paper (two letters, one posted),
    // and 1 % long exchanges (40 more messages): what makes a file's outgoing messages many.
    const [{ id: letter }] = (
      await db.query<{ id: string }>(
        `INSERT INTO channel (organization_id, team_id, kind, name) VALUES ($1, $2, 'letter', 'Courrier') RETURNING id`,
        [town.organizationId, town.teamIds[0]],
      )
    ).rows as [{ id: string }];
    await db.query(
      `INSERT INTO message (organization_id, conversation_id, direction, kind, channel_id, author_agent_id, body, status, meta, created_at)
       SELECT c.organization_id, c.id, 'outbound', 'message', $2, c.assignee_id, 'Courrier', CASE WHEN j = 1 THEN 'sent' ELSE 'queued' END,
              CASE WHEN j = 1 THEN jsonb_build_object('postedAt', to_char((c.created_at + interval '3 days') AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')) END,
              c.created_at + interval '1 day'
         FROM conversation c CROSS JOIN generate_series(1, 2) j
        WHERE c.organization_id = $1 AND c.first_response_at IS NOT NULL AND get_byte(uuid_send(c.id), 3) < 8`,
      [town.organizationId, letter],
    );
    await db.query(
      `INSERT INTO message (organization_id, conversation_id, direction, kind, channel_id, author_agent_id, body, status, created_at)
       SELECT m.organization_id, m.conversation_id, CASE WHEN j % 2 = 0 THEN 'outbound' ELSE 'inbound' END, 'message', m.channel_id,
              CASE WHEN j % 2 = 0 THEN c.assignee_id END, 'Suite ' || j, CASE WHEN j % 2 = 0 THEN 'sent' ELSE 'received' END,
              c.last_message_at + make_interval(mins => j)
         FROM conversation c
         JOIN LATERAL (SELECT * FROM message x WHERE x.conversation_id = c.id ORDER BY x.created_at LIMIT 1) m ON true
        CROSS JOIN generate_series(1, 40) j
        WHERE c.organization_id = $1 AND c.first_response_at IS NOT NULL AND get_byte(uuid_send(c.id), 4) < 3`,
      [town.organizationId],
    );
    await db.query(`VACUUM (ANALYZE) message`);
    const { rows: stats } = await db.query(
      `SELECT count(*)::int AS messages, count(DISTINCT conversation_id)::int AS files FROM message WHERE organization_id = $1`,
      [town.organizationId],
    );
    log(`messages ${JSON.stringify(stats[0])}`);
    // A fold's batch of answered files, and the long exchanges alone.
    const batches: Record<string, string[]> = {
      answered: (
        await db.query<{ id: string }>(
          `SELECT id FROM conversation WHERE organization_id = $1 AND first_response_at IS NOT NULL ORDER BY md5(id::text) LIMIT 5000`,
          [town.organizationId],
        )
      ).rows.map((r) => r.id),
      long: (
        await db.query<{ id: string }>(
          `SELECT conversation_id AS id FROM message WHERE organization_id = $1 GROUP BY conversation_id HAVING count(*) > 40`,
          [town.organizationId],
        )
      ).rows.map((r) => r.id),
    };
    const measure = async (name: string, sql: string) => {
      for (const [batchName, batch] of Object.entries(batches)) {
        const times: number[] = [];
        let plan = '';
        for (let i = 0; i < 7; i++) {
          const { rows } = await db.query<{ 'QUERY PLAN': string }>(
            `EXPLAIN (ANALYZE, BUFFERS, FORMAT TEXT) SELECT c.id, ${sql} AS a FROM unnest($1::uuid[]) k(id) JOIN conversation c ON c.id = k.id`,
            [batch],
          );
          plan = rows.map((r) => r['QUERY PLAN']).join('\n');
          times.push(Number(/Execution Time: ([\d.]+) ms/.exec(plan)![1]));
        }
        times.sort((a, b) => a - b);
        log(
          `\n=== ${name}, ${batchName} (${batch.length} files): execution min ${times[0]} ms, median ${times[3]} ms of 7\n${plan}`,
        );
      }
    };
    const answers = async (sql: string) =>
      new Map(
        (
          await db.query<{ id: string; a: string | null }>(
            `SELECT c.id, ${sql} AS a FROM unnest($1::uuid[]) k(id) JOIN conversation c ON c.id = k.id`,
            [batches.answered],
          )
        ).rows.map((r) => [r.id, r.a]),
      );
    await measure('before', FORMS.before!);
    await measure('current', FORMS.current!);
    const current = await answers(FORMS.current!);
    // The split form reads the posted letters from their own partial index.
    await db.query(`CREATE INDEX message_posted_idx ON message (conversation_id) WHERE meta ? 'postedAt'`);
    await db.query(`ANALYZE message`);
    await measure('split', FORMS.split!);
    const split = await answers(FORMS.split!);
    log(`current vs split: ${batches.answered!.filter((id) => current.get(id) !== split.get(id)).length} files differ`);
  });
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
