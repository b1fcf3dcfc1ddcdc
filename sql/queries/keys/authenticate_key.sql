-- Find a live key by its visible prefix. Reads only: nothing is written before the secret is checked.
-- :prefix
-- Returns project_id, key_id, secret_hash, role, agent; no row for an unknown or revoked key.
SELECT project_id, key_id, secret_hash, role, agent
FROM api_keys
WHERE prefix = :prefix AND revoked_at IS NULL;
