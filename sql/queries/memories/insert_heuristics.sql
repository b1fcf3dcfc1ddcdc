-- Write a heuristic directly, under the writing agent's own id.
-- :project_id, :agent, :condition, :strategy, :task_type, :domain, :confidence,
-- :embedding (the condition's), :strategy_embedding
-- Returns the heuristic as the API shows it.
INSERT INTO heuristics AS m (project_id, agent, condition, strategy, task_type, domain, confidence,
                             embedding, strategy_embedding)
VALUES (:project_id, :agent, :condition, :strategy, :task_type, :domain, :confidence, :embedding, :strategy_embedding)
RETURNING to_jsonb(m) - 'project_id' - 'embedding' - 'ranking_vector' - 'strategy_embedding' AS item;
