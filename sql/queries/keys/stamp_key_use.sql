-- Record the use of a key whose secret was just checked (once per key cache period, not per request).
-- :project_id, :key_id
-- Returns nothing.
UPDATE api_keys SET last_used_at = now() WHERE project_id = :project_id AND key_id = :key_id;
