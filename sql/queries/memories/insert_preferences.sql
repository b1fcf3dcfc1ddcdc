-- Record a user's preference; the writing agent is kept as its owner.
-- :project_id, :agent, :user_id, :category, :preference, :source, :embedding
-- Returns the preference as the API shows it.
INSERT INTO preferences AS m (project_id, agent, user_id, category, preference, source, embedding)
VALUES (:project_id, :agent, :user_id, :category, :preference, :source, :embedding)
RETURNING to_jsonb(m) - 'project_id' - 'embedding' - 'ranking_vector' AS item;
