-- Prune outcomes older than $3 days and heuristics below confidence $4, of one agent or the whole project.
-- $1 project_id, $2 agent (NULL: every agent), $3 older_than_days (NULL: keep outcomes),
-- $4 below_confidence (NULL: keep heuristics)
-- Returns outcomes_removed, heuristics_removed.
WITH old_outcomes AS (
    DELETE FROM outcomes
    WHERE project_id = $1 AND ($2::text IS NULL OR agent = $2)
      AND $3::integer IS NOT NULL AND created_at < now() - make_interval(days => $3::integer)
    RETURNING 1
), weak_heuristics AS (
    DELETE FROM heuristics
    WHERE project_id = $1 AND ($2::text IS NULL OR agent = $2)
      AND $4::real IS NOT NULL AND confidence < $4::real
    RETURNING 1
)
SELECT (SELECT count(*) FROM old_outcomes) AS outcomes_removed,
       (SELECT count(*) FROM weak_heuristics) AS heuristics_removed;
