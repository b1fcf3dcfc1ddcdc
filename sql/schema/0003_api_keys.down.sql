-- Undo 0003_api_keys: every key is lost.
DROP TABLE IF EXISTS api_keys;
