-- After a move to another embedder: fix the ranking columns to its vector size $1 and build the indexes again.
-- Returns nothing of use.
SELECT index_vectors($1);
