-- A project's sharing graph as the API answers it, written by the database: the JSON of a large project
-- (a million edges) is built here and passed through as bytes, never parsed or re-encoded by the service.
-- $1 project_id
-- Returns one row: edge_count, and graph, the UTF-8 JSON {project_id, nodes: [{id, kind}], edges: [{source,
-- reader, status, label}]}: the agents by name, then the names that are no agent ("missing"); every declared
-- edge of sharing_edges() by source and reader, a label on those along which no memory flows.
WITH edges AS MATERIALIZED (SELECT * FROM sharing_edges($1)),
agent_names AS MATERIALIZED (SELECT name FROM agents WHERE project_id = $1),
missing AS (
    SELECT name FROM (SELECT source AS name FROM edges WHERE status = 'not_an_agent'
                      UNION SELECT reader FROM edges WHERE status = 'not_an_agent') named
    WHERE name NOT IN (SELECT name FROM agent_names)
)
SELECT
    (SELECT count(*) FROM edges) AS edge_count,
    convert_to(json_build_object(
        'project_id', $1::text,
        'nodes', (SELECT coalesce(json_agg(json_build_object('id', name, 'kind', kind) ORDER BY kind, name COLLATE "C"), '[]')
                  FROM (SELECT name, 'agent' AS kind FROM agent_names UNION ALL SELECT name, 'missing' FROM missing) n),
        'edges', (SELECT coalesce(json_agg(json_build_object(
                      'source', source, 'reader', reader, 'status', status,
                      'label', CASE status WHEN 'not_shared' THEN 'not shared back' WHEN 'not_inherited' THEN 'not inherited'
                                           WHEN 'not_an_agent' THEN 'not an agent' END)
                      ORDER BY source COLLATE "C", reader COLLATE "C"), '[]')
                  FROM edges)
    )::text, 'UTF8') AS graph;
