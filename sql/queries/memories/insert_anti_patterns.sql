-- Write an anti-pattern directly, under the writing agent's own id.
-- :project_id, :agent, :pattern, :why_bad, :better_alternative, :task_type, :domain,
-- :embedding (the pattern's: it ranks the anti-pattern and learning compares by it)
-- Returns the anti-pattern as the API shows it.
INSERT INTO anti_patterns AS m (project_id, agent, pattern, why_bad, better_alternative, task_type, domain,
                                embedding, pattern_embedding)
VALUES (:project_id, :agent, :pattern, :why_bad, :better_alternative, :task_type, :domain, :embedding, :embedding)
RETURNING to_jsonb(m) - 'project_id' - 'embedding' - 'ranking_vector' - 'pattern_embedding' AS item;
