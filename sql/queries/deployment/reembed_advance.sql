-- Record the last memory of a kind that a move to another embedder has done.
-- :kind, :project_id, :id
-- Returns nothing.
INSERT INTO reembed_progress (kind, project_id, id) VALUES (:kind, :project_id, :id)
ON CONFLICT (kind) DO UPDATE SET project_id = excluded.project_id, id = excluded.id;
