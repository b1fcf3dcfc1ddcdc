-- How many memories of each kind the agent owns, and how many each granted source lets it read.
-- Preferences belong to users and are not lent by grants, so they count only as the writer's own.
-- :project_id, :agent
-- Returns source, kind, memories (one row per source and kind that has any).
SELECT m.agent AS source, m.kind, count(*) AS memories
FROM read_grants g
JOIN memory_items m ON m.project_id = g.project_id
                   AND (m.agent = g.reader OR (m.kind <> 'preferences' AND m.agent = ANY (g.sources)))
WHERE g.project_id = :project_id AND g.reader = :agent
GROUP BY m.agent, m.kind
ORDER BY m.agent, m.kind;
