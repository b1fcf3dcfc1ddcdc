-- The whole of a retrieve, in one statement. The reader's sources come from its row of read_grants, so the
-- join itself enforces mutual consent; each kind then returns its :top_k best memories over all those sources
-- together, ranked by memory_score (similarity, recency, success, confidence); ties go to the lower id.
--
-- Two paths per kind, of which exactly one runs (a gate on a one-time filter):
--   exact:       every memory the reader may see is scored (perfect recall); the B-tree on (project_id, agent)
--                finds them. Used while the reader sees fewer than :approximate_from memories of the kind.
--   approximate: the kind's HNSW index yields the :candidates nearest memories that pass the same permission filter
--                (pgvector's iterative scan keeps going until that many pass), and only those are scored.
--                The filter is written so that no B-tree matches it: the nearest-neighbour index must drive.
-- :project_id, :reader, :query_vector, :top_k, :include_shared, :user_id (NULL: no preferences),
-- :similarity_weight, :recency_weight, :success_weight, :confidence_weight (the score's weights),
-- :half_life_days (of recency), :candidates taken from the HNSW index, :approximate_from (visible memories of a
-- kind from which that index is used).
-- Returns one row: reader_known (false when the reader is no agent of the project), then a jsonb array per kind.
WITH sources AS MATERIALIZED (  -- the reader itself, then (when shared memories are asked for) its sources
    SELECT g.reader AS source FROM read_grants g WHERE g.project_id = :project_id AND g.reader = :reader
    UNION ALL
    SELECT s.source FROM read_grants g, unnest(g.sources) s(source) WHERE g.project_id = :project_id AND g.reader = :reader AND :include_shared
),
reader AS MATERIALIZED (SELECT array_agg(source) AS sources FROM sources),
-- per kind: does the reader see at least :approximate_from memories of it? (counting stops at :approximate_from)
approximate AS MATERIALIZED (
    SELECT
        (SELECT count(*) FROM (SELECT FROM sources s JOIN heuristics m ON m.project_id = :project_id AND m.agent = s.source
                               LIMIT :approximate_from) c) >= :approximate_from AS heuristics,
        (SELECT count(*) FROM (SELECT FROM sources s JOIN outcomes m ON m.project_id = :project_id AND m.agent = s.source
                               LIMIT :approximate_from) c) >= :approximate_from AS outcomes,
        (SELECT count(*) FROM (SELECT FROM sources s JOIN domain_knowledge m ON m.project_id = :project_id AND m.agent = s.source
                               LIMIT :approximate_from) c) >= :approximate_from AS domain_knowledge,
        (SELECT count(*) FROM (SELECT FROM sources s JOIN anti_patterns m ON m.project_id = :project_id AND m.agent = s.source
                               LIMIT :approximate_from) c) >= :approximate_from AS anti_patterns
)
SELECT
    EXISTS (SELECT FROM sources) AS reader_known,
    (SELECT coalesce(jsonb_agg(to_jsonb(x) ORDER BY x.score DESC, x.id), '[]')
     FROM (SELECT r.*, memory_score(r.similarity, r.last_validated, coalesce(r.success_rate, r.confidence),
                                    r.confidence, :similarity_weight, :recency_weight, :success_weight, :confidence_weight, :half_life_days) AS score
           FROM ((SELECT m.id, m.agent, m.condition, m.strategy, m.task_type, m.domain, m.confidence,
                         m.occurrence_count, m.success_count, m.success_rate, m.last_validated, m.created_at,
                         m.updated_at, 1 - (m.embedding <=> :query_vector) AS similarity
                  FROM sources s JOIN heuristics m ON m.project_id = :project_id AND m.agent = s.source
                  WHERE NOT (SELECT heuristics FROM approximate))
                 UNION ALL
                 (SELECT m.id, m.agent, m.condition, m.strategy, m.task_type, m.domain, m.confidence,
                         m.occurrence_count, m.success_count, m.success_rate, m.last_validated, m.created_at,
                         m.updated_at, 1 - (m.embedding <=> :query_vector) AS similarity
                  FROM heuristics m
                  WHERE (SELECT heuristics FROM approximate)
                    AND (m.project_id = :project_id) IS TRUE AND m.agent = ANY ((SELECT sources FROM reader)::text[])
                  ORDER BY m.embedding <=> :query_vector LIMIT :candidates)) r
           ORDER BY score DESC, r.id LIMIT :top_k) x) AS heuristics,
    (SELECT coalesce(jsonb_agg(to_jsonb(x) ORDER BY x.score DESC, x.id), '[]')
     FROM (SELECT r.*, memory_score(r.similarity, r.created_at, r.success::int, 0.5, :similarity_weight, :recency_weight, :success_weight, :confidence_weight, :half_life_days) AS score
           FROM ((SELECT m.id, m.agent, m.task, m.task_type, m.domain, m.success, m.strategy_used,
                         m.duration_ms, m.error_message, m.feedback, m.created_at, 1 - (m.embedding <=> :query_vector) AS similarity
                  FROM sources s JOIN outcomes m ON m.project_id = :project_id AND m.agent = s.source
                  WHERE NOT (SELECT outcomes FROM approximate))
                 UNION ALL
                 (SELECT m.id, m.agent, m.task, m.task_type, m.domain, m.success, m.strategy_used,
                         m.duration_ms, m.error_message, m.feedback, m.created_at, 1 - (m.embedding <=> :query_vector) AS similarity
                  FROM outcomes m
                  WHERE (SELECT outcomes FROM approximate)
                    AND (m.project_id = :project_id) IS TRUE AND m.agent = ANY ((SELECT sources FROM reader)::text[])
                  ORDER BY m.embedding <=> :query_vector LIMIT :candidates)) r
           ORDER BY score DESC, r.id LIMIT :top_k) x) AS outcomes,
    (SELECT coalesce(jsonb_agg(to_jsonb(x) ORDER BY x.score DESC, x.id), '[]')
     FROM (SELECT r.*, memory_score(r.similarity, r.updated_at, 0.5, r.confidence, :similarity_weight, :recency_weight, :success_weight, :confidence_weight, :half_life_days) AS score
           FROM ((SELECT m.id, m.agent, m.domain, m.fact, m.source, m.confidence, m.created_at, m.updated_at, 1 - (m.embedding <=> :query_vector) AS similarity
                  FROM sources s JOIN domain_knowledge m ON m.project_id = :project_id AND m.agent = s.source
                  WHERE NOT (SELECT domain_knowledge FROM approximate))
                 UNION ALL
                 (SELECT m.id, m.agent, m.domain, m.fact, m.source, m.confidence, m.created_at, m.updated_at, 1 - (m.embedding <=> :query_vector) AS similarity
                  FROM domain_knowledge m
                  WHERE (SELECT domain_knowledge FROM approximate)
                    AND (m.project_id = :project_id) IS TRUE AND m.agent = ANY ((SELECT sources FROM reader)::text[])
                  ORDER BY m.embedding <=> :query_vector LIMIT :candidates)) r
           ORDER BY score DESC, r.id LIMIT :top_k) x) AS domain_knowledge,
    (SELECT coalesce(jsonb_agg(to_jsonb(x) ORDER BY x.score DESC, x.id), '[]')
     FROM (SELECT r.*, memory_score(r.similarity, r.last_seen, 0.5, 0.5, :similarity_weight, :recency_weight, :success_weight, :confidence_weight, :half_life_days) AS score
           FROM ((SELECT m.id, m.agent, m.pattern, m.why_bad, m.better_alternative, m.task_type, m.domain,
                         m.occurrence_count, m.last_seen, m.created_at, m.updated_at, 1 - (m.embedding <=> :query_vector) AS similarity
                  FROM sources s JOIN anti_patterns m ON m.project_id = :project_id AND m.agent = s.source
                  WHERE NOT (SELECT anti_patterns FROM approximate))
                 UNION ALL
                 (SELECT m.id, m.agent, m.pattern, m.why_bad, m.better_alternative, m.task_type, m.domain,
                         m.occurrence_count, m.last_seen, m.created_at, m.updated_at, 1 - (m.embedding <=> :query_vector) AS similarity
                  FROM anti_patterns m
                  WHERE (SELECT anti_patterns FROM approximate)
                    AND (m.project_id = :project_id) IS TRUE AND m.agent = ANY ((SELECT sources FROM reader)::text[])
                  ORDER BY m.embedding <=> :query_vector LIMIT :candidates)) r
           ORDER BY score DESC, r.id LIMIT :top_k) x) AS anti_patterns,
    (SELECT coalesce(jsonb_agg(to_jsonb(x) ORDER BY x.score DESC, x.id), '[]')
     FROM (SELECT r.*, memory_score(r.similarity, r.updated_at, 0.5, 0.5, :similarity_weight, :recency_weight, :success_weight, :confidence_weight, :half_life_days) AS score
           FROM (SELECT m.id, m.agent, m.user_id, m.category, m.preference, m.source, m.created_at,
                        m.updated_at, 1 - (m.embedding <=> :query_vector) AS similarity
                 FROM preferences m
                 WHERE m.project_id = :project_id AND m.user_id = :user_id AND EXISTS (SELECT FROM sources)) r
           ORDER BY score DESC, r.id LIMIT :top_k) x) AS preferences;
