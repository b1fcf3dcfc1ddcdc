CREATE OR REPLACE FUNCTION index_vectors(dimension integer) RETURNS void
LANGUAGE plpgsql
AS $$
DECLARE
    memory_table text;
    owner_column text;
    ranking_columns text;
    ranks_view text := pg_get_viewdef('memory_ranks');  -- a column a view reads cannot change its type
BEGIN
    DROP VIEW memory_ranks;
    FOR memory_table, owner_column, ranking_columns IN VALUES
        ('outcomes', 'agent', 'id, created_at, success'),
        ('heuristics', 'agent', 'id, last_validated, success_rate, confidence'),
        ('domain_knowledge', 'agent', 'id, updated_at, confidence'),
        ('anti_patterns', 'agent', 'id, last_seen'),
        ('preferences', 'user_id', 'id, updated_at')
    LOOP
        IF (SELECT atttypmod FROM pg_attribute
            WHERE attrelid = memory_table::regclass AND attname = 'embedding') <> dimension THEN
            -- a new type resets the column's storage: keep it inline (see 0005), in the same rewrite
            EXECUTE format('ALTER TABLE %I ALTER COLUMN embedding TYPE vector(%s), '
                           'ALTER COLUMN embedding SET STORAGE MAIN', memory_table, dimension);
        END IF;
        EXECUTE format('CREATE INDEX IF NOT EXISTS %I ON %I USING hnsw (embedding vector_cosine_ops)',
                       memory_table || '_nearest', memory_table);
        EXECUTE format('CREATE INDEX IF NOT EXISTS %I ON %I (project_id, %I) INCLUDE (%s%s)',
                       memory_table || '_ranking', memory_table, owner_column, ranking_columns,
                       CASE WHEN dimension <= 600 THEN ', embedding' ELSE '' END);
    END LOOP;
    EXECUTE 'CREATE VIEW memory_ranks AS ' || ranks_view;
END
$$;
