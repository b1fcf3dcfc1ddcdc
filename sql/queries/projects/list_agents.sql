-- The agents of a project, by name.
-- :project_id
-- Returns every agent column.
SELECT name, domain, can_learn, cannot_learn, share_with, inherit_from, min_occurrences_for_heuristic,
       created_at, updated_at
FROM agents
WHERE project_id = :project_id
ORDER BY name;
