-- Approximate nearest-neighbour indexes (pgvector HNSW, cosine) for readers that see very many memories.
-- HNSW needs vectors of one fixed size, and a deployment's size is known only when the service first starts
-- and records it in `deployment`; so recording it (or finding it already recorded) fixes each memory table's
-- ranking vector to that size and builds the index.

-- Idempotent: run again (e.g. after dropping an index for a bulk load), it builds only what is missing.
-- include: index_vectors_v1

-- include: index_vectors_of_deployment_v1

CREATE TRIGGER deployment_indexes_vectors AFTER INSERT ON deployment
    FOR EACH ROW EXECUTE FUNCTION index_vectors_of_deployment();

SELECT index_vectors(embedding_dim) FROM deployment;

-- Recency in float8 from end to end (date_part, not extract's numeric): the same score, a fifth faster to rank.
-- include: memory_score_v3
