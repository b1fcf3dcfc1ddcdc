-- The project's grants as they stand, in the shape rebuild_grants.sql answers (for an apply that changed no
-- agent, and so no grant).
-- $1 project_id, $2 how many grants to list (the count is exact)
-- Returns one row: grants (a jsonb array of {reader, source}, at most $2), grant_count, and empty
-- grants_added / grants_revoked with zero counts.
SELECT
    (SELECT coalesce(jsonb_agg(jsonb_build_object('reader', reader, 'source', source)
                               ORDER BY reader COLLATE "C", source COLLATE "C"), '[]')
     FROM (SELECT g.reader, s.source FROM read_grants g, unnest(g.sources) s(source) WHERE g.project_id = $1
           ORDER BY g.reader COLLATE "C", s.source COLLATE "C" LIMIT $2) g) AS grants,
    '[]'::jsonb AS grants_added,
    '[]'::jsonb AS grants_revoked,
    (SELECT coalesce(sum(cardinality(sources)), 0) FROM read_grants WHERE project_id = $1)::bigint AS grant_count,
    0::bigint AS grants_added_count,
    0::bigint AS grants_revoked_count;
