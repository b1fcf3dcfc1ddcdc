-- The embedder this deployment was started with, if it has been started.
-- No parameters.
-- Returns embedding_dim, embedder, embedding_model and the reembed_* target of an unfinished move, or no row.
SELECT embedding_dim, embedder, embedding_model, reembed_embedder, reembed_model, reembed_dim FROM deployment;
