-- Create or replace one agent's configuration.
-- :project_id, :name, :domain, :can_learn, :cannot_learn, :share_with, :inherit_from,
-- :min_occurrences_for_heuristic
-- Returns nothing.
INSERT INTO agents (project_id, name, domain, can_learn, cannot_learn, share_with, inherit_from,
                    min_occurrences_for_heuristic)
VALUES (:project_id, :name, :domain, :can_learn, :cannot_learn, :share_with, :inherit_from, :min_occurrences_for_heuristic)
ON CONFLICT (project_id, name) DO UPDATE
SET domain = EXCLUDED.domain,
    can_learn = EXCLUDED.can_learn,
    cannot_learn = EXCLUDED.cannot_learn,
    share_with = EXCLUDED.share_with,
    inherit_from = EXCLUDED.inherit_from,
    min_occurrences_for_heuristic = EXCLUDED.min_occurrences_for_heuristic,
    updated_at = now();
