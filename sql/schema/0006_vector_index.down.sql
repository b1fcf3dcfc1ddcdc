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
-- include: memory_score_v2
