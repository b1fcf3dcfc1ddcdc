-- The full memory model: strategy vectors for learning heuristics and anti-patterns from outcomes,
-- domains on every kind that can name one, success rates, and one read-only view over all five kinds.

ALTER TABLE outcomes
    ADD COLUMN domain text,
    ADD COLUMN strategy_embedding vector;
UPDATE outcomes SET strategy_embedding = embedding;
ALTER TABLE outcomes ALTER COLUMN strategy_embedding SET NOT NULL;
CREATE INDEX outcomes_for_learning ON outcomes (project_id, agent, task_type);

ALTER TABLE heuristics
    ADD COLUMN strategy_embedding vector,
    ADD COLUMN success_rate real GENERATED ALWAYS AS
        (CASE WHEN occurrence_count > 0 THEN success_count::real / occurrence_count END) STORED;
UPDATE heuristics SET strategy_embedding = embedding;
ALTER TABLE heuristics ALTER COLUMN strategy_embedding SET NOT NULL;

ALTER TABLE anti_patterns
    ADD COLUMN domain text,
    ADD COLUMN pattern_embedding vector;
UPDATE anti_patterns SET pattern_embedding = embedding;
ALTER TABLE anti_patterns ALTER COLUMN pattern_embedding SET NOT NULL;

-- Every memory as (kind, project_id, id, agent, created_at, item): for reading one, listing, counting.
-- `item` is the memory without its vectors, as the API shows it.
-- include: memory_items_v1

-- The ranking score of a retrieved memory: a weighted sum of its similarity to the query, its recency
-- (halving every half_life_days), its success rate and its confidence. Inlined by the planner into the
-- retrieval statement. (Scalar weights: an array parameter would cost asyncpg a type look-up per connection.)
-- include: memory_score_v1
