-- The keys of a project, newest first, without their hashes.
-- :project_id
-- Returns key_id, prefix, role, agent, name, created_at, last_used_at, revoked_at.
SELECT key_id, prefix, role, agent, name, created_at, last_used_at, revoked_at
FROM api_keys
WHERE project_id = :project_id
ORDER BY created_at DESC, key_id DESC;
