-- The owner's changes to an outcome: only its feedback (what happened is history).
-- $1 project_id, $2 id, $3 owner, $4 feedback
-- Returns the outcome as the API shows it, or no row when the owner has no such outcome.
UPDATE outcomes AS m
SET feedback = coalesce($4, m.feedback)
WHERE m.project_id = $1 AND m.id = $2 AND m.agent = $3
RETURNING to_jsonb(m) - 'project_id' - 'embedding' - 'strategy_embedding' AS item;
