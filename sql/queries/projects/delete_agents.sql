-- Remove agents from a project; rebuild_grants.sql then drops their grants, their memories stay with the project.
-- :project_id, :names
-- Returns nothing.
DELETE FROM agents WHERE project_id = :project_id AND name = ANY (:names);
