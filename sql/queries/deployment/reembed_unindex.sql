-- Drop the nearest-neighbour indexes for a move to another embedder; :any_size: let the ranking columns hold vectors
-- of any size meanwhile (the move changes the size).
-- Returns nothing of use.
SELECT unindex_vectors(:any_size);
