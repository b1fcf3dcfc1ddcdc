-- Write a fact of a domain, under the writing agent's own id.
-- :project_id, :agent, :domain, :fact, :source, :confidence, :embedding (the fact's)
-- Returns the fact as the API shows it.
INSERT INTO domain_knowledge AS m (project_id, agent, domain, fact, source, confidence, embedding)
VALUES (:project_id, :agent, :domain, :fact, :source, :confidence, :embedding)
RETURNING to_jsonb(m) - 'project_id' - 'embedding' - 'ranking_vector' AS item;
