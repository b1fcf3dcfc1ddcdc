-- Find a live key by its visible prefix and stamp its last use.
-- $1 prefix
-- Returns project_id, key_id, secret_hash, role, agent; no row for an unknown or revoked key.
UPDATE api_keys
SET last_used_at = now()
WHERE prefix = $1 AND revoked_at IS NULL
RETURNING project_id, key_id, secret_hash, role, agent;
