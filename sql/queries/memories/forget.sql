-- Prune outcomes older than :older_than_days days and heuristics below confidence :below_confidence, of one agent or the whole project.
-- :project_id, :agent (NULL: every agent), :older_than_days (NULL: keep outcomes),
-- :below_confidence (NULL: keep heuristics)
-- Returns outcomes_removed, heuristics_removed.
WITH old_outcomes AS (
    DELETE FROM outcomes
    WHERE project_id = :project_id AND (:agent::text IS NULL OR agent = :agent)
      AND :older_than_days::integer IS NOT NULL AND created_at < now() - make_interval(days => :older_than_days::integer)
    RETURNING 1
), weak_heuristics AS (
    DELETE FROM heuristics
    WHERE project_id = :project_id AND (:agent::text IS NULL OR agent = :agent)
      AND :below_confidence::real IS NOT NULL AND confidence < :below_confidence::real
    RETURNING 1
)
SELECT (SELECT count(*) FROM old_outcomes) AS outcomes_removed,
       (SELECT count(*) FROM weak_heuristics) AS heuristics_removed;
