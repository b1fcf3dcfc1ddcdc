-- Retrieval reads only what ranking needs. `memory_ranks` gives every kind the same ranking columns (whose
-- memories they are, the score's inputs, the vector), so that the retrieval statement ranks all kinds with
-- one block; per kind a covering B-tree `<table>_ranking` on (project_id, owner) holds those columns, so the
-- exact path is an index-only scan over each source's memories lying side by side, and texts are read for
-- the top_k winners only. `owner` is the agent, or for preferences the user they belong to. Every column is
-- of one type in every branch, so the planner flattens the view into its tables (and pushes filters, joins and
-- the nearest-neighbour order into each table's own indexes).
CREATE VIEW memory_ranks AS
    SELECT 'heuristics'::text AS kind, m.project_id, m.agent AS owner, m.id, m.last_validated AS ranked_at,
           coalesce(m.success_rate, m.confidence)::float8 AS success, m.confidence::float8 AS confidence, m.embedding
    FROM heuristics m
    UNION ALL
    SELECT 'outcomes'::text, m.project_id, m.agent, m.id, m.created_at, m.success::int::float8, 0.5::float8, m.embedding
    FROM outcomes m
    UNION ALL
    SELECT 'domain-knowledge'::text, m.project_id, m.agent, m.id, m.updated_at, 0.5::float8, m.confidence::float8, m.embedding
    FROM domain_knowledge m
    UNION ALL
    SELECT 'anti-patterns'::text, m.project_id, m.agent, m.id, m.last_seen, 0.5::float8, 0.5::float8, m.embedding
    FROM anti_patterns m
    UNION ALL
    SELECT 'preferences'::text, m.project_id, m.user_id, m.id, m.updated_at, 0.5::float8, 0.5::float8, m.embedding
    FROM preferences m;

-- The covering indexes are built with the nearest-neighbour ones, once the vector size is known; a B-tree
-- entry holds at most about 2.7 kB, so past 600 dimensions they leave the vector out (the exact path then
-- reads it from the table).
-- include: index_vectors_v2
-- include: unindex_vectors_v2
SELECT index_vectors(embedding_dim) FROM deployment;

-- Items name their fields: a whole row as JSON would write out its vectors (some 80 µs an item) only to drop them.
-- include: memory_items_v3

-- The score is now computed in the retrieval statement itself (see sql/queries/memories/retrieve.sql).
DROP FUNCTION memory_score(float8, timestamptz, float8, float8, float8, float8, float8, float8, float8);
