-- Undo 0002_memory_model.
DROP FUNCTION IF EXISTS memory_score(float8, timestamptz, float8, float8, float8, float8, float8, float8, float8);
DROP VIEW IF EXISTS memory_items;
ALTER TABLE anti_patterns DROP COLUMN IF EXISTS pattern_embedding, DROP COLUMN IF EXISTS domain;
DROP INDEX IF EXISTS outcomes_for_learning;
ALTER TABLE heuristics DROP COLUMN IF EXISTS success_rate, DROP COLUMN IF EXISTS strategy_embedding;
ALTER TABLE outcomes DROP COLUMN IF EXISTS strategy_embedding, DROP COLUMN IF EXISTS domain;
