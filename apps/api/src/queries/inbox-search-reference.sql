-- inbox-search-reference: generated, see test/service/hot-queries.service.test.ts
SELECT c.id, c.organization_id, c.reference, c.status, c.priority, c.subject, c.team_id,
c.assignee_id, c.contact_id, c.citizen_name AS contact_name, c.last_channel_kind, c.snippet, c.unread, c.callback_needed,
c.possibly_related_to_id, c.snoozed_until, c.created_at, c.last_message_at, c.last_inbound_at, c.first_response_at,
c.version, to_char(c.last_message_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS sort_key
FROM conversation c JOIN contact ct ON ct.id = c.contact_id
WHERE c.organization_id = $1 AND c.id IN (
SELECT m.conversation_id FROM message m WHERE m.organization_id = $1 AND m.search @@ websearch_to_tsquery('guichet_fr', $2)
UNION SELECT c2.id FROM conversation c2 WHERE c2.organization_id = $1 AND c2.search @@ websearch_to_tsquery('guichet_fr', $2)
UNION SELECT c3.id FROM conversation c3 JOIN contact k ON k.id = c3.contact_id
WHERE k.organization_id = $1 AND k.search @@ websearch_to_tsquery('guichet_fr', $2)
UNION SELECT c5.id FROM conversation c5 WHERE c5.organization_id = $1 AND c5.reference = $3)
ORDER BY c.last_message_at DESC, c.id DESC
LIMIT $4
