-- Undo 0006_vector_index: no nearest-neighbour indexes, vectors of any size again, extract's recency.
DROP TRIGGER IF EXISTS deployment_indexes_vectors ON deployment;
DROP FUNCTION IF EXISTS index_vectors_of_deployment();
DROP FUNCTION IF EXISTS index_vectors(integer);
DROP INDEX IF EXISTS outcomes_nearest, heuristics_nearest, domain_knowledge_nearest, anti_patterns_nearest,
    preferences_nearest;
ALTER TABLE outcomes ALTER COLUMN embedding TYPE vector, ALTER COLUMN embedding SET STORAGE MAIN;
ALTER TABLE heuristics ALTER COLUMN embedding TYPE vector, ALTER COLUMN embedding SET STORAGE MAIN;
ALTER TABLE domain_knowledge ALTER COLUMN embedding TYPE vector, ALTER COLUMN embedding SET STORAGE MAIN;
ALTER TABLE anti_patterns ALTER COLUMN embedding TYPE vector, ALTER COLUMN embedding SET STORAGE MAIN;
ALTER TABLE preferences ALTER COLUMN embedding TYPE vector, ALTER COLUMN embedding SET STORAGE MAIN;
CREATE OR REPLACE FUNCTION memory_score(similarity float8, at timestamptz, success float8, confidence float8,
                                        w_similarity float8, w_recency float8, w_success float8,
                                        w_confidence float8, half_life_days float8)
RETURNS float8
LANGUAGE sql STABLE PARALLEL SAFE
AS $$
    SELECT w_similarity * similarity
         + w_recency * power(0.5, greatest(extract(epoch FROM now() - at)::float8, 0) / 86400.0 / half_life_days)
         + w_success * success
         + w_confidence * confidence
$$;
