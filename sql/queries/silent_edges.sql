-- The declared sharing edges of a project along which no memory flows, for the config's warnings.
-- $1 project_id, $2 how many to list
-- Returns source, reader, inherited, status, and total (how many there are in all), by reader and source.
SELECT source, reader, inherited, status, count(*) OVER () AS total
FROM sharing_edges($1)
WHERE status <> 'granted'
ORDER BY reader COLLATE "C", source COLLATE "C"
LIMIT $2;
