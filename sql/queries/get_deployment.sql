-- The vector size and embedder this deployment was first started with.
-- Returns embedding_dim, embedder, or no row before the first start.
SELECT embedding_dim, embedder FROM deployment;
