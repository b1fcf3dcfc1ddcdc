-- The owner's changes to an outcome: only its feedback (what happened is history).
-- :project_id, :id, :owner, :feedback
-- Returns the outcome as the API shows it, or no row when the owner has no such outcome.
UPDATE outcomes AS m
SET feedback = coalesce(:feedback, m.feedback)
WHERE m.project_id = :project_id AND m.id = :id AND m.agent = :owner
RETURNING to_jsonb(m) - 'project_id' - 'embedding' - 'ranking_vector' - 'strategy_embedding' AS item;
