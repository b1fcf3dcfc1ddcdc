-- Turn repeated failures (two or more, with an error message) of one strategy for one task type into an
-- anti-pattern; its better alternative is the agent's most confident heuristic for that task type, if any.
-- :project_id, :agent, :task_type, :strategy_embedding, :similarity_threshold,
-- :pattern (the failed strategy), :why_bad (the error), :domain, :embedding (the task's)
-- Returns the new anti-pattern as the API shows it, or no row while the failure is not repeated.
WITH failures AS (
    SELECT count(*) AS occurrences
    FROM outcomes o
    WHERE o.project_id = :project_id AND o.agent = :agent AND o.task_type IS NOT DISTINCT FROM :task_type
      AND NOT o.success AND o.error_message IS NOT NULL
      AND 1 - (o.strategy_embedding <=> :strategy_embedding) >= :similarity_threshold
),
alternative AS (
    SELECT h.strategy
    FROM heuristics h
    WHERE h.project_id = :project_id AND h.agent = :agent AND h.task_type IS NOT DISTINCT FROM :task_type
      AND 1 - (h.strategy_embedding <=> :strategy_embedding) < :similarity_threshold
    ORDER BY h.confidence DESC, h.id
    LIMIT 1
)
INSERT INTO anti_patterns AS m (project_id, agent, pattern, why_bad, better_alternative, task_type, domain,
                                occurrence_count, embedding, pattern_embedding)
SELECT :project_id, :agent, :pattern, :why_bad, (SELECT strategy FROM alternative), :task_type, :domain, occurrences, :embedding, :strategy_embedding
FROM failures
WHERE occurrences >= 2
RETURNING to_jsonb(m) - 'project_id' - 'embedding' - 'ranking_vector' - 'pattern_embedding' AS item;
