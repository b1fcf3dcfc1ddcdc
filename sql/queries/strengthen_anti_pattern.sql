-- Count one more failure towards the agent's anti-pattern for the same task type and a similar strategy.
-- $1 project_id, $2 agent, $3 task_type, $4 strategy embedding, $5 similarity threshold
-- Returns the updated anti-pattern as the API shows it, or no row.
UPDATE anti_patterns AS m
SET occurrence_count = m.occurrence_count + 1, last_seen = now(), updated_at = now()
WHERE m.project_id = $1
  AND m.id = (SELECT a.id
              FROM anti_patterns a
              WHERE a.project_id = $1 AND a.agent = $2 AND a.task_type IS NOT DISTINCT FROM $3
                AND 1 - (a.pattern_embedding <=> $4) >= $5
              ORDER BY a.pattern_embedding <=> $4, a.id
              LIMIT 1)
RETURNING to_jsonb(m) - 'project_id' - 'embedding' - 'pattern_embedding' AS item;
