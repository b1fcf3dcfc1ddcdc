-- Store a new key of a project (its hash only).
-- $1 project_id, $2 prefix, $3 secret_hash, $4 role, $5 agent (agent keys), $6 name
-- Returns the key's public description.
INSERT INTO api_keys (project_id, prefix, secret_hash, role, agent, name)
VALUES ($1, $2, $3, $4, $5, $6)
RETURNING key_id, prefix, role, agent, name, created_at, last_used_at, revoked_at;
