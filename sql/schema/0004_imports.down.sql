-- Undo 0004_imports: imported memories stay, but forget where they came from (a new import may repeat them).
-- `item` as 0002_memory_model defined it.
CREATE OR REPLACE VIEW memory_items AS
    SELECT 'heuristics'::text AS kind, m.project_id, m.id, m.agent, m.created_at, m.task_type, m.domain,
           to_jsonb(m) - 'project_id' - 'embedding' - 'strategy_embedding' AS item
    FROM heuristics m
    UNION ALL
    SELECT 'outcomes', m.project_id, m.id, m.agent, m.created_at, m.task_type, m.domain,
           to_jsonb(m) - 'project_id' - 'embedding' - 'strategy_embedding'
    FROM outcomes m
    UNION ALL
    SELECT 'domain-knowledge', m.project_id, m.id, m.agent, m.created_at, NULL, m.domain,
           to_jsonb(m) - 'project_id' - 'embedding'
    FROM domain_knowledge m
    UNION ALL
    SELECT 'anti-patterns', m.project_id, m.id, m.agent, m.created_at, m.task_type, m.domain,
           to_jsonb(m) - 'project_id' - 'embedding' - 'pattern_embedding'
    FROM anti_patterns m
    UNION ALL
    SELECT 'preferences', m.project_id, m.id, m.agent, m.created_at, NULL, NULL,
           to_jsonb(m) - 'project_id' - 'embedding'
    FROM preferences m;

DROP INDEX IF EXISTS heuristics_import_key, outcomes_import_key, domain_knowledge_import_key,
    anti_patterns_import_key, preferences_import_key;
ALTER TABLE heuristics DROP COLUMN IF EXISTS import_key;
ALTER TABLE outcomes DROP COLUMN IF EXISTS import_key;
ALTER TABLE domain_knowledge DROP COLUMN IF EXISTS import_key;
ALTER TABLE anti_patterns DROP COLUMN IF EXISTS import_key;
ALTER TABLE preferences DROP COLUMN IF EXISTS import_key;
