CREATE FUNCTION index_vectors_of_deployment() RETURNS trigger
LANGUAGE plpgsql
AS $$
BEGIN
    PERFORM index_vectors(NEW.embedding_dim);
    RETURN NULL;
END
$$;
