-- How many memories of each shareable kind every agent of a project owns. Preferences are left out:
-- they belong to users and are never lent by a grant.
-- :project_id
-- Returns agent, kind, memories (one row per agent and kind that has any).
SELECT m.agent, m.kind, count(*) AS memories
FROM memory_items m
WHERE m.project_id = :project_id AND m.kind <> 'preferences'
GROUP BY m.agent, m.kind
ORDER BY m.agent, m.kind;
