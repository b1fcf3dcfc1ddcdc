-- Every project of the deployment with its number of agents.
-- Returns project_id, agents, created_at.
SELECT p.project_id, count(a.name) AS agents, p.created_at
FROM projects p
LEFT JOIN agents a ON a.project_id = p.project_id
GROUP BY p.project_id
ORDER BY p.project_id;
