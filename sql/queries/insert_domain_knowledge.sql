-- Write a fact of a domain, under the writing agent's own id.
-- $1 project_id, $2 agent, $3 domain, $4 fact, $5 source, $6 confidence, $7 embedding (the fact's)
-- Returns the fact as the API shows it.
INSERT INTO domain_knowledge AS m (project_id, agent, domain, fact, source, confidence, embedding)
VALUES ($1, $2, $3, $4, $5, $6, $7)
RETURNING to_jsonb(m) - 'project_id' - 'embedding' AS item;
