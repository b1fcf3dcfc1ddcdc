-- The HNSW indexes hold the same half-precision unit vectors as the covering indexes (`ranking_vector`,
-- inner product) instead of the full embeddings: half the pages for a learn's insert to walk and for memory
-- to hold, and the nearest-neighbour path orders by the very similarity it reports. pgvector indexes
-- half-precision vectors of up to 4,000 dimensions (full ones: 2,000).
-- Items are `json`, text as written, where `jsonb` is parsed into its binary form and written out again for
-- every retrieved item: a retrieve writes its answer from them without decoding (0.35 ms of 3.0 at 10^6).
DROP INDEX IF EXISTS outcomes_nearest, heuristics_nearest, domain_knowledge_nearest, anti_patterns_nearest,
    preferences_nearest;
DROP VIEW memory_ranks;
CREATE VIEW memory_ranks AS
    SELECT 'heuristics'::text AS kind, m.project_id, m.agent AS owner, m.id, m.last_validated AS ranked_at,
           coalesce(m.success_rate, m.confidence)::float8 AS success, m.confidence::float8 AS confidence,
           m.ranking_vector
    FROM heuristics m
    UNION ALL
    SELECT 'outcomes'::text, m.project_id, m.agent, m.id, m.created_at, m.success::int::float8, 0.5::float8,
           m.ranking_vector
    FROM outcomes m
    UNION ALL
    SELECT 'domain-knowledge'::text, m.project_id, m.agent, m.id, m.updated_at, 0.5::float8, m.confidence::float8,
           m.ranking_vector
    FROM domain_knowledge m
    UNION ALL
    SELECT 'anti-patterns'::text, m.project_id, m.agent, m.id, m.last_seen, 0.5::float8, 0.5::float8,
           m.ranking_vector
    FROM anti_patterns m
    UNION ALL
    SELECT 'preferences'::text, m.project_id, m.user_id, m.id, m.updated_at, 0.5::float8, 0.5::float8,
           m.ranking_vector
    FROM preferences m;
-- include: index_vectors_v4
DROP VIEW memory_items;
-- include: memory_items_v4
SELECT index_vectors(embedding_dim) FROM deployment;
