-- Undo 0007_embedder_identity: the deployment records its vector size and embedder kind only.
DROP FUNCTION IF EXISTS unindex_vectors(boolean);
DROP TABLE IF EXISTS reembed_progress;
ALTER TABLE deployment DROP COLUMN IF EXISTS embedding_model, DROP COLUMN IF EXISTS reembed_embedder,
    DROP COLUMN IF EXISTS reembed_model, DROP COLUMN IF EXISTS reembed_dim;
