-- Grants as one row per reader. A full mesh of 1,000 agents is a million (reader, source) pairs: stored one
-- per row they took seconds to diff, write and index on every apply. Stored as each reader's sources, the
-- same grants are 1,000 rows, rewritten only for readers whose sources changed.
ALTER TABLE read_grants RENAME TO read_grant_pairs;
ALTER INDEX read_grants_pkey RENAME TO read_grant_pairs_pkey;
CREATE TABLE read_grants (
    project_id text NOT NULL,
    reader text NOT NULL,
    -- the agents, other than the reader, whose memories it may read: sorted in byte order, no duplicates
    sources text[] NOT NULL DEFAULT '{}',
    PRIMARY KEY (project_id, reader)
);  -- derived, like the pairs before it: rebuild_grants.sql rewrites it whenever a project's agents change
INSERT INTO read_grants (project_id, reader, sources)
SELECT a.project_id, a.name,
       ARRAY(SELECT p.source FROM read_grant_pairs p
             WHERE p.project_id = a.project_id AND p.reader = a.name AND p.source <> a.name
             ORDER BY p.source COLLATE "C")
FROM agents a;
DROP TABLE read_grant_pairs;
DROP FUNCTION sharing_edges(text);
DROP FUNCTION granted_edges(text);

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
