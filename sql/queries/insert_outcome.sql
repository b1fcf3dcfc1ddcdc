-- Record one task outcome under the learning agent's own id; inserts nothing when the agent is unknown.
-- $1 project_id, $2 agent, $3 task, $4 task_type, $5 success, $6 strategy_used, $7 duration_ms,
-- $8 error_message, $9 feedback, $10 embedding
-- Returns the stored outcome, or no row.
INSERT INTO outcomes (project_id, agent, task, task_type, success, strategy_used, duration_ms,
                      error_message, feedback, embedding)
SELECT a.project_id, a.name, $3, $4, $5, $6, $7, $8, $9, $10
FROM agents a
WHERE a.project_id = $1 AND a.name = $2
RETURNING id, agent, task, task_type, success, strategy_used, duration_ms, error_message, feedback, created_at;
