-- Delete one memory if the agent owns it.
-- :project_id, :kind, :id, :owner
-- Returns deleted (how many rows: 0 or 1).
WITH heuristic AS (
    DELETE FROM heuristics WHERE :kind = 'heuristics' AND project_id = :project_id AND id = :id AND agent = :owner RETURNING 1
), outcome AS (
    DELETE FROM outcomes WHERE :kind = 'outcomes' AND project_id = :project_id AND id = :id AND agent = :owner RETURNING 1
), fact AS (
    DELETE FROM domain_knowledge WHERE :kind = 'domain-knowledge' AND project_id = :project_id AND id = :id AND agent = :owner
    RETURNING 1
), anti_pattern AS (
    DELETE FROM anti_patterns WHERE :kind = 'anti-patterns' AND project_id = :project_id AND id = :id AND agent = :owner
    RETURNING 1
), preference AS (
    DELETE FROM preferences WHERE :kind = 'preferences' AND project_id = :project_id AND id = :id AND agent = :owner RETURNING 1
)
SELECT (SELECT count(*) FROM heuristic) + (SELECT count(*) FROM outcome) + (SELECT count(*) FROM fact)
     + (SELECT count(*) FROM anti_pattern) + (SELECT count(*) FROM preference) AS deleted;
