-- Record a user's preference; the writing agent is kept as its owner.
-- $1 project_id, $2 agent, $3 user_id, $4 category, $5 preference, $6 source, $7 embedding
-- Returns the preference as the API shows it.
INSERT INTO preferences AS m (project_id, agent, user_id, category, preference, source, embedding)
VALUES ($1, $2, $3, $4, $5, $6, $7)
RETURNING to_jsonb(m) - 'project_id' - 'embedding' AS item;
