CREATE OR REPLACE FUNCTION memory_score(similarity float8, at timestamptz, success float8, confidence float8,
                             w_similarity float8, w_recency float8, w_success float8, w_confidence float8,
                             half_life_days float8)
RETURNS float8
LANGUAGE sql STABLE PARALLEL SAFE
AS $$
    SELECT w_similarity * similarity
         + w_recency * power(0.5, greatest(extract(epoch FROM now() - at), 0) / 86400.0 / half_life_days)
         + w_success * success
         + w_confidence * confidence
$$;
