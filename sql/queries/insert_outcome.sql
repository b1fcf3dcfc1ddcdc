-- Record one task outcome under the learning agent's own id.
-- $1 project_id, $2 agent, $3 task, $4 task_type, $5 domain, $6 success, $7 strategy_used, $8 duration_ms,
-- $9 error_message, $10 feedback, $11 task embedding, $12 strategy embedding
-- Returns the stored outcome as the API shows it.
INSERT INTO outcomes AS m (project_id, agent, task, task_type, domain, success, strategy_used, duration_ms,
                           error_message, feedback, embedding, strategy_embedding)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
RETURNING to_jsonb(m) - 'project_id' - 'embedding' - 'strategy_embedding' AS item;
