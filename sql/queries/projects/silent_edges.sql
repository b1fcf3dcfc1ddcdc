-- The declared sharing edges of a project along which no memory flows, for the config's warnings.
-- Run after read_grants is rebuilt. When every name the agents declare (themselves aside) counts as one
-- grant, no edge is silent, and the classification of every edge is skipped (for a full mesh, seconds).
-- :project_id, :listed how many to list
-- Returns source, reader, inherited, status, and total (how many there are in all), by reader and source.
WITH declared AS (
    SELECT coalesce(sum(cardinality(inherit_from) - (name = ANY (inherit_from))::int), 0) AS inherits,
           coalesce(sum(cardinality(share_with) - (name = ANY (share_with))::int), 0) AS shares
    FROM agents WHERE project_id = :project_id
),
granted AS (SELECT coalesce(sum(cardinality(sources)), 0) AS grants FROM read_grants WHERE project_id = :project_id)
SELECT source, reader, inherited, status, count(*) OVER () AS total
FROM sharing_edges(:project_id)
WHERE status <> 'granted'
  AND NOT (SELECT d.inherits = g.grants AND d.shares = g.grants FROM declared d, granted g)
ORDER BY reader COLLATE "C", source COLLATE "C"
LIMIT :listed;
