-- Per memory kind, the last memory a move to another embedder has done (kinds not begun have no row).
-- No parameters.
-- Returns kind, project_id, id.
SELECT kind, project_id, id FROM reembed_progress;
