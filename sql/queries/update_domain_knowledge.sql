-- The owner's changes to a fact; NULL leaves a field as it is.
-- $1 project_id, $2 id, $3 owner, $4 domain, $5 fact, $6 source, $7 confidence, $8 embedding
-- Returns the fact as the API shows it, or no row when the owner has no such fact.
UPDATE domain_knowledge AS m
SET domain = coalesce($4, m.domain), fact = coalesce($5, m.fact), source = coalesce($6, m.source),
    confidence = coalesce($7, m.confidence), embedding = coalesce($8, m.embedding), updated_at = now()
WHERE m.project_id = $1 AND m.id = $2 AND m.agent = $3
RETURNING to_jsonb(m) - 'project_id' - 'embedding' AS item;
