-- Undo 0009_reader_grants: grants one row per (reader, source) again, the reader's grant to itself included.
CREATE TABLE read_grant_pairs (
    project_id text NOT NULL,
    reader text NOT NULL,
    source text NOT NULL,
    PRIMARY KEY (project_id, reader, source)
);
INSERT INTO read_grant_pairs (project_id, reader, source)
SELECT g.project_id, g.reader, g.reader FROM read_grants g
UNION ALL
SELECT g.project_id, g.reader, s FROM read_grants g, unnest(g.sources) s;
DROP TABLE read_grants;
ALTER TABLE read_grant_pairs RENAME TO read_grants;
ALTER INDEX read_grant_pairs_pkey RENAME TO read_grants_pkey;
DROP FUNCTION sharing_edges(text);
DROP FUNCTION granted_sources(text);
-- include: sharing_edges_v1
