-- Record the vector size of this deployment at its first start; later starts leave it as it is.
-- $1 embedding_dim, $2 embedder
-- Returns embedding_dim, embedder as stored.
WITH inserted AS (
    INSERT INTO deployment (embedding_dim, embedder) VALUES ($1, $2)
    ON CONFLICT (singleton) DO NOTHING
    RETURNING embedding_dim, embedder
)
SELECT embedding_dim, embedder FROM inserted
UNION ALL
SELECT embedding_dim, embedder FROM deployment
LIMIT 1;
