-- A project's agents with the grants they hold, as the API answers them, written by the database as UTF-8
-- JSON in pieces (one per agent): the list of a large project (1,000 agents reading 1,000 sources each, 50 MB)
-- is streamed piece by piece, never decoded, modelled or encoded by the service.
-- :project_id
-- Returns piece, in order: the pieces joined are the JSON array of the agents by name, each with its config,
-- reads_from and read_by (names in byte order). No row: the project has no agents.
WITH read_by AS (
    SELECT s.source, array_agg(g.reader ORDER BY g.reader COLLATE "C") AS readers
    FROM read_grants g, unnest(g.sources) s(source)
    WHERE g.project_id = :project_id
    GROUP BY s.source
),
listed AS (
    SELECT a.name, json_build_object(
               'domain', a.domain, 'can_learn', a.can_learn, 'cannot_learn', a.cannot_learn,
               'share_with', a.share_with, 'inherit_from', a.inherit_from,
               'min_occurrences_for_heuristic', a.min_occurrences_for_heuristic, 'name', a.name,
               'reads_from', coalesce(g.sources, '{}'), 'read_by', coalesce(b.readers, '{}'))::text AS agent,
           row_number() OVER (ORDER BY a.name) AS n, count(*) OVER () AS total
    FROM agents a
    LEFT JOIN read_grants g ON g.project_id = a.project_id AND g.reader = a.name
    LEFT JOIN read_by b ON b.source = a.name
    WHERE a.project_id = :project_id
)
SELECT convert_to(CASE WHEN n = 1 THEN '[' ELSE ',' END || agent || CASE WHEN n = total THEN ']' ELSE '' END, 'UTF8') AS piece
FROM listed
ORDER BY n;
