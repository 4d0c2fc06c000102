-- inbox-search-total: generated, see test/service/hot-queries.service.test.ts
/* planned per call */ SELECT count(*)::int AS n FROM ((SELECT c.id FROM conversation c WHERE c.organization_id = $1 AND c.search_doc @@ websearch_to_tsquery('guichet_fr', $3) LIMIT $2)) hit
