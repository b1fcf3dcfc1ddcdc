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

-- include: granted_sources_v1

-- include: sharing_edges_v2
