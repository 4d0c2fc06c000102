-- inbox-service-open: generated, see test/service/hot-queries.service.test.ts
SELECT c.id, c.organization_id, c.reference, c.status, c.priority, c.subject, c.team_id,
c.assignee_id, c.contact_id, c.citizen_name AS contact_name, c.last_channel_kind, c.snippet, c.unread, c.callback_needed,
c.possibly_related_to_id, c.snoozed_until, c.created_at, c.last_message_at, c.last_inbound_at, c.first_response_at,
c.version, c.request_type_id, (SELECT rt.name FROM request_type rt WHERE rt.id = c.request_type_id) AS request_type_name,
c.decision_regime, c.decision_due_at, c.decision_due_non_working, c.response_due_at, c.documents_requested_at, c.documents_received_at, c.satisfaction, c.transmitted_to, coalesce((SELECT json_agg(json_build_object('id', l.id, 'name', l.name, 'color', l.color))
FROM conversation_label cl JOIN label l ON l.id = cl.label_id WHERE cl.conversation_id = c.id), '[]') AS labels, to_char(c.last_message_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS sort_key
FROM conversation c JOIN contact ct ON ct.id = c.contact_id
WHERE c.organization_id = $1 AND c.team_id = $2 AND c.status = $3
ORDER BY c.last_message_at DESC, c.id DESC
LIMIT $4
