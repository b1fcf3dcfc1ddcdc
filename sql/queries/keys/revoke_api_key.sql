-- Revoke a key of a project, named by its prefix (revoking twice keeps the first time), and tell every
-- service process at commit (channel alma_keys_revoked) so that none keeps it in its key cache.
-- :project_id, :prefix
-- Returns the key's public description, or no row when the project has no such key.
WITH revoked AS (
    UPDATE api_keys
    SET revoked_at = coalesce(revoked_at, now())
    WHERE project_id = :project_id AND prefix = :prefix
    RETURNING key_id, prefix, role, agent, name, created_at, last_used_at, revoked_at
)
SELECT r.* FROM revoked r, pg_notify('alma_keys_revoked', r.prefix) AS notified;
