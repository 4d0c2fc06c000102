-- inbox-counts: generated, see test/service/hot-queries.service.test.ts
SELECT team_id, status, sum(n)::int AS n,
coalesce(sum(n) FILTER (WHERE assignee_id = $2 AND status <> 'snoozed'), 0)::int AS mine,
coalesce(sum(n) FILTER (WHERE assignee_id IS NULL AND status = 'open'), 0)::int AS unassigned,
coalesce(sum(n) FILTER (WHERE callback_needed), 0)::int AS callback
FROM conversation_count WHERE organization_id = $1 AND (team_id = ANY($3::uuid[]) OR assignee_id = $2) GROUP BY team_id, status
