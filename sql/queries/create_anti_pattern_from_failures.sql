-- Turn repeated failures (two or more, with an error message) of one strategy for one task type into an
-- anti-pattern; its better alternative is the agent's most confident heuristic for that task type, if any.
-- $1 project_id, $2 agent, $3 task_type, $4 strategy embedding, $5 similarity threshold,
-- $6 pattern (the failed strategy), $7 why_bad (the error), $8 domain, $9 embedding (the task's)
-- Returns the new anti-pattern as the API shows it, or no row while the failure is not repeated.
WITH failures AS (
    SELECT count(*) AS occurrences
    FROM outcomes o
    WHERE o.project_id = $1 AND o.agent = $2 AND o.task_type IS NOT DISTINCT FROM $3
      AND NOT o.success AND o.error_message IS NOT NULL
      AND 1 - (o.strategy_embedding <=> $4) >= $5
),
alternative AS (
    SELECT h.strategy
    FROM heuristics h
    WHERE h.project_id = $1 AND h.agent = $2 AND h.task_type IS NOT DISTINCT FROM $3
      AND 1 - (h.strategy_embedding <=> $4) < $5
    ORDER BY h.confidence DESC, h.id
    LIMIT 1
)
INSERT INTO anti_patterns AS m (project_id, agent, pattern, why_bad, better_alternative, task_type, domain,
                                occurrence_count, embedding, pattern_embedding)
SELECT $1, $2, $6, $7, (SELECT strategy FROM alternative), $3, $8, occurrences, $9, $4
FROM failures
WHERE occurrences >= 2
RETURNING to_jsonb(m) - 'project_id' - 'embedding' - 'pattern_embedding' AS item;
