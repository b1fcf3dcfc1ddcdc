CREATE OR REPLACE FUNCTION unindex_vectors(any_size boolean) RETURNS void
LANGUAGE plpgsql
AS $$
DECLARE
    memory_table text;
    ranks_view text := pg_get_viewdef('memory_ranks');  -- a column a view reads cannot change its type
BEGIN
    DROP VIEW memory_ranks;
    FOREACH memory_table IN ARRAY ARRAY['outcomes', 'heuristics', 'domain_knowledge', 'anti_patterns', 'preferences']
    LOOP
        EXECUTE format('DROP INDEX IF EXISTS %I, %I', memory_table || '_nearest', memory_table || '_ranking');
        IF any_size THEN
            EXECUTE format('ALTER TABLE %I DROP COLUMN ranking_vector, '
                           'ALTER COLUMN embedding TYPE vector, ALTER COLUMN embedding SET STORAGE MAIN, '
                           'ADD COLUMN ranking_vector halfvec GENERATED ALWAYS AS (l2_normalize(embedding)::halfvec) STORED',
                           memory_table);
        END IF;
    END LOOP;
    EXECUTE 'CREATE VIEW memory_ranks AS ' || ranks_view;
END
$$;
