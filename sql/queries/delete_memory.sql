-- Delete one memory if the agent owns it.
-- $1 project_id, $2 kind, $3 id, $4 owner
-- Returns deleted (how many rows: 0 or 1).
WITH heuristic AS (
    DELETE FROM heuristics WHERE $2 = 'heuristics' AND project_id = $1 AND id = $3 AND agent = $4 RETURNING 1
), outcome AS (
    DELETE FROM outcomes WHERE $2 = 'outcomes' AND project_id = $1 AND id = $3 AND agent = $4 RETURNING 1
), fact AS (
    DELETE FROM domain_knowledge WHERE $2 = 'domain-knowledge' AND project_id = $1 AND id = $3 AND agent = $4
    RETURNING 1
), anti_pattern AS (
    DELETE FROM anti_patterns WHERE $2 = 'anti-patterns' AND project_id = $1 AND id = $3 AND agent = $4
    RETURNING 1
), preference AS (
    DELETE FROM preferences WHERE $2 = 'preferences' AND project_id = $1 AND id = $3 AND agent = $4 RETURNING 1
)
SELECT (SELECT count(*) FROM heuristic) + (SELECT count(*) FROM outcome) + (SELECT count(*) FROM fact)
     + (SELECT count(*) FROM anti_pattern) + (SELECT count(*) FROM preference) AS deleted;
