-- The owner's changes to a fact; NULL leaves a field as it is.
-- :project_id, :id, :owner, :domain, :fact, :source, :confidence, :embedding
-- Returns the fact as the API shows it, or no row when the owner has no such fact.
UPDATE domain_knowledge AS m
SET domain = coalesce(:domain, m.domain), fact = coalesce(:fact, m.fact), source = coalesce(:source, m.source),
    confidence = coalesce(:confidence, m.confidence), embedding = coalesce(:embedding, m.embedding), updated_at = now()
WHERE m.project_id = :project_id AND m.id = :id AND m.agent = :owner
RETURNING to_jsonb(m) - 'project_id' - 'embedding' - 'ranking_vector' AS item;
