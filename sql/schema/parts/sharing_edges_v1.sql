-- The sharing rule, once: the project's granted edges (source, reader), between different agents, where the
-- reader lists the source in inherit_from AND the source lists the reader in share_with. The two sides are
-- unnested and intersected (hashed), so the work grows with the declared names, not with their square.
-- read_grants is rebuilt from it; sharing_edges() classifies the rest against it.
CREATE FUNCTION granted_edges(project text)
RETURNS TABLE (source text, reader text)
LANGUAGE sql STABLE PARALLEL SAFE
AS $$
    SELECT s, a.name FROM agents a, unnest(a.inherit_from) s WHERE a.project_id = project AND s <> a.name
    INTERSECT
    SELECT a.name, r FROM agents a, unnest(a.share_with) r WHERE a.project_id = project AND r <> a.name
$$;

-- Every declared sharing edge of a project between different names, each once, as memories would flow
-- (source, reader): granted (see granted_edges), not_shared (the reader inherits, the source does not share),
-- not_inherited (the source shares, the reader does not inherit), or not_an_agent (the other end is no agent
-- of the project); `inherited` / `shared` say which side declared it. The sharing graph, an agent's
-- explanation and the config's warnings read it.
CREATE FUNCTION sharing_edges(project text)
RETURNS TABLE (source text, reader text, inherited boolean, shared boolean, status text)
LANGUAGE sql STABLE PARALLEL SAFE
AS $$
    WITH inherits AS MATERIALIZED (
        SELECT s AS source, a.name AS reader FROM agents a, unnest(a.inherit_from) s
        WHERE a.project_id = project AND s <> a.name
    ),
    shares AS MATERIALIZED (
        SELECT a.name AS source, r AS reader FROM agents a, unnest(a.share_with) r
        WHERE a.project_id = project AND r <> a.name
    ),
    names AS MATERIALIZED (SELECT name FROM agents WHERE project_id = project)
    SELECT source, reader, true, true, 'granted' FROM granted_edges(project)
    UNION ALL
    SELECT source, reader, true, false, CASE WHEN source IN (SELECT name FROM names) THEN 'not_shared' ELSE 'not_an_agent' END
    FROM (SELECT source, reader FROM inherits EXCEPT SELECT source, reader FROM shares) one_sided
    UNION ALL
    SELECT source, reader, false, true, CASE WHEN reader IN (SELECT name FROM names) THEN 'not_inherited' ELSE 'not_an_agent' END
    FROM (SELECT source, reader FROM shares EXCEPT SELECT source, reader FROM inherits) one_sided
$$;
