-- The next memories of one kind for a move to another embedder: those after the last one done, in key order.
-- :kind (as memory_items names it), :project_id and :id of the last one done ('' and 0 for none), :limit how many
-- Returns project_id, id, item (the memory as the API shows it: its texts).
SELECT project_id, id, item
FROM memory_items
WHERE kind = :kind AND (project_id, id) > (:project_id, :id)
ORDER BY project_id, id
LIMIT :limit;
