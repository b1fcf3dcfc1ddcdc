-- Record the model of a deployment recorded before models were (its embedder kind was checked to match).
-- $1 embedding_model
-- Returns nothing.
UPDATE deployment SET embedding_model = $1 WHERE embedding_model IS NULL;
