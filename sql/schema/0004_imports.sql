-- Imports: each memory remembers the source record it was imported from, so an import run twice writes
-- every record once. The key is NULL for memories written through the API.
ALTER TABLE heuristics ADD COLUMN import_key text;
ALTER TABLE outcomes ADD COLUMN import_key text;
ALTER TABLE domain_knowledge ADD COLUMN import_key text;
ALTER TABLE anti_patterns ADD COLUMN import_key text;
ALTER TABLE preferences ADD COLUMN import_key text;

CREATE UNIQUE INDEX heuristics_import_key ON heuristics (project_id, import_key) WHERE import_key IS NOT NULL;
CREATE UNIQUE INDEX outcomes_import_key ON outcomes (project_id, import_key) WHERE import_key IS NOT NULL;
CREATE UNIQUE INDEX domain_knowledge_import_key ON domain_knowledge (project_id, import_key)
    WHERE import_key IS NOT NULL;
CREATE UNIQUE INDEX anti_patterns_import_key ON anti_patterns (project_id, import_key) WHERE import_key IS NOT NULL;
CREATE UNIQUE INDEX preferences_import_key ON preferences (project_id, import_key) WHERE import_key IS NOT NULL;

-- `item` stays the memory as the API shows it: without its import key.
-- include: memory_items_v2
