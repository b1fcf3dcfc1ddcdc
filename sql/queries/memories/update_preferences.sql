-- The owner's changes to a preference; NULL leaves a field as it is.
-- :project_id, :id, :owner, :category, :preference, :source, :embedding
-- Returns the preference as the API shows it, or no row when the owner has no such preference.
UPDATE preferences AS m
SET category = coalesce(:category, m.category), preference = coalesce(:preference, m.preference),
    source = coalesce(:source, m.source), embedding = coalesce(:embedding, m.embedding), updated_at = now()
WHERE m.project_id = :project_id AND m.id = :id AND m.agent = :owner
RETURNING to_jsonb(m) - 'project_id' - 'embedding' - 'ranking_vector' AS item;
