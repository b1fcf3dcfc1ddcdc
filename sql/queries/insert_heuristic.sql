-- Write a heuristic directly, under the writing agent's own id.
-- $1 project_id, $2 agent, $3 condition, $4 strategy, $5 task_type, $6 domain, $7 confidence,
-- $8 embedding (the condition's), $9 strategy embedding
-- Returns the heuristic as the API shows it.
INSERT INTO heuristics AS m (project_id, agent, condition, strategy, task_type, domain, confidence,
                             embedding, strategy_embedding)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
RETURNING to_jsonb(m) - 'project_id' - 'embedding' - 'strategy_embedding' AS item;
