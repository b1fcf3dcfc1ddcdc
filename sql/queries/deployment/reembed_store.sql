-- Store one memory's vectors from the embedder a move goes to. Timestamps stay: recency is unchanged.
-- :kind (as memory_items names it), :project_id, :id, :embedding the ranking vector, :learning_embedding the learning vector
-- (the strategy's, for heuristics and outcomes; anti-patterns learn by their pattern's, which is :embedding).
-- Returns nothing.
WITH heuristics AS (
    UPDATE heuristics SET embedding = :embedding, strategy_embedding = :learning_embedding WHERE :kind = 'heuristics' AND project_id = :project_id AND id = :id
), outcomes AS (
    UPDATE outcomes SET embedding = :embedding, strategy_embedding = :learning_embedding WHERE :kind = 'outcomes' AND project_id = :project_id AND id = :id
), domain_knowledge AS (
    UPDATE domain_knowledge SET embedding = :embedding WHERE :kind = 'domain-knowledge' AND project_id = :project_id AND id = :id
), anti_patterns AS (
    UPDATE anti_patterns SET embedding = :embedding, pattern_embedding = :embedding WHERE :kind = 'anti-patterns' AND project_id = :project_id AND id = :id
), preferences AS (
    UPDATE preferences SET embedding = :embedding WHERE :kind = 'preferences' AND project_id = :project_id AND id = :id
)
SELECT;
