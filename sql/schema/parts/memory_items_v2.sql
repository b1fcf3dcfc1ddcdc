CREATE OR REPLACE VIEW memory_items AS
    SELECT 'heuristics'::text AS kind, m.project_id, m.id, m.agent, m.created_at, m.task_type, m.domain,
           to_jsonb(m) - 'project_id' - 'embedding' - 'import_key' - 'strategy_embedding' AS item
    FROM heuristics m
    UNION ALL
    SELECT 'outcomes', m.project_id, m.id, m.agent, m.created_at, m.task_type, m.domain,
           to_jsonb(m) - 'project_id' - 'embedding' - 'import_key' - 'strategy_embedding'
    FROM outcomes m
    UNION ALL
    SELECT 'domain-knowledge', m.project_id, m.id, m.agent, m.created_at, NULL, m.domain,
           to_jsonb(m) - 'project_id' - 'embedding' - 'import_key'
    FROM domain_knowledge m
    UNION ALL
    SELECT 'anti-patterns', m.project_id, m.id, m.agent, m.created_at, m.task_type, m.domain,
           to_jsonb(m) - 'project_id' - 'embedding' - 'import_key' - 'pattern_embedding'
    FROM anti_patterns m
    UNION ALL
    SELECT 'preferences', m.project_id, m.id, m.agent, m.created_at, NULL, NULL,
           to_jsonb(m) - 'project_id' - 'embedding' - 'import_key'
    FROM preferences m;
