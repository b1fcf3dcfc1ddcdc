-- Approximate nearest-neighbour indexes (pgvector HNSW, cosine) for readers that see very many memories.
-- HNSW needs vectors of one fixed size, and a deployment's size is known only when the service first starts
-- and records it in `deployment`; so recording it (or finding it already recorded) fixes each memory table's
-- ranking vector to that size and builds the index.

-- Idempotent: run again (e.g. after dropping an index for a bulk load), it builds only what is missing.
CREATE FUNCTION index_vectors(dimension integer) RETURNS void
LANGUAGE plpgsql
AS $$
DECLARE
    memory_table text;
BEGIN
    FOREACH memory_table IN ARRAY ARRAY['outcomes', 'heuristics', 'domain_knowledge', 'anti_patterns', 'preferences']
    LOOP
        IF (SELECT atttypmod FROM pg_attribute
            WHERE attrelid = memory_table::regclass AND attname = 'embedding') <> dimension THEN
            -- a new type resets the column's storage: keep it inline (see 0005), in the same rewrite
            EXECUTE format('ALTER TABLE %I ALTER COLUMN embedding TYPE vector(%s), '
                           'ALTER COLUMN embedding SET STORAGE MAIN', memory_table, dimension);
        END IF;
        EXECUTE format('CREATE INDEX IF NOT EXISTS %I ON %I USING hnsw (embedding vector_cosine_ops)',
                       memory_table || '_nearest', memory_table);
    END LOOP;
END
$$;

CREATE FUNCTION index_vectors_of_deployment() RETURNS trigger
LANGUAGE plpgsql
AS $$
BEGIN
    PERFORM index_vectors(NEW.embedding_dim);
    RETURN NULL;
END
$$;

CREATE TRIGGER deployment_indexes_vectors AFTER INSERT ON deployment
    FOR EACH ROW EXECUTE FUNCTION index_vectors_of_deployment();

SELECT index_vectors(embedding_dim) FROM deployment;

-- Recency in float8 from end to end (date_part, not extract's numeric): the same score, a fifth faster to rank.
-- include: memory_score_v3
