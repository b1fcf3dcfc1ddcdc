-- Turn the agent's outcomes of one task type with similar strategies into a heuristic once there are
-- enough of them ($6) and at least one succeeded. Its counts are those outcomes; confidence their success rate.
-- $1 project_id, $2 agent, $3 task_type, $4 strategy embedding, $5 similarity threshold,
-- $6 min occurrences, $7 condition, $8 strategy, $9 domain, $10 embedding (the task's)
-- Returns the new heuristic as the API shows it, or no row when there are not enough outcomes yet.
WITH matching AS (
    SELECT count(*) AS occurrences, count(*) FILTER (WHERE o.success) AS successes
    FROM outcomes o
    WHERE o.project_id = $1 AND o.agent = $2 AND o.task_type IS NOT DISTINCT FROM $3
      AND 1 - (o.strategy_embedding <=> $4) >= $5
)
INSERT INTO heuristics AS m (project_id, agent, condition, strategy, task_type, domain, confidence,
                             occurrence_count, success_count, embedding, strategy_embedding)
SELECT $1, $2, $7, $8, $3, $9, successes::real / occurrences, occurrences, successes, $10, $4
FROM matching
WHERE occurrences >= $6 AND successes > 0
RETURNING to_jsonb(m) - 'project_id' - 'embedding' - 'strategy_embedding' AS item;
