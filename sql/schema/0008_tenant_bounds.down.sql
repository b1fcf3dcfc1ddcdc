-- Undo 0008_tenant_bounds.
ALTER TABLE read_grants
    ADD FOREIGN KEY (project_id, reader) REFERENCES agents (project_id, name) ON DELETE CASCADE,
    ADD FOREIGN KEY (project_id, source) REFERENCES agents (project_id, name) ON DELETE CASCADE;
DROP FUNCTION IF EXISTS sharing_edges(text);
DROP FUNCTION IF EXISTS granted_edges(text);
