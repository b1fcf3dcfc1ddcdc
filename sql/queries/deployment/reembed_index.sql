-- After a move to another embedder: fix the ranking columns to its vector size :dimension and build the indexes again.
-- Returns nothing of use.
SELECT index_vectors(:dimension);
