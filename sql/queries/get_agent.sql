-- One agent's scope and learning settings.
-- $1 project_id, $2 name
-- Returns can_learn, cannot_learn, min_occurrences_for_heuristic, or no row.
SELECT can_learn, cannot_learn, min_occurrences_for_heuristic
FROM agents
WHERE project_id = $1 AND name = $2;
