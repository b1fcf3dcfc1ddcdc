-- How many memories a move to another embedder has still to do.
-- No parameters.
-- Returns one row: memories.
SELECT count(*) AS memories
FROM memory_items m
LEFT JOIN reembed_progress p ON p.kind = m.kind
WHERE p.kind IS NULL OR (m.project_id, m.id) > (p.project_id, p.id);
