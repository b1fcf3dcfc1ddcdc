-- One memory, if the reader may read it: its own, a granted source's, or a preference of the project
-- (preferences belong to users, so every agent of the project reads them).
-- $1 project_id, $2 kind, $3 id, $4 reader
-- Returns agent, item, or no row (unknown, or not readable: the two are not told apart).
SELECT m.agent, m.item
FROM memory_items m
JOIN read_grants g ON g.project_id = m.project_id AND g.reader = $4
                  AND (m.agent = $4 OR m.kind = 'preferences' OR m.agent = ANY (g.sources))
WHERE m.project_id = $1 AND m.kind = $2 AND m.id = $3
LIMIT 1;
