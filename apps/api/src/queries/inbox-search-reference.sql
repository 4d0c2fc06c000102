-- inbox-search-reference: generated, see test/service/hot-queries.service.test.ts
/* planned per call */ (SELECT 1 AS b, c.id, to_char(c.last_message_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS k FROM conversation c WHERE c.organization_id = $1 AND c.reference = $2 LIMIT $3)
