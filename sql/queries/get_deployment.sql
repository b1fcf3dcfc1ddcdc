-- The vector size this deployment was started with, if it has been started.
-- No parameters.
-- Returns embedding_dim, embedder, or no row.
SELECT embedding_dim, embedder FROM deployment;
