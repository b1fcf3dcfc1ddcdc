-- A project's agents (or one of them) with the grants they hold: whose memories each reads, and who reads its.
-- :project_id, :name (NULL: every agent)
-- Returns every agent column, reads_from and read_by (names in byte order), by name.
WITH read_by AS (
    SELECT s.source, array_agg(g.reader ORDER BY g.reader COLLATE "C") AS readers
    FROM read_grants g, unnest(g.sources) s(source)
    WHERE g.project_id = :project_id AND (:name::text IS NULL OR s.source = :name)
    GROUP BY s.source
)
SELECT a.name, a.domain, a.can_learn, a.cannot_learn, a.share_with, a.inherit_from,
       a.min_occurrences_for_heuristic, a.created_at, a.updated_at,
       coalesce(g.sources, '{}') AS reads_from, coalesce(b.readers, '{}') AS read_by
FROM agents a
LEFT JOIN read_grants g ON g.project_id = a.project_id AND g.reader = a.name
LEFT JOIN read_by b ON b.source = a.name
WHERE a.project_id = :project_id AND (:name::text IS NULL OR a.name = :name)
ORDER BY a.name;
