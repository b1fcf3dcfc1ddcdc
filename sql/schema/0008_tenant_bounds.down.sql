-- Undo 0008_tenant_bounds. Identities start past the largest id given (random ids included).
DO $$
DECLARE
    memory_table text;
    next_id bigint;
BEGIN
    FOREACH memory_table IN ARRAY ARRAY['outcomes', 'heuristics', 'domain_knowledge', 'anti_patterns', 'preferences']
    LOOP
        EXECUTE format('SELECT 1 + coalesce(max(id), 0) FROM %I', memory_table) INTO next_id;
        EXECUTE format('ALTER TABLE %I ALTER COLUMN id DROP DEFAULT', memory_table);
        EXECUTE format('ALTER TABLE %I ALTER COLUMN id ADD GENERATED ALWAYS AS IDENTITY (START WITH %s)',
                       memory_table, next_id);
    END LOOP;
END
$$;
DROP FUNCTION IF EXISTS random_memory_id();
ALTER TABLE read_grants
    ADD FOREIGN KEY (project_id, reader) REFERENCES agents (project_id, name) ON DELETE CASCADE,
    ADD FOREIGN KEY (project_id, source) REFERENCES agents (project_id, name) ON DELETE CASCADE;
DROP FUNCTION IF EXISTS sharing_edges(text);
DROP FUNCTION IF EXISTS granted_edges(text);
