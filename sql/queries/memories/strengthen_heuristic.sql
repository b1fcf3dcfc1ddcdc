-- Count one more outcome towards the agent's heuristic for the same task type and a similar strategy.
-- Confidence is the success rate. The row lock makes concurrent increments exact.
-- :project_id, :agent, :task_type, :strategy_embedding, :similarity_threshold, :success
-- Returns the updated heuristic as the API shows it, or no row when the agent has none that matches.
UPDATE heuristics AS m
SET occurrence_count = m.occurrence_count + 1,
    success_count = m.success_count + :success::boolean::int,
    confidence = (m.success_count + :success::boolean::int)::real / (m.occurrence_count + 1),
    last_validated = now(),
    updated_at = now()
WHERE m.project_id = :project_id
  AND m.id = (SELECT h.id
              FROM heuristics h
              WHERE h.project_id = :project_id AND h.agent = :agent AND h.task_type IS NOT DISTINCT FROM :task_type
                AND 1 - (h.strategy_embedding <=> :strategy_embedding) >= :similarity_threshold
              ORDER BY h.strategy_embedding <=> :strategy_embedding, h.id
              LIMIT 1)
RETURNING to_jsonb(m) - 'project_id' - 'embedding' - 'ranking_vector' - 'strategy_embedding' AS item;
