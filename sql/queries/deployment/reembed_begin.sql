-- Start a move of the deployment to another embedder, or find the one already under way.
-- :embedder (kind), :embedding_model, :embedding_dim of the embedder to move to
-- Returns the target of the move under way after the statement: reembed_embedder, reembed_model, reembed_dim.
UPDATE deployment
SET reembed_embedder = coalesce(reembed_embedder, :embedder),
    reembed_model = coalesce(reembed_model, :embedding_model),
    reembed_dim = coalesce(reembed_dim, :embedding_dim)
RETURNING reembed_embedder, reembed_model, reembed_dim;
