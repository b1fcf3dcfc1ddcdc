-- Every declared sharing edge of a project between different names, each once, as memories would flow
-- (source, reader): granted (both sides declared it: the rule of granted_sources), not_shared (the reader
-- inherits, the source does not share), not_inherited (the source shares, the reader does not inherit), or
-- not_an_agent (the other end is no agent of the project); `inherited` / `shared` say which side declared it.
-- Worked out per source, between what it shares and who inherits from it. The sharing graph, an agent's
-- explanation and the config's warnings read it.
CREATE FUNCTION sharing_edges(project text)
RETURNS TABLE (source text, reader text, inherited boolean, shared boolean, status text)
LANGUAGE sql STABLE PARALLEL SAFE
AS $$
    WITH names AS MATERIALIZED (SELECT name FROM agents WHERE project_id = project),
    inheritors AS MATERIALIZED (
        SELECT s AS source, array_agg(a.name) AS readers
        FROM agents a, unnest(a.inherit_from) s
        WHERE a.project_id = project AND s <> a.name
        GROUP BY s
    ),
    declared AS (
        SELECT a.name AS source, a.share_with AS shares, i.readers AS inheritors, true AS is_agent
        FROM agents a LEFT JOIN inheritors i ON i.source = a.name
        WHERE a.project_id = project
        UNION ALL  -- names inherited from that are no agent
        SELECT i.source, '{}', i.readers, false FROM inheritors i WHERE i.source NOT IN (SELECT name FROM names)
    )
    SELECT d.source, e.reader, e.inherited, e.shared,
           CASE WHEN e.inherited AND e.shared THEN 'granted'
                WHEN e.inherited THEN CASE WHEN d.is_agent THEN 'not_shared' ELSE 'not_an_agent' END
                WHEN e.reader IN (SELECT name FROM names) THEN 'not_inherited'
                ELSE 'not_an_agent' END
    FROM declared d,
         LATERAL (SELECT coalesce(s.reader, h.reader) AS reader, h.reader IS NOT NULL AS inherited,
                         s.reader IS NOT NULL AS shared
                  FROM (SELECT DISTINCT r AS reader FROM unnest(d.shares) r WHERE r <> d.source) s
                  FULL JOIN (SELECT DISTINCT r AS reader FROM unnest(d.inheritors) r) h ON h.reader = s.reader) e
$$;
