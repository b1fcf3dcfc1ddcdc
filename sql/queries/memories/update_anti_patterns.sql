-- The owner's changes to an anti-pattern; NULL leaves a field as it is.
-- :project_id, :id, :owner, :pattern, :why_bad, :better_alternative, :task_type, :domain,
-- :embedding
-- Returns the anti-pattern as the API shows it, or no row when the owner has no such anti-pattern.
UPDATE anti_patterns AS m
SET pattern = coalesce(:pattern, m.pattern), why_bad = coalesce(:why_bad, m.why_bad),
    better_alternative = coalesce(:better_alternative, m.better_alternative), task_type = coalesce(:task_type, m.task_type),
    domain = coalesce(:domain, m.domain), embedding = coalesce(:embedding, m.embedding),
    pattern_embedding = coalesce(:embedding, m.pattern_embedding), updated_at = now()
WHERE m.project_id = :project_id AND m.id = :id AND m.agent = :owner
RETURNING to_jsonb(m) - 'project_id' - 'embedding' - 'ranking_vector' - 'pattern_embedding' AS item;
