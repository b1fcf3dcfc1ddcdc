-- Record the use of a key whose secret was just checked (once per key cache period, not per request).
-- $1 project_id, $2 key_id
-- Returns nothing.
UPDATE api_keys SET last_used_at = now() WHERE project_id = $1 AND key_id = $2;
