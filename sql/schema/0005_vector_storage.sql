-- Keep each memory's ranking vector inside its row and move the learning vectors out of line.
-- A 384-dimension vector takes 1.5 kB; two of them pass PostgreSQL's 2 kB row limit for inline storage,
-- and then the ranking vector was the one moved out, costing every retrieve a TOAST look-up per row.
-- (Existing rows keep their layout until they are rewritten, e.g. by VACUUM FULL.)
ALTER TABLE outcomes ALTER COLUMN embedding SET STORAGE MAIN, ALTER COLUMN strategy_embedding SET STORAGE EXTERNAL;
ALTER TABLE heuristics ALTER COLUMN embedding SET STORAGE MAIN, ALTER COLUMN strategy_embedding SET STORAGE EXTERNAL;
ALTER TABLE anti_patterns ALTER COLUMN embedding SET STORAGE MAIN, ALTER COLUMN pattern_embedding SET STORAGE EXTERNAL;
ALTER TABLE domain_knowledge ALTER COLUMN embedding SET STORAGE MAIN;
ALTER TABLE preferences ALTER COLUMN embedding SET STORAGE MAIN;

-- Recency in float8 rather than numeric arithmetic: the same score, computed faster for every row ranked.
-- include: memory_score_v2
