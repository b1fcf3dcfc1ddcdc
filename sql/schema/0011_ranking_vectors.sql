-- Ranking reads half as many bytes a memory: each table keeps its embedding normalized to unit length in
-- half precision (`ranking_vector`, derived by the database, so no writer can forget it), the covering
-- `*_ranking` indexes hold that instead of the full vector, and the retrieval statement's similarity is the
-- inner product of unit vectors (equal to their cosine). The HNSW indexes keep the full vectors.
DROP VIEW memory_ranks;
DROP INDEX IF EXISTS outcomes_ranking, heuristics_ranking, domain_knowledge_ranking, anti_patterns_ranking, preferences_ranking;
DO $$
DECLARE
    memory_table text;
    size text := coalesce('(' || (SELECT embedding_dim FROM deployment) || ')', '');
BEGIN
    FOREACH memory_table IN ARRAY ARRAY['outcomes', 'heuristics', 'domain_knowledge', 'anti_patterns', 'preferences']
    LOOP  -- typed as the deployment's vectors already are, so that index_vectors below needs no second rewrite
        EXECUTE format('ALTER TABLE %I ADD COLUMN ranking_vector halfvec%s '
                       'GENERATED ALWAYS AS (l2_normalize(embedding)::halfvec%2$s) STORED', memory_table, size);
    END LOOP;
END
$$;

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

-- A half-precision entry is half the size, so the covering indexes hold the ranking vector up to 1,200
-- dimensions beside names of 64 characters (a B-tree entry holds at most about 2.7 kB).
-- include: index_vectors_v3
-- include: unindex_vectors_v3
SELECT index_vectors(embedding_dim) FROM deployment;
