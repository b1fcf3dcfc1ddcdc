-- The owner's changes to a heuristic; NULL leaves a field as it is.
-- :project_id, :id, :owner, :condition, :strategy, :confidence, :task_type, :domain,
-- :embedding, :strategy_embedding
-- Returns the heuristic as the API shows it, or no row when the owner has no such heuristic.
UPDATE heuristics AS m
SET condition = coalesce(:condition, m.condition), strategy = coalesce(:strategy, m.strategy),
    confidence = coalesce(:confidence, m.confidence), task_type = coalesce(:task_type, m.task_type),
    domain = coalesce(:domain, m.domain), embedding = coalesce(:embedding, m.embedding),
    strategy_embedding = coalesce(:strategy_embedding, m.strategy_embedding), updated_at = now()
WHERE m.project_id = :project_id AND m.id = :id AND m.agent = :owner
RETURNING to_jsonb(m) - 'project_id' - 'embedding' - 'ranking_vector' - 'strategy_embedding' AS item;
