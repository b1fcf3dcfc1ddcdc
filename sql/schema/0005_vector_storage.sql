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
CREATE OR REPLACE FUNCTION memory_score(similarity float8, at timestamptz, success float8, confidence float8,
                                        w_similarity float8, w_recency float8, w_success float8,
                                        w_confidence float8, half_life_days float8)
RETURNS float8
LANGUAGE sql STABLE PARALLEL SAFE
AS $$
    SELECT w_similarity * similarity
         + w_recency * power(0.5, greatest(extract(epoch FROM now() - at)::float8, 0) / 86400.0 / half_life_days)
         + w_success * success
         + w_confidence * confidence
$$;
