-- inbox-search: generated, see test/service/hot-queries.service.test.ts
/* planned per call */ SELECT c.id, c.organization_id, c.reference, c.status, c.priority, c.subject, c.team_id,
c.assignee_id, c.contact_id, c.citizen_name AS contact_name, c.last_channel_kind, c.snippet, c.unread, c.callback_needed,
c.possibly_related_to_id, c.snoozed_until, c.created_at, c.last_message_at, c.last_inbound_at, c.first_response_at,
c.version, to_char(c.last_message_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS sort_key
FROM ((SELECT c.id, c.last_message_at FROM conversation c WHERE c.organization_id = $1 AND c.search_doc @@ websearch_to_tsquery('guichet_fr', $3)
ORDER BY c.last_message_at DESC, c.id DESC LIMIT $2)) hit
JOIN conversation c ON c.id = hit.id JOIN contact ct ON ct.id = c.contact_id
ORDER BY c.last_message_at DESC, c.id DESC
LIMIT $2
