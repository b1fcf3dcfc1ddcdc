-- Revoke every live agent key of the named agents of a project: removing an agent ends its identity.
-- $1 project_id, $2 agent names
-- Returns the prefix of each key revoked.
UPDATE api_keys
SET revoked_at = now()
WHERE project_id = $1 AND agent = ANY ($2) AND revoked_at IS NULL
RETURNING prefix;
