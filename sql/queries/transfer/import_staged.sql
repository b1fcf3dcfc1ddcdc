-- Insert the staged batch into the memory tables. A record whose import key the project already holds is
-- left out, and so is one exported from this very project whose memory still exists (native_id), so
-- running an import again writes nothing twice. Imported memories are not learned from.
-- :project_id
-- Returns one row: how many memories of each kind were inserted.
WITH heuristics_in AS (
    INSERT INTO heuristics (project_id, agent, condition, strategy, task_type, domain, confidence,
                            occurrence_count, success_count, last_validated, embedding, strategy_embedding,
                            created_at, updated_at, import_key)
    SELECT :project_id, s.agent, s.condition, s.strategy, s.task_type, s.domain, s.confidence,
           s.occurrence_count, s.success_count, coalesce(s.last_validated, s.created_at, now()), s.embedding,
           s.strategy_embedding, coalesce(s.created_at, now()), coalesce(s.updated_at, s.created_at, now()),
           s.import_key
    FROM import_staging s
    WHERE s.kind = 'heuristics'
      AND NOT EXISTS (SELECT FROM heuristics m WHERE m.project_id = :project_id AND m.id = s.native_id)
    ON CONFLICT (project_id, import_key) WHERE import_key IS NOT NULL DO NOTHING
    RETURNING 1
), outcomes_in AS (
    INSERT INTO outcomes (project_id, agent, task, task_type, domain, success, strategy_used, duration_ms,
                          error_message, feedback, embedding, strategy_embedding, created_at, import_key)
    SELECT :project_id, s.agent, s.task, s.task_type, s.domain, s.success, s.strategy_used, s.duration_ms,
           s.error_message, s.feedback, s.embedding, s.strategy_embedding, coalesce(s.created_at, now()),
           s.import_key
    FROM import_staging s
    WHERE s.kind = 'outcomes'
      AND NOT EXISTS (SELECT FROM outcomes m WHERE m.project_id = :project_id AND m.id = s.native_id)
    ON CONFLICT (project_id, import_key) WHERE import_key IS NOT NULL DO NOTHING
    RETURNING 1
), domain_knowledge_in AS (
    INSERT INTO domain_knowledge (project_id, agent, domain, fact, source, confidence, embedding, created_at,
                                  updated_at, import_key)
    SELECT :project_id, s.agent, s.domain, s.fact, s.source, s.confidence, s.embedding, coalesce(s.created_at, now()),
           coalesce(s.updated_at, s.created_at, now()), s.import_key
    FROM import_staging s
    WHERE s.kind = 'domain-knowledge'
      AND NOT EXISTS (SELECT FROM domain_knowledge m WHERE m.project_id = :project_id AND m.id = s.native_id)
    ON CONFLICT (project_id, import_key) WHERE import_key IS NOT NULL DO NOTHING
    RETURNING 1
), anti_patterns_in AS (
    INSERT INTO anti_patterns (project_id, agent, pattern, why_bad, better_alternative, task_type, domain,
                               occurrence_count, last_seen, embedding, pattern_embedding, created_at, updated_at,
                               import_key)
    SELECT :project_id, s.agent, s.pattern, s.why_bad, s.better_alternative, s.task_type, s.domain, s.occurrence_count,
           coalesce(s.last_seen, s.created_at, now()), s.embedding, s.embedding, coalesce(s.created_at, now()),
           coalesce(s.updated_at, s.created_at, now()), s.import_key
    FROM import_staging s
    WHERE s.kind = 'anti-patterns'
      AND NOT EXISTS (SELECT FROM anti_patterns m WHERE m.project_id = :project_id AND m.id = s.native_id)
    ON CONFLICT (project_id, import_key) WHERE import_key IS NOT NULL DO NOTHING
    RETURNING 1
), preferences_in AS (
    INSERT INTO preferences (project_id, user_id, agent, category, preference, source, embedding, created_at,
                             updated_at, import_key)
    SELECT :project_id, s.user_id, s.agent, s.category, s.preference, s.source, s.embedding, coalesce(s.created_at, now()),
           coalesce(s.updated_at, s.created_at, now()), s.import_key
    FROM import_staging s
    WHERE s.kind = 'preferences'
      AND NOT EXISTS (SELECT FROM preferences m WHERE m.project_id = :project_id AND m.id = s.native_id)
    ON CONFLICT (project_id, import_key) WHERE import_key IS NOT NULL DO NOTHING
    RETURNING 1
)
SELECT (SELECT count(*) FROM heuristics_in) AS "heuristics",
       (SELECT count(*) FROM outcomes_in) AS "outcomes",
       (SELECT count(*) FROM domain_knowledge_in) AS "domain-knowledge",
       (SELECT count(*) FROM anti_patterns_in) AS "anti-patterns",
       (SELECT count(*) FROM preferences_in) AS "preferences";
