-- Undo 0004_imports: imported memories stay, but forget where they came from (a new import may repeat them).
-- `item` as 0002_memory_model defined it.
-- include: memory_items_v1

DROP INDEX IF EXISTS heuristics_import_key, outcomes_import_key, domain_knowledge_import_key,
    anti_patterns_import_key, preferences_import_key;
ALTER TABLE heuristics DROP COLUMN IF EXISTS import_key;
ALTER TABLE outcomes DROP COLUMN IF EXISTS import_key;
ALTER TABLE domain_knowledge DROP COLUMN IF EXISTS import_key;
ALTER TABLE anti_patterns DROP COLUMN IF EXISTS import_key;
ALTER TABLE preferences DROP COLUMN IF EXISTS import_key;
