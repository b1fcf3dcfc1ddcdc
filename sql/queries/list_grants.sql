-- The read grants of a project between different agents (each agent's grant to itself is left out).
-- $1 project_id
-- Returns reader, source.
SELECT reader, source
FROM read_grants
WHERE project_id = $1 AND reader <> source
ORDER BY reader, source;
