-- The embedder is part of the deployment: its kind and model are recorded beside the vector size, since
-- vectors of two embedders of the same size cannot be compared. While `alma reembed` moves a deployment to
-- another embedder, the target is recorded too (the service refuses to start on mixed vectors), and
-- reembed_progress keeps, per memory kind, the last memory done, so that an interrupted move resumes there.
ALTER TABLE deployment
    ADD COLUMN embedding_model text,  -- NULL only on deployments recorded before this revision
    ADD COLUMN reembed_embedder text,
    ADD COLUMN reembed_model text,
    ADD COLUMN reembed_dim integer CHECK (reembed_dim > 0),
    ADD CHECK ((reembed_embedder IS NULL) = (reembed_model IS NULL) AND (reembed_model IS NULL) = (reembed_dim IS NULL));

CREATE TABLE reembed_progress (
    kind       text PRIMARY KEY,
    project_id text NOT NULL,
    id         bigint NOT NULL
);

-- Before re-embedding: drop the nearest-neighbour indexes (rebuilt by index_vectors(dimension) afterwards),
-- and where the vector size changes, let the ranking columns hold vectors of any size meanwhile.
-- include: unindex_vectors_v1
