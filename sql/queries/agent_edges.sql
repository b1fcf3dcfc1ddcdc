-- The declared sharing edges of one agent (it as the source or as the reader), classified by sharing_edges().
-- $1 project_id, $2 agent
-- Returns source, reader, inherited, shared, status.
SELECT source, reader, inherited, shared, status FROM sharing_edges($1) WHERE source = $2 OR reader = $2;
