-- The whole of a retrieve, in one statement. The reader's sources come from read_grants, so the join
-- itself enforces mutual consent; each kind then returns its $4 nearest memories over all those sources
-- together (exact cosine ranking over the B-tree-filtered rows; ties broken by id).
-- $1 project_id, $2 reader, $3 query vector, $4 top_k, $5 include_shared, $6 user_id (NULL: no preferences)
-- Returns one row: reader_known (false when the reader is no agent of the project), then a jsonb array per kind.
WITH sources AS MATERIALIZED (
    SELECT g.source
    FROM read_grants g
    WHERE g.project_id = $1 AND g.reader = $2 AND ($5 OR g.source = $2)
)
SELECT
    EXISTS (SELECT FROM sources) AS reader_known,
    (SELECT coalesce(jsonb_agg(to_jsonb(x) - 'distance' || jsonb_build_object('similarity', 1 - x.distance)
                               ORDER BY x.distance, x.id), '[]')
     FROM (SELECT m.id, m.agent, m.condition, m.strategy, m.task_type, m.domain, m.confidence,
                  m.occurrence_count, m.success_count, m.last_validated, m.created_at, m.updated_at,
                  m.embedding <=> $3 AS distance
           FROM sources s JOIN heuristics m ON m.project_id = $1 AND m.agent = s.source
           ORDER BY distance, m.id LIMIT $4) x) AS heuristics,
    (SELECT coalesce(jsonb_agg(to_jsonb(x) - 'distance' || jsonb_build_object('similarity', 1 - x.distance)
                               ORDER BY x.distance, x.id), '[]')
     FROM (SELECT m.id, m.agent, m.task, m.task_type, m.success, m.strategy_used, m.duration_ms,
                  m.error_message, m.feedback, m.created_at,
                  m.embedding <=> $3 AS distance
           FROM sources s JOIN outcomes m ON m.project_id = $1 AND m.agent = s.source
           ORDER BY distance, m.id LIMIT $4) x) AS outcomes,
    (SELECT coalesce(jsonb_agg(to_jsonb(x) - 'distance' || jsonb_build_object('similarity', 1 - x.distance)
                               ORDER BY x.distance, x.id), '[]')
     FROM (SELECT m.id, m.agent, m.domain, m.fact, m.source, m.confidence, m.created_at, m.updated_at,
                  m.embedding <=> $3 AS distance
           FROM sources s JOIN domain_knowledge m ON m.project_id = $1 AND m.agent = s.source
           ORDER BY distance, m.id LIMIT $4) x) AS domain_knowledge,
    (SELECT coalesce(jsonb_agg(to_jsonb(x) - 'distance' || jsonb_build_object('similarity', 1 - x.distance)
                               ORDER BY x.distance, x.id), '[]')
     FROM (SELECT m.id, m.agent, m.pattern, m.why_bad, m.better_alternative, m.task_type,
                  m.occurrence_count, m.last_seen, m.created_at, m.updated_at,
                  m.embedding <=> $3 AS distance
           FROM sources s JOIN anti_patterns m ON m.project_id = $1 AND m.agent = s.source
           ORDER BY distance, m.id LIMIT $4) x) AS anti_patterns,
    (SELECT coalesce(jsonb_agg(to_jsonb(x) - 'distance' || jsonb_build_object('similarity', 1 - x.distance)
                               ORDER BY x.distance, x.id), '[]')
     FROM (SELECT m.id, m.agent, m.user_id, m.category, m.preference, m.source, m.created_at, m.updated_at,
                  m.embedding <=> $3 AS distance
           FROM preferences m
           WHERE m.project_id = $1 AND m.user_id = $6
           ORDER BY distance, m.id LIMIT $4) x) AS preferences;
