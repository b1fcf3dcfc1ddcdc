-- One agent's scope and learning settings.
-- :project_id, :name
-- Returns can_learn, cannot_learn, min_occurrences_for_heuristic, or no row.
SELECT can_learn, cannot_learn, min_occurrences_for_heuristic
FROM agents
WHERE project_id = :project_id AND name = :name;
