-- The memories of one kind that the reader may read, newest first, one page at a time.
-- $1 project_id, $2 kind, $3 reader, $4 owner (NULL: any), $5 task_type (NULL: any), $6 domain (NULL: any),
-- $7 limit, $8 offset
-- Returns agent, item, total (the count over all pages).
SELECT m.agent, m.item, count(*) OVER () AS total
FROM memory_items m
JOIN read_grants g ON g.project_id = m.project_id AND g.reader = $3
                  AND (m.agent = $3 OR m.kind = 'preferences' OR m.agent = ANY (g.sources))
WHERE m.project_id = $1 AND m.kind = $2
  AND ($4::text IS NULL OR m.agent = $4)
  AND ($5::text IS NULL OR m.task_type = $5)
  AND ($6::text IS NULL OR m.domain = $6)
ORDER BY m.created_at DESC, m.id DESC
LIMIT $7 OFFSET $8;
