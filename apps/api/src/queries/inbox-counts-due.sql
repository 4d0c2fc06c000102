-- inbox-counts-due: generated, see test/service/hot-queries.service.test.ts
SELECT team_id, count(*) FILTER (WHERE due_at < now())::int AS overdue,
count(*) FILTER (WHERE due_at >= now())::int AS due_soon
FROM conversation
WHERE organization_id = $1 AND (team_id = ANY($3::uuid[]) OR assignee_id = $2) AND due_at IS NOT NULL AND status IN ('open', 'pending', 'snoozed') AND due_at < now() + interval '48 hours'
GROUP BY team_id
