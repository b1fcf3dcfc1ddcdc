-- Write an anti-pattern directly, under the writing agent's own id.
-- $1 project_id, $2 agent, $3 pattern, $4 why_bad, $5 better_alternative, $6 task_type, $7 domain,
-- $8 embedding (pattern and why), $9 pattern embedding
-- Returns the anti-pattern as the API shows it.
INSERT INTO anti_patterns AS m (project_id, agent, pattern, why_bad, better_alternative, task_type, domain,
                                embedding, pattern_embedding)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
RETURNING to_jsonb(m) - 'project_id' - 'embedding' - 'pattern_embedding' AS item;
