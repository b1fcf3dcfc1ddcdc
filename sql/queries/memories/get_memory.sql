-- One memory, if the reader may read it: its own, a granted source's, or a preference of the project
-- (preferences belong to users, so every agent of the project reads them).
-- :project_id, :kind, :id, :reader
-- Returns agent, item, or no row (unknown, or not readable: the two are not told apart).
SELECT m.agent, m.item
FROM memory_items m
JOIN read_grants g ON g.project_id = m.project_id AND g.reader = :reader
                  AND (m.agent = :reader OR m.kind = 'preferences' OR m.agent = ANY (g.sources))
WHERE m.project_id = :project_id AND m.kind = :kind AND m.id = :id
LIMIT 1;
