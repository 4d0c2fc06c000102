-- inbox-search-dense: generated, see test/service/hot-queries.service.test.ts
/* planned per call */ SELECT s.n::int AS sampled, CASE WHEN s.n * 5 >= 100
THEN (SELECT count(*) FROM (SELECT 1 FROM (SELECT c.search_doc FROM conversation c WHERE c.organization_id = $1
ORDER BY c.last_message_at DESC, c.id DESC LIMIT 5005) c WHERE c.search_doc @@ websearch_to_tsquery('guichet_fr', $2) LIMIT 1001) w) END::int AS n
FROM (SELECT count(*) AS n FROM (SELECT c.search_doc FROM conversation c WHERE c.organization_id = $1
ORDER BY c.last_message_at DESC, c.id DESC LIMIT 100) c WHERE c.search_doc @@ websearch_to_tsquery('guichet_fr', $3)) s
