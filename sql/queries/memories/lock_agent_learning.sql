-- Serialize the learning of one agent until the transaction ends, so concurrent learns that would
-- create or strengthen the same heuristic count every outcome exactly once.
-- :project_id, :agent
-- Returns nothing useful.
SELECT pg_advisory_xact_lock(hashtextextended(:project_id || '/' || :agent, 0));
