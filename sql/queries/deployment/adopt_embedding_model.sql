-- Record the model of a deployment recorded before models were (its embedder kind was checked to match).
-- :embedding_model
-- Returns nothing.
UPDATE deployment SET embedding_model = :embedding_model WHERE embedding_model IS NULL;
