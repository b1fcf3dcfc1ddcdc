-- Undo 0012_nearest_ranking_vectors: the HNSW indexes hold the full embeddings (cosine distance) again, and
-- items are jsonb.
DROP INDEX IF EXISTS outcomes_nearest, heuristics_nearest, domain_knowledge_nearest, anti_patterns_nearest,
    preferences_nearest;
DROP VIEW memory_ranks;
CREATE VIEW memory_ranks AS
    SELECT 'heuristics'::text AS kind, m.project_id, m.agent AS owner, m.id, m.last_validated AS ranked_at,
           coalesce(m.success_rate, m.confidence)::float8 AS success, m.confidence::float8 AS confidence,
           m.ranking_vector, m.embedding
    FROM heuristics m
    UNION ALL
    SELECT 'outcomes'::text, m.project_id, m.agent, m.id, m.created_at, m.success::int::float8, 0.5::float8,
           m.ranking_vector, m.embedding
    FROM outcomes m
    UNION ALL
    SELECT 'domain-knowledge'::text, m.project_id, m.agent, m.id, m.updated_at, 0.5::float8, m.confidence::float8,
           m.ranking_vector, m.embedding
    FROM domain_knowledge m
    UNION ALL
    SELECT 'anti-patterns'::text, m.project_id, m.agent, m.id, m.last_seen, 0.5::float8, 0.5::float8,
           m.ranking_vector, m.embedding
    FROM anti_patterns m
    UNION ALL
    SELECT 'preferences'::text, m.project_id, m.user_id, m.id, m.updated_at, 0.5::float8, 0.5::float8,
           m.ranking_vector, m.embedding
    FROM preferences m;
-- include: index_vectors_v3
DROP VIEW memory_items;
-- include: memory_items_v3
SELECT index_vectors(embedding_dim) FROM deployment;
