-- Add agents to a project with an empty config (no scope limits, no sharing); existing agents are left as
-- they are. Call rebuild_grants.sql after it, in the same transaction.
-- :project_id, :names (text[])
-- Returns nothing.
INSERT INTO agents (project_id, name)
SELECT :project_id, name FROM unnest(:names::text[]) AS name
ON CONFLICT (project_id, name) DO NOTHING;
