-- thread-page: generated, see test/service/hot-queries.service.test.ts
SELECT m.id, m.conversation_id, m.direction, m.kind, m.channel_id, ch.kind AS channel_kind, m.author_agent_id,
m.body, m.html_body, m.status, m.error, m.created_at, m.meta->'inlineImages' AS inline_images, m.meta->'listedToo' AS listed_too,
m.meta->>'senderDeduced' AS sender_deduced, m.meta->>'acknowledgement' AS acknowledgement, m.meta->>'survey' AS survey,
m.meta->'formNotice' AS notice, m.meta->'letter' AS letter, m.meta->>'postedAt' AS posted_at,
(m.status = 'failed' AND m.meta ? 'municipalEvent' AND starts_with(m.error, 'non envoyé :')) AS skipped, to_char(m.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS sort_key,
coalesce((SELECT json_agg(json_build_object('id', a.id, 'fileName', a.file_name, 'contentType', a.content_type,
'size', a.size, 'sha256', a.sha256) ORDER BY a.created_at, a.id)
FROM attachment a WHERE a.message_id = m.id), '[]') AS attachments FROM message m LEFT JOIN channel ch ON ch.id = m.channel_id
WHERE m.conversation_id = $1 AND (m.created_at, m.id) < ($3::timestamptz, $4::uuid) ORDER BY m.created_at DESC, m.id DESC LIMIT $2
