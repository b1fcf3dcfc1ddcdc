CREATE VIEW memory_items AS
    SELECT 'heuristics'::text AS kind, m.project_id, m.id, m.agent, m.created_at, m.task_type, m.domain,
           json_build_object('id', m.id, 'agent', m.agent, 'condition', m.condition, 'strategy', m.strategy,
                             'task_type', m.task_type, 'domain', m.domain, 'confidence', m.confidence,
                             'occurrence_count', m.occurrence_count, 'success_count', m.success_count,
                             'success_rate', m.success_rate, 'last_validated', m.last_validated, 'created_at', m.created_at,
                             'updated_at', m.updated_at) AS item
    FROM heuristics m
    UNION ALL
    SELECT 'outcomes', m.project_id, m.id, m.agent, m.created_at, m.task_type, m.domain,
           json_build_object('id', m.id, 'agent', m.agent, 'task', m.task, 'task_type', m.task_type, 'domain', m.domain,
                             'success', m.success, 'strategy_used', m.strategy_used, 'duration_ms', m.duration_ms,
                             'error_message', m.error_message, 'feedback', m.feedback, 'created_at', m.created_at)
    FROM outcomes m
    UNION ALL
    SELECT 'domain-knowledge', m.project_id, m.id, m.agent, m.created_at, NULL, m.domain,
           json_build_object('id', m.id, 'agent', m.agent, 'domain', m.domain, 'fact', m.fact, 'source', m.source,
                             'confidence', m.confidence, 'created_at', m.created_at, 'updated_at', m.updated_at)
    FROM domain_knowledge m
    UNION ALL
    SELECT 'anti-patterns', m.project_id, m.id, m.agent, m.created_at, m.task_type, m.domain,
           json_build_object('id', m.id, 'agent', m.agent, 'pattern', m.pattern, 'why_bad', m.why_bad,
                             'better_alternative', m.better_alternative, 'task_type', m.task_type, 'domain', m.domain,
                             'occurrence_count', m.occurrence_count, 'last_seen', m.last_seen, 'created_at', m.created_at,
                             'updated_at', m.updated_at)
    FROM anti_patterns m
    UNION ALL
    SELECT 'preferences', m.project_id, m.id, m.agent, m.created_at, NULL, NULL,
           json_build_object('id', m.id, 'agent', m.agent, 'user_id', m.user_id, 'category', m.category,
                             'preference', m.preference, 'source', m.source, 'created_at', m.created_at,
                             'updated_at', m.updated_at)
    FROM preferences m;
