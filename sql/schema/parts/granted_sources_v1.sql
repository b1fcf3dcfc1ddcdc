-- The sharing rule, once per reader: the sources a reader may read are the names it lists in inherit_from
-- that list it in share_with (mutual consent), itself aside, sorted in byte order. Who shares with whom is
-- grouped per reader first, so each reader's test is one small hashed intersection: the work grows with
-- the declared names, not with their square. read_grants is rebuilt from it.
CREATE FUNCTION granted_sources(project text)
RETURNS TABLE (reader text, sources text[])
LANGUAGE sql STABLE PARALLEL SAFE
AS $$
    WITH sharers AS MATERIALIZED (
        SELECT r AS reader, array_agg(a.name) AS names
        FROM agents a, unnest(a.share_with) r
        WHERE a.project_id = project AND r <> a.name
        GROUP BY r
    )
    SELECT a.name,
           ARRAY(SELECT s FROM (SELECT unnest(a.inherit_from) INTERSECT SELECT unnest(t.names)) both_sides(s)
                 WHERE s <> a.name ORDER BY s COLLATE "C")
    FROM agents a LEFT JOIN sharers t ON t.reader = a.name
    WHERE a.project_id = project
$$;
