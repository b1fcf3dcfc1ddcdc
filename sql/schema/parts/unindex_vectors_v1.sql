CREATE OR REPLACE FUNCTION unindex_vectors(any_size boolean) RETURNS void
LANGUAGE plpgsql
AS $$
DECLARE
    memory_table text;
BEGIN
    FOREACH memory_table IN ARRAY ARRAY['outcomes', 'heuristics', 'domain_knowledge', 'anti_patterns', 'preferences']
    LOOP
        EXECUTE format('DROP INDEX IF EXISTS %I', memory_table || '_nearest');
        IF any_size THEN
            EXECUTE format('ALTER TABLE %I ALTER COLUMN embedding TYPE vector, '
                           'ALTER COLUMN embedding SET STORAGE MAIN', memory_table);
        END IF;
    END LOOP;
END
$$;
