-- Create or replace one agent's configuration.
-- $1 project_id, $2 name, $3 domain, $4 can_learn, $5 cannot_learn, $6 share_with, $7 inherit_from,
-- $8 min_occurrences_for_heuristic
-- Returns nothing.
INSERT INTO agents (project_id, name, domain, can_learn, cannot_learn, share_with, inherit_from,
                    min_occurrences_for_heuristic)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
ON CONFLICT (project_id, name) DO UPDATE
SET domain = EXCLUDED.domain,
    can_learn = EXCLUDED.can_learn,
    cannot_learn = EXCLUDED.cannot_learn,
    share_with = EXCLUDED.share_with,
    inherit_from = EXCLUDED.inherit_from,
    min_occurrences_for_heuristic = EXCLUDED.min_occurrences_for_heuristic,
    updated_at = now();
