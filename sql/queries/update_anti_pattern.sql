-- The owner's changes to an anti-pattern; NULL leaves a field as it is.
-- $1 project_id, $2 id, $3 owner, $4 pattern, $5 why_bad, $6 better_alternative, $7 task_type, $8 domain,
-- $9 embedding, $10 pattern embedding
-- Returns the anti-pattern as the API shows it, or no row when the owner has no such anti-pattern.
UPDATE anti_patterns AS m
SET pattern = coalesce($4, m.pattern), why_bad = coalesce($5, m.why_bad),
    better_alternative = coalesce($6, m.better_alternative), task_type = coalesce($7, m.task_type),
    domain = coalesce($8, m.domain), embedding = coalesce($9, m.embedding),
    pattern_embedding = coalesce($10, m.pattern_embedding), updated_at = now()
WHERE m.project_id = $1 AND m.id = $2 AND m.agent = $3
RETURNING to_jsonb(m) - 'project_id' - 'embedding' - 'pattern_embedding' AS item;
