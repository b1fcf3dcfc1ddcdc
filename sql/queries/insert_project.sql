-- Create an empty project.
-- $1 project_id
-- Returns created (false when it already existed).
INSERT INTO projects (project_id) VALUES ($1)
ON CONFLICT (project_id) DO NOTHING
RETURNING true AS created;
