-- The owner's changes to a preference; NULL leaves a field as it is.
-- $1 project_id, $2 id, $3 owner, $4 category, $5 preference, $6 source, $7 embedding
-- Returns the preference as the API shows it, or no row when the owner has no such preference.
UPDATE preferences AS m
SET category = coalesce($4, m.category), preference = coalesce($5, m.preference),
    source = coalesce($6, m.source), embedding = coalesce($7, m.embedding), updated_at = now()
WHERE m.project_id = $1 AND m.id = $2 AND m.agent = $3
RETURNING to_jsonb(m) - 'project_id' - 'embedding' AS item;
