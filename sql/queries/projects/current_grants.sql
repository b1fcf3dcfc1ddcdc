-- The project's grants as they stand, in the shape rebuild_grants.sql answers (for an apply that changed no
-- agent, and so no grant).
-- :project_id, :listed how many grants to list (the count is exact)
-- Returns one row: grants (a jsonb array of {reader, source}, at most :listed), grant_count, and empty
-- grants_added / grants_revoked with zero counts.
SELECT
    (SELECT coalesce(jsonb_agg(jsonb_build_object('reader', reader, 'source', source)
                               ORDER BY reader COLLATE "C", source COLLATE "C"), '[]')
     FROM (SELECT g.reader, s.source FROM read_grants g, unnest(g.sources) s(source) WHERE g.project_id = :project_id
           ORDER BY g.reader COLLATE "C", s.source COLLATE "C" LIMIT :listed) g) AS grants,
    '[]'::jsonb AS grants_added,
    '[]'::jsonb AS grants_revoked,
    (SELECT coalesce(sum(cardinality(sources)), 0) FROM read_grants WHERE project_id = :project_id)::bigint AS grant_count,
    0::bigint AS grants_added_count,
    0::bigint AS grants_revoked_count;
