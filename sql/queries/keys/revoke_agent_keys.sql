-- Revoke every live agent key of the named agents of a project: removing an agent ends its identity. Every
-- service process is told at commit (channel alma_keys_revoked) so that none keeps them in its key cache.
-- :project_id, :names agent names
-- Returns the prefix of each key revoked.
WITH revoked AS (
    UPDATE api_keys
    SET revoked_at = now()
    WHERE project_id = :project_id AND agent = ANY (:names) AND revoked_at IS NULL
    RETURNING prefix
)
SELECT r.prefix FROM revoked r, pg_notify('alma_keys_revoked', r.prefix) AS notified;
