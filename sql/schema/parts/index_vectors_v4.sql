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
        IF (SELECT array_agg(atttypmod ORDER BY attname) FROM pg_attribute
            WHERE attrelid = memory_table::regclass AND attname IN ('embedding', 'ranking_vector'))
           IS DISTINCT FROM ARRAY[dimension, dimension] THEN
            -- one rewrite: the ranking vector derives from the embedding, so it goes and comes back with its
            -- type; a new type resets the embedding's storage: keep it inline (see 0005)
            EXECUTE format('ALTER TABLE %1$I DROP COLUMN IF EXISTS ranking_vector, '
                           'ALTER COLUMN embedding TYPE vector(%2$s), ALTER COLUMN embedding SET STORAGE MAIN, '
                           'ADD COLUMN ranking_vector halfvec(%2$s) '
                           'GENERATED ALWAYS AS (l2_normalize(embedding)::halfvec(%2$s)) STORED',
                           memory_table, dimension);
        END IF;
        EXECUTE format('CREATE INDEX IF NOT EXISTS %I ON %I USING hnsw (ranking_vector halfvec_ip_ops)',
                       memory_table || '_nearest', memory_table);
        EXECUTE format('CREATE INDEX IF NOT EXISTS %I ON %I (project_id, %I) INCLUDE (%s%s)',
                       memory_table || '_ranking', memory_table, owner_column, ranking_columns,
                       CASE WHEN dimension <= 1200 THEN ', ranking_vector' ELSE '' END);
    END LOOP;
    EXECUTE 'CREATE VIEW memory_ranks AS ' || ranks_view;
END
$$;
