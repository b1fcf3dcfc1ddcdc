-- The owner's changes to a heuristic; NULL leaves a field as it is.
-- $1 project_id, $2 id, $3 owner, $4 condition, $5 strategy, $6 confidence, $7 task_type, $8 domain,
-- $9 embedding, $10 strategy embedding
-- Returns the heuristic as the API shows it, or no row when the owner has no such heuristic.
UPDATE heuristics AS m
SET condition = coalesce($4, m.condition), strategy = coalesce($5, m.strategy),
    confidence = coalesce($6, m.confidence), task_type = coalesce($7, m.task_type),
    domain = coalesce($8, m.domain), embedding = coalesce($9, m.embedding),
    strategy_embedding = coalesce($10, m.strategy_embedding), updated_at = now()
WHERE m.project_id = $1 AND m.id = $2 AND m.agent = $3
RETURNING to_jsonb(m) - 'project_id' - 'embedding' - 'strategy_embedding' AS item;
