-- The next memories of one kind for a move to another embedder: those after the last one done, in key order.
-- $1 kind (as memory_items names it), $2 project_id and $3 id of the last one done ('' and 0 for none), $4 how many
-- Returns project_id, id, item (the memory as the API shows it: its texts).
SELECT project_id, id, item
FROM memory_items
WHERE kind = $1 AND (project_id, id) > ($2, $3)
ORDER BY project_id, id
LIMIT $4;
