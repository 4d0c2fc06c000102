-- inbox-search-contacts: generated, see test/service/hot-queries.service.test.ts
/* planned per call */ SELECT id FROM contact WHERE organization_id = $1 AND search @@ websearch_to_tsquery('guichet_fr', $2) LIMIT $3
