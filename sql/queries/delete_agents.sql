-- Remove agents from a project; their grants go with them, their memories stay with the project.
-- $1 project_id, $2 names
-- Returns nothing.
DELETE FROM agents WHERE project_id = $1 AND name = ANY ($2);
