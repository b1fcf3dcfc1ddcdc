-- How many memories a project holds, all kinds together.
-- :project_id
-- Returns one bigint.
SELECT count(*) FROM memory_items WHERE project_id = :project_id;
