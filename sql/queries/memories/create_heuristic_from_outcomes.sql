-- Turn the agent's outcomes of one task type with similar strategies into a heuristic once there are
-- enough of them (:min_occurrences) and at least one succeeded. Its counts are those outcomes; confidence their success rate.
-- :project_id, :agent, :task_type, :strategy_embedding, :similarity_threshold,
-- :min_occurrences, :condition, :strategy, :domain, :embedding (the task's)
-- Returns the new heuristic as the API shows it, or no row when there are not enough outcomes yet.
WITH matching AS (
    SELECT count(*) AS occurrences, count(*) FILTER (WHERE o.success) AS successes
    FROM outcomes o
    WHERE o.project_id = :project_id AND o.agent = :agent AND o.task_type IS NOT DISTINCT FROM :task_type
      AND 1 - (o.strategy_embedding <=> :strategy_embedding) >= :similarity_threshold
)
INSERT INTO heuristics AS m (project_id, agent, condition, strategy, task_type, domain, confidence,
                             occurrence_count, success_count, embedding, strategy_embedding)
SELECT :project_id, :agent, :condition, :strategy, :task_type, :domain, successes::real / occurrences, occurrences, successes, :embedding, :strategy_embedding
FROM matching
WHERE occurrences >= :min_occurrences AND successes > 0
RETURNING to_jsonb(m) - 'project_id' - 'embedding' - 'ranking_vector' - 'strategy_embedding' AS item;
