-- The declared sharing edges of one agent (it as the source or as the reader), classified by sharing_edges().
-- :project_id, :agent
-- Returns source, reader, inherited, shared, status.
SELECT source, reader, inherited, shared, status FROM sharing_edges(:project_id) WHERE source = :agent OR reader = :agent;
