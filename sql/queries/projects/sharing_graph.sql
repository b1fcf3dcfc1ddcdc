-- A project's sharing graph as the API answers it, written by the database as UTF-8 JSON, in pieces: the JSON
-- of a large project (a million edges, 80 MB) is streamed piece by piece, never parsed, re-encoded or held in
-- one buffer by the service. The JSON is put together as text: every name in it passed the service's name
-- rule ([A-Za-z0-9_.-], see app/models.py), so none needs escaping, and building a million objects this way
-- takes half the time.
-- :project_id
-- Returns edge_count (the same on every row) and piece, in order: the pieces joined are the JSON {project_id,
-- nodes: [{id, kind}], edges: [{source, reader, status, label}]}: the agents by name, then the names that are
-- no agent ("missing"); every declared edge of sharing_edges() by source and reader (one piece per source), a
-- label on those along which no memory flows.
WITH edges AS MATERIALIZED (SELECT * FROM sharing_edges(:project_id)),
agent_names AS MATERIALIZED (SELECT name FROM agents WHERE project_id = :project_id),
missing AS (
    SELECT name FROM (SELECT source AS name FROM edges WHERE status = 'not_an_agent'
                      UNION SELECT reader FROM edges WHERE status = 'not_an_agent') named
    WHERE name NOT IN (SELECT name FROM agent_names)
),
by_source AS (
    SELECT source, string_agg('{"source":"' || source || '","reader":"' || reader || '","status":"' || status
                              || CASE status WHEN 'granted' THEN '","label":null}'
                                             WHEN 'not_shared' THEN '","label":"not shared back"}'
                                             WHEN 'not_inherited' THEN '","label":"not inherited"}'
                                             ELSE '","label":"not an agent"}' END,
                              ',' ORDER BY reader COLLATE "C") AS edges
    FROM edges GROUP BY source
),
pieces AS (
    SELECT 0 AS part, ''::text AS source,
           '{"project_id":"' || :project_id::text || '","nodes":['
           || coalesce((SELECT string_agg('{"id":"' || name || '","kind":"' || kind || '"}', ','
                                          ORDER BY kind, name COLLATE "C")
                        FROM (SELECT name, 'agent' AS kind FROM agent_names
                              UNION ALL SELECT name, 'missing' FROM missing) n), '')
           || '],"edges":[' AS piece
    UNION ALL
    SELECT 1, source, CASE WHEN row_number() OVER (ORDER BY source COLLATE "C") > 1 THEN ',' ELSE '' END || edges
    FROM by_source
    UNION ALL
    SELECT 2, '', ']}'
)
SELECT (SELECT count(*) FROM edges) AS edge_count, convert_to(piece, 'UTF8') AS piece
FROM pieces
ORDER BY part, source COLLATE "C";
