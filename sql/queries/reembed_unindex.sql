-- Drop the nearest-neighbour indexes for a move to another embedder; $1: let the ranking columns hold vectors
-- of any size meanwhile (the move changes the size).
-- Returns nothing of use.
SELECT unindex_vectors($1);
