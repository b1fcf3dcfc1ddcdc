-- Undo 0001_init: drops every table and all memories in them.
DROP TABLE IF EXISTS preferences, anti_patterns, domain_knowledge, heuristics, outcomes,
    read_grants, agents, projects, deployment;
