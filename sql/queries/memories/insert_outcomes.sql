-- Record one task outcome under the learning agent's own id.
-- :project_id, :agent, :task, :task_type, :domain, :success, :strategy_used, :duration_ms,
-- :error_message, :feedback, :embedding task embedding, :strategy_embedding
-- Returns the stored outcome as the API shows it.
INSERT INTO outcomes AS m (project_id, agent, task, task_type, domain, success, strategy_used, duration_ms,
                           error_message, feedback, embedding, strategy_embedding)
VALUES (:project_id, :agent, :task, :task_type, :domain, :success, :strategy_used, :duration_ms, :error_message, :feedback, :embedding, :strategy_embedding)
RETURNING to_jsonb(m) - 'project_id' - 'embedding' - 'ranking_vector' - 'strategy_embedding' AS item;
