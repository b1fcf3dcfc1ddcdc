-- The whole of a retrieve, in one statement. The reader's sources come from its row of read_grants, so the
-- join itself enforces mutual consent; each kind then returns its :top_k best memories over all those sources
-- together (preferences: the :user_id's), ranked by
--   score = :similarity_weight × cosine similarity + :recency_weight × 0.5^(age / :half_life_days)
--         + :success_weight × success + :confidence_weight × confidence
-- (memory_ranks says what success and confidence are per kind); ties go to the lower id. The cosine is the
-- inner product of unit vectors in half precision (ranking_vector; within 0.001 of the full one).
--
-- Every kind is ranked by the same block, over memory_ranks, on one of two paths:
--   exact:       every memory the reader may see is scored (perfect recall), read from the kind's covering
--                index (project_id, owner): ids, score inputs and ranking vectors, no texts.
--   approximate: the kind's HNSW index (on the same ranking vectors) yields the :candidates nearest memories
--                that pass the same permission filter (pgvector's iterative scan keeps going until that many
--                pass), and only those are scored. The filter is written so that no B-tree matches it
--                (PostgreSQL 18 can skip-scan a B-tree on its second column): the nearest-neighbour index drives.
-- The index pays off when the reader sees many memories *and* they are not a small share of the kind's
-- table (the scan skips about rows/visible entries per candidate): it is used once the reader sees at least
-- :approximate_from memories of the kind and at least sqrt(:skip_cost × :candidates × rows of the kind).
-- Texts are read for the winners only.
-- :project_id, :reader, :query_vector, :top_k, :include_shared, :user_id (NULL: no preferences),
-- :similarity_weight, :recency_weight, :success_weight, :confidence_weight, :half_life_days,
-- :candidates, :approximate_from, :skip_cost
-- Returns one row: reader_known (false when the reader is no agent of the project); memories, the JSON text of an
-- object with every kind's items best first, as the API names them (domain_knowledge, with metadata.shared_from,
-- similarity and score); tally, per kind [own, shared] item counts; shared_sources, the other agents shown.
WITH sources AS MATERIALIZED (  -- the reader itself, then (when shared memories are asked for) its sources
    SELECT g.reader AS source FROM read_grants g WHERE g.project_id = :project_id AND g.reader = :reader
    UNION ALL
    SELECT s.source FROM read_grants g, unnest(g.sources) s(source) WHERE g.project_id = :project_id AND g.reader = :reader AND :include_shared
),
kinds AS MATERIALIZED (  -- whose memories each kind ranks, and how many rows its table has
    SELECT k.kind, CASE WHEN k.kind = 'preferences' THEN ARRAY[:user_id]::text[] ELSE r.sources END AS owners,
           greatest((SELECT c.reltuples FROM pg_class c WHERE c.oid = replace(k.kind, '-', '_')::regclass), 0) AS size
    FROM (SELECT array_agg(source) AS sources FROM sources) r,
         unnest('{heuristics,outcomes,domain-knowledge,anti-patterns,preferences}'::text[]) k(kind)
    WHERE r.sources IS NOT NULL AND (k.kind <> 'preferences' OR :user_id::text IS NOT NULL)
),
paths AS MATERIALIZED (  -- per kind: does the HNSW index pay off? (counting stops where it would)
    SELECT k.kind, k.owners, p.threshold,
           (SELECT count(*) FROM (SELECT FROM memory_ranks r
                                  WHERE r.kind = k.kind AND r.project_id = :project_id AND r.owner = ANY (k.owners)
                                  LIMIT p.threshold) c) >= p.threshold AS approximate
    FROM kinds k,
         LATERAL (SELECT greatest(:approximate_from::int, ceil(sqrt(:skip_cost::float8 * :candidates::int * k.size)))::bigint AS threshold) p
),
query AS MATERIALIZED (  -- the query as the ranking vectors are kept: unit length, half precision
    SELECT l2_normalize(:query_vector::vector)::halfvec AS v
),
winners AS (
    SELECT k.kind, t.id, t.owner, t.similarity, t.score
    FROM paths k,
    LATERAL (SELECT v.id, v.owner, v.similarity,
                    :similarity_weight::float8 * v.similarity
                    + :recency_weight::float8 * exp(least(date_part('epoch', v.ranked_at - now()), 0) * (ln(2) / (86400 * :half_life_days::float8)))
                    + :success_weight::float8 * v.success + :confidence_weight::float8 * v.confidence AS score
             FROM ((SELECT r.id, r.owner, r.ranked_at, r.success, r.confidence, (r.ranking_vector <#> (SELECT v FROM query)) * -1 AS similarity
                    FROM memory_ranks r
                    WHERE NOT k.approximate AND r.kind = k.kind AND r.project_id = :project_id AND r.owner = ANY (k.owners))
                   UNION ALL
                   (SELECT r.id, r.owner, r.ranked_at, r.success, r.confidence, (r.ranking_vector <#> (SELECT v FROM query)) * -1 AS similarity
                    FROM memory_ranks r
                    WHERE k.approximate AND r.kind = k.kind
                      AND (r.project_id = :project_id) IS TRUE AND (r.owner = ANY (k.owners)) IS TRUE
                    ORDER BY r.ranking_vector <#> (SELECT v FROM query) LIMIT :candidates)
                   OFFSET 0) v  -- the similarity once per row, not once per use
             ORDER BY score DESC, v.id LIMIT :top_k) t
),
items AS (  -- the winners' texts, as the API shows them; shared_from names the owner of what is not the reader's.
            -- Each item's JSON text is extended as text: parsed and merged as jsonb, items cost 0.35 ms more.
    SELECT w.kind, w.id, w.score, w.owner <> :reader AND w.kind <> 'preferences' AS shared, w.owner,
           left(m.item::text, -1) || ', "similarity" : ' || w.similarity || ', "score" : ' || w.score
           || ', "metadata" : ' || CASE WHEN w.owner <> :reader AND w.kind <> 'preferences'
                                        THEN json_build_object('shared_from', w.owner)::text ELSE '{}' END || '}' AS item
    FROM winners w,
    LATERAL (SELECT m.item FROM memory_items m WHERE m.project_id = :project_id AND m.kind = w.kind AND m.id = w.id
             OFFSET 0) m  -- one look-up by primary key per winner, not a join over the project
),
per_kind AS (
    SELECT k.kind, '[' || coalesce(string_agg(i.item, ', ' ORDER BY i.score DESC, i.id), '') || ']' AS items,
           count(i.id) FILTER (WHERE NOT i.shared) AS own, count(i.id) FILTER (WHERE i.shared) AS shared
    FROM unnest('{heuristics,outcomes,domain-knowledge,anti-patterns,preferences}'::text[]) k(kind)
    LEFT JOIN items i ON i.kind = k.kind
    GROUP BY k.kind
)
SELECT EXISTS (SELECT FROM sources) AS reader_known,
       (SELECT '{' || string_agg('"' || replace(kind, '-', '_') || '" : ' || items, ', ') || '}' FROM per_kind) AS memories,
       (SELECT jsonb_object_agg(replace(kind, '-', '_'), jsonb_build_array(own, shared)) FROM per_kind) AS tally,
       ARRAY(SELECT DISTINCT owner FROM items WHERE shared ORDER BY owner) AS shared_sources;
