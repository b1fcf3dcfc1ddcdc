-- Finish a move to another embedder: it becomes the deployment's embedder, and the progress is forgotten.
-- No parameters.
-- Returns the deployment's embedder after the move: embedder, embedding_model, embedding_dim.
WITH forgotten AS (DELETE FROM reembed_progress)
UPDATE deployment
SET embedder = reembed_embedder, embedding_model = reembed_model, embedding_dim = reembed_dim,
    reembed_embedder = NULL, reembed_model = NULL, reembed_dim = NULL
WHERE reembed_embedder IS NOT NULL
RETURNING embedder, embedding_model, embedding_dim;
