-- Count one more failure towards the agent's anti-pattern for the same task type and a similar strategy.
-- :project_id, :agent, :task_type, :strategy_embedding, :similarity_threshold
-- Returns the updated anti-pattern as the API shows it, or no row.
UPDATE anti_patterns AS m
SET occurrence_count = m.occurrence_count + 1, last_seen = now(), updated_at = now()
WHERE m.project_id = :project_id
  AND m.id = (SELECT a.id
              FROM anti_patterns a
              WHERE a.project_id = :project_id AND a.agent = :agent AND a.task_type IS NOT DISTINCT FROM :task_type
                AND 1 - (a.pattern_embedding <=> :strategy_embedding) >= :similarity_threshold
              ORDER BY a.pattern_embedding <=> :strategy_embedding, a.id
              LIMIT 1)
RETURNING to_jsonb(m) - 'project_id' - 'embedding' - 'ranking_vector' - 'pattern_embedding' AS item;
