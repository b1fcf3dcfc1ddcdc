-- Undo 0005_vector_storage: the default storage, and the numeric recency.
ALTER TABLE outcomes ALTER COLUMN embedding SET STORAGE EXTENDED, ALTER COLUMN strategy_embedding SET STORAGE EXTENDED;
ALTER TABLE heuristics ALTER COLUMN embedding SET STORAGE EXTENDED, ALTER COLUMN strategy_embedding SET STORAGE EXTENDED;
ALTER TABLE anti_patterns ALTER COLUMN embedding SET STORAGE EXTENDED, ALTER COLUMN pattern_embedding SET STORAGE EXTENDED;
ALTER TABLE domain_knowledge ALTER COLUMN embedding SET STORAGE EXTENDED;
ALTER TABLE preferences ALTER COLUMN embedding SET STORAGE EXTENDED;
-- include: memory_score_v1
