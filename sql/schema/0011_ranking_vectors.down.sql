-- Undo 0011_ranking_vectors: the covering indexes hold the full vectors again; no ranking_vector.
DROP VIEW memory_ranks;
DROP INDEX IF EXISTS outcomes_ranking, heuristics_ranking, domain_knowledge_ranking, anti_patterns_ranking,
    preferences_ranking;
ALTER TABLE outcomes DROP COLUMN ranking_vector;
ALTER TABLE heuristics DROP COLUMN ranking_vector;
ALTER TABLE domain_knowledge DROP COLUMN ranking_vector;
ALTER TABLE anti_patterns DROP COLUMN ranking_vector;
ALTER TABLE preferences DROP COLUMN ranking_vector;
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
-- include: index_vectors_v2
-- include: unindex_vectors_v2
SELECT index_vectors(embedding_dim) FROM deployment;
