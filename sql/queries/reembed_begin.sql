-- Start a move of the deployment to another embedder, or find the one already under way.
-- $1 embedder (kind), $2 embedding_model, $3 embedding_dim of the embedder to move to
-- Returns the target of the move under way after the statement: reembed_embedder, reembed_model, reembed_dim.
UPDATE deployment
SET reembed_embedder = coalesce(reembed_embedder, $1),
    reembed_model = coalesce(reembed_model, $2),
    reembed_dim = coalesce(reembed_dim, $3)
RETURNING reembed_embedder, reembed_model, reembed_dim;
