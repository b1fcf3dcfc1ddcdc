-- Store a new key of a project (its hash only).
-- :project_id, :prefix, :secret_hash, :role, :agent (agent keys), :name
-- Returns the key's public description.
INSERT INTO api_keys (project_id, prefix, secret_hash, role, agent, name)
VALUES (:project_id, :prefix, :secret_hash, :role, :agent, :name)
RETURNING key_id, prefix, role, agent, name, created_at, last_used_at, revoked_at;
