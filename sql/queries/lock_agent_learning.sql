-- Serialize the learning of one agent until the transaction ends, so concurrent learns that would
-- create or strengthen the same heuristic count every outcome exactly once.
-- $1 project_id, $2 agent
-- Returns nothing useful.
SELECT pg_advisory_xact_lock(hashtextextended($1 || '/' || $2, 0));
