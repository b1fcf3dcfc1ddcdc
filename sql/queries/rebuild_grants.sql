-- Make read_grants hold exactly what the project's agents declare: each agent's grant to itself, plus
-- (reader, source) wherever the reader inherits from the source AND the source shares with the reader.
-- Edges are direct: nothing is inherited transitively. Only the difference is written.
-- $1 project_id
-- Returns nothing.
WITH desired AS (
    SELECT a.name AS reader, a.name AS source
    FROM agents a
    WHERE a.project_id = $1
    UNION
    SELECT reader.name, source.name
    FROM agents reader
    JOIN agents source ON source.project_id = reader.project_id
    WHERE reader.project_id = $1
      AND source.name = ANY (reader.inherit_from)
      AND reader.name = ANY (source.share_with)
),
revoked AS (
    DELETE FROM read_grants g
    WHERE g.project_id = $1
      AND NOT EXISTS (SELECT FROM desired d WHERE d.reader = g.reader AND d.source = g.source)
)
INSERT INTO read_grants (project_id, reader, source)
SELECT $1, d.reader, d.source FROM desired d
ON CONFLICT DO NOTHING;
