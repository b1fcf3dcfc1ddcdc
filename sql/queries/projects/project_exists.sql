-- Whether a project has been created (by applying a config).
-- :project_id
-- Returns one boolean.
SELECT EXISTS (SELECT FROM projects WHERE project_id = :project_id);
