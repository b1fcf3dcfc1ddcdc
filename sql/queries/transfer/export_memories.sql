-- Every memory of a project, as the API shows it, with its import key and, when asked, its vectors;
-- kind by kind, in id order.
-- :project_id, :with_vectors
-- Returns kind, id, agent, item (jsonb without vectors or import key), import_key, embedding, strategy_embedding
-- (the vectors are NULL unless :with_vectors; strategy_embedding is NULL for the kinds that have none).
SELECT 'heuristics' AS kind, m.id, m.agent,
       to_jsonb(m) - 'project_id' - 'embedding' - 'strategy_embedding' - 'import_key' - 'ranking_vector' AS item, m.import_key,
       CASE WHEN :with_vectors THEN m.embedding END AS embedding, CASE WHEN :with_vectors THEN m.strategy_embedding END AS strategy_embedding
FROM heuristics m WHERE m.project_id = :project_id
UNION ALL
SELECT 'outcomes', m.id, m.agent, to_jsonb(m) - 'project_id' - 'embedding' - 'strategy_embedding' - 'import_key' - 'ranking_vector',
       m.import_key, CASE WHEN :with_vectors THEN m.embedding END, CASE WHEN :with_vectors THEN m.strategy_embedding END
FROM outcomes m WHERE m.project_id = :project_id
UNION ALL
SELECT 'domain-knowledge', m.id, m.agent, to_jsonb(m) - 'project_id' - 'embedding' - 'import_key' - 'ranking_vector',
       m.import_key, CASE WHEN :with_vectors THEN m.embedding END, NULL
FROM domain_knowledge m WHERE m.project_id = :project_id
UNION ALL
SELECT 'anti-patterns', m.id, m.agent, to_jsonb(m) - 'project_id' - 'embedding' - 'pattern_embedding' - 'import_key' - 'ranking_vector',
       m.import_key, CASE WHEN :with_vectors THEN m.embedding END, NULL
FROM anti_patterns m WHERE m.project_id = :project_id
UNION ALL
SELECT 'preferences', m.id, m.agent, to_jsonb(m) - 'project_id' - 'embedding' - 'import_key' - 'ranking_vector',
       m.import_key, CASE WHEN :with_vectors THEN m.embedding END, NULL
FROM preferences m WHERE m.project_id = :project_id
ORDER BY kind, id;
