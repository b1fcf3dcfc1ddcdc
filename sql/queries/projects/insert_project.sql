-- Create an empty project.
-- :project_id
-- Returns created (false when it already existed).
INSERT INTO projects (project_id) VALUES (:project_id)
ON CONFLICT (project_id) DO NOTHING
RETURNING true AS created;
