-- Record the embedder of this deployment at its first start; later starts leave the record as it is.
-- :embedding_dim, :embedder (its kind), :embedding_model
-- Returns the deployment as stored: embedding_dim, embedder, embedding_model, and the reembed_* target of a
-- move to another embedder that has not finished (NULL when none).
WITH inserted AS (
    INSERT INTO deployment (embedding_dim, embedder, embedding_model) VALUES (:embedding_dim, :embedder, :embedding_model)
    ON CONFLICT (singleton) DO NOTHING
    RETURNING embedding_dim, embedder, embedding_model, reembed_embedder, reembed_model, reembed_dim
)
SELECT * FROM inserted
UNION ALL
SELECT embedding_dim, embedder, embedding_model, reembed_embedder, reembed_model, reembed_dim FROM deployment
LIMIT 1;
