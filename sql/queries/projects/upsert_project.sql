-- Create the project if it is new, and lock its row so that concurrent config applies run one at a time.
-- :project_id, :storage_note
-- Returns created (true when the project is new).
INSERT INTO projects AS p (project_id, storage_note)
VALUES (:project_id, :storage_note)
ON CONFLICT (project_id) DO UPDATE SET storage_note = EXCLUDED.storage_note, updated_at = now()
RETURNING (xmax = 0) AS created;
