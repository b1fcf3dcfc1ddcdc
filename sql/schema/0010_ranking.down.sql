-- Undo 0010_ranking: no ranking view or covering indexes; memory_score() again.
DROP VIEW IF EXISTS memory_ranks;
DROP INDEX IF EXISTS outcomes_ranking, heuristics_ranking, domain_knowledge_ranking, anti_patterns_ranking,
    preferences_ranking;
-- include: index_vectors_v1
-- include: unindex_vectors_v1
-- include: memory_score_v3
-- include: memory_items_v2
