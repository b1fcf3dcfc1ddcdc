-- Count one more outcome towards the agent's heuristic for the same task type and a similar strategy.
-- Confidence is the success rate. The row lock makes concurrent increments exact.
-- $1 project_id, $2 agent, $3 task_type, $4 strategy embedding, $5 similarity threshold, $6 success
-- Returns the updated heuristic as the API shows it, or no row when the agent has none that matches.
UPDATE heuristics AS m
SET occurrence_count = m.occurrence_count + 1,
    success_count = m.success_count + $6::boolean::int,
    confidence = (m.success_count + $6::boolean::int)::real / (m.occurrence_count + 1),
    last_validated = now(),
    updated_at = now()
WHERE m.project_id = $1
  AND m.id = (SELECT h.id
              FROM heuristics h
              WHERE h.project_id = $1 AND h.agent = $2 AND h.task_type IS NOT DISTINCT FROM $3
                AND 1 - (h.strategy_embedding <=> $4) >= $5
              ORDER BY h.strategy_embedding <=> $4, h.id
              LIMIT 1)
RETURNING to_jsonb(m) - 'project_id' - 'embedding' - 'strategy_embedding' AS item;
