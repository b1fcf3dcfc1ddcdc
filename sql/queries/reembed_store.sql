-- Store one memory's vectors from the embedder a move goes to. Timestamps stay: recency is unchanged.
-- $1 kind (as memory_items names it), $2 project_id, $3 id, $4 the ranking vector, $5 the learning vector
-- (the strategy's, for heuristics and outcomes; anti-patterns learn by their pattern's, which is $4).
-- Returns nothing.
WITH heuristics AS (
    UPDATE heuristics SET embedding = $4, strategy_embedding = $5 WHERE $1 = 'heuristics' AND project_id = $2 AND id = $3
), outcomes AS (
    UPDATE outcomes SET embedding = $4, strategy_embedding = $5 WHERE $1 = 'outcomes' AND project_id = $2 AND id = $3
), domain_knowledge AS (
    UPDATE domain_knowledge SET embedding = $4 WHERE $1 = 'domain-knowledge' AND project_id = $2 AND id = $3
), anti_patterns AS (
    UPDATE anti_patterns SET embedding = $4, pattern_embedding = $4 WHERE $1 = 'anti-patterns' AND project_id = $2 AND id = $3
), preferences AS (
    UPDATE preferences SET embedding = $4 WHERE $1 = 'preferences' AND project_id = $2 AND id = $3
)
SELECT;
