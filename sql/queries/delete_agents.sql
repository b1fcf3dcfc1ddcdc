-- Remove agents from a project; rebuild_grants.sql then drops their grants, their memories stay with the project.
-- $1 project_id, $2 names
-- Returns nothing.
DELETE FROM agents WHERE project_id = $1 AND name = ANY ($2);
