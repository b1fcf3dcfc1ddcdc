-- Record the last memory of a kind that a move to another embedder has done.
-- $1 kind, $2 project_id, $3 id
-- Returns nothing.
INSERT INTO reembed_progress (kind, project_id, id) VALUES ($1, $2, $3)
ON CONFLICT (kind) DO UPDATE SET project_id = excluded.project_id, id = excluded.id;
