-- Make read_grants hold exactly what the project's agents declare, as granted_sources() works it out (the
-- reader inherits from the source AND the source shares with the reader). Edges are direct: nothing is
-- inherited transitively. Only readers whose sources changed are written
-- (a reader's row is its existence: every agent has one, with no sources if nobody shares with it).
-- :project_id, :listed how many grants of each list to return (the counts are exact)
-- Returns one row: grants (after the change), grants_added, grants_revoked, each a jsonb array of
-- {reader, source} by reader and source, at most :listed long; grant_count, grants_added_count, grants_revoked_count.
WITH desired AS MATERIALIZED (SELECT reader, sources FROM granted_sources(:project_id)),
existing AS MATERIALIZED (SELECT reader, sources FROM read_grants WHERE project_id = :project_id),
changed AS MATERIALIZED (
    SELECT coalesce(d.reader, e.reader) AS reader, coalesce(d.sources, '{}') AS new, coalesce(e.sources, '{}') AS old
    FROM desired d FULL JOIN existing e ON e.reader = d.reader
    WHERE d.sources IS DISTINCT FROM e.sources
),
added AS MATERIALIZED (
    SELECT c.reader, s.source FROM changed c,
           LATERAL (SELECT unnest(c.new) EXCEPT SELECT unnest(c.old)) s(source)
),
revoked AS MATERIALIZED (
    SELECT c.reader, s.source FROM changed c,
           LATERAL (SELECT unnest(c.old) EXCEPT SELECT unnest(c.new)) s(source)
),
gone AS (  -- readers that are no agent any more
    DELETE FROM read_grants g USING changed c
    WHERE g.project_id = :project_id AND g.reader = c.reader AND c.reader NOT IN (SELECT reader FROM desired)
),
written AS (
    INSERT INTO read_grants (project_id, reader, sources)
    SELECT :project_id, d.reader, d.sources FROM desired d JOIN changed c ON c.reader = d.reader
    ON CONFLICT (project_id, reader) DO UPDATE SET sources = EXCLUDED.sources
)
SELECT
    (SELECT coalesce(jsonb_agg(jsonb_build_object('reader', reader, 'source', source)
                               ORDER BY reader COLLATE "C", source COLLATE "C"), '[]')
     FROM (SELECT d.reader, s.source FROM desired d, unnest(d.sources) s(source)
           ORDER BY d.reader COLLATE "C", s.source COLLATE "C" LIMIT :listed) g) AS grants,
    (SELECT coalesce(jsonb_agg(jsonb_build_object('reader', reader, 'source', source)
                               ORDER BY reader COLLATE "C", source COLLATE "C"), '[]')
     FROM (SELECT * FROM added ORDER BY reader COLLATE "C", source COLLATE "C" LIMIT :listed) g) AS grants_added,
    (SELECT coalesce(jsonb_agg(jsonb_build_object('reader', reader, 'source', source)
                               ORDER BY reader COLLATE "C", source COLLATE "C"), '[]')
     FROM (SELECT * FROM revoked ORDER BY reader COLLATE "C", source COLLATE "C" LIMIT :listed) g) AS grants_revoked,
    (SELECT coalesce(sum(cardinality(sources)), 0) FROM desired)::bigint AS grant_count,
    (SELECT count(*) FROM added) AS grants_added_count,
    (SELECT count(*) FROM revoked) AS grants_revoked_count;
