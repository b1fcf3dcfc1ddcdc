CREATE OR REPLACE FUNCTION index_vectors(dimension integer) RETURNS void
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
