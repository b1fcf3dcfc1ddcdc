-- Add agents to a project with an empty config (no scope limits, no sharing); existing agents are left as
-- they are. Call rebuild_grants.sql after it, in the same transaction.
-- $1 project_id, $2 names (text[])
-- Returns nothing.
INSERT INTO agents (project_id, name)
SELECT $1, name FROM unnest($2::text[]) AS name
ON CONFLICT (project_id, name) DO NOTHING;
