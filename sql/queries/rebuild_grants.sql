-- Make read_grants hold exactly what the project's agents declare: each agent's grant to itself, plus
-- (reader, source) for each of granted_edges() (the reader inherits from the source AND
-- the source shares with the reader). Edges are direct: nothing is inherited transitively. Only the
-- difference is written.
-- $1 project_id, $2 how many grants of each list to return (the counts are exact)
-- Returns one row: grants (after the change, between different agents), grants_added, grants_revoked, each
-- a jsonb array of {reader, source} in that order, at most $2 long; grant_count, grants_added_count, grants_revoked_count.
WITH desired AS MATERIALIZED (
    SELECT name AS reader, name AS source FROM agents WHERE project_id = $1
    UNION ALL
    SELECT e.reader, e.source FROM granted_edges($1) e
),
existing AS MATERIALIZED (
    SELECT reader, source FROM read_grants WHERE project_id = $1
),
revoked AS (
    DELETE FROM read_grants g
    USING (SELECT reader, source FROM existing EXCEPT ALL SELECT reader, source FROM desired) gone
    WHERE g.project_id = $1 AND g.reader = gone.reader AND g.source = gone.source
    RETURNING g.reader, g.source
),
added AS (
    INSERT INTO read_grants (project_id, reader, source)
    SELECT $1, reader, source FROM (SELECT reader, source FROM desired EXCEPT ALL SELECT reader, source FROM existing) new
    ORDER BY reader, source  -- in index order: each leaf page of the key is filled once
    RETURNING reader, source
)
SELECT
    (SELECT coalesce(jsonb_agg(jsonb_build_object('reader', reader, 'source', source)
                               ORDER BY reader COLLATE "C", source COLLATE "C"), '[]')
     FROM (SELECT * FROM desired WHERE reader <> source ORDER BY reader COLLATE "C", source COLLATE "C" LIMIT $2) g) AS grants,
    (SELECT coalesce(jsonb_agg(jsonb_build_object('reader', reader, 'source', source)
                               ORDER BY reader COLLATE "C", source COLLATE "C"), '[]')
     FROM (SELECT * FROM added WHERE reader <> source ORDER BY reader COLLATE "C", source COLLATE "C" LIMIT $2) g) AS grants_added,
    (SELECT coalesce(jsonb_agg(jsonb_build_object('reader', reader, 'source', source)
                               ORDER BY reader COLLATE "C", source COLLATE "C"), '[]')
     FROM (SELECT * FROM revoked WHERE reader <> source ORDER BY reader COLLATE "C", source COLLATE "C" LIMIT $2) g) AS grants_revoked,
    (SELECT count(*) FROM desired WHERE reader <> source) AS grant_count,
    (SELECT count(*) FROM added WHERE reader <> source) AS grants_added_count,
    (SELECT count(*) FROM revoked WHERE reader <> source) AS grants_revoked_count;
