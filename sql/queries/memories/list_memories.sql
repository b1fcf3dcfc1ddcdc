-- The memories of one kind that the reader may read, newest first, one page at a time.
-- :project_id, :kind, :reader, :owner (NULL: any), :task_type (NULL: any), :domain (NULL: any),
-- :limit, :offset
-- Returns agent, item, total (the count over all pages).
SELECT m.agent, m.item, count(*) OVER () AS total
FROM memory_items m
JOIN read_grants g ON g.project_id = m.project_id AND g.reader = :reader
                  AND (m.agent = :reader OR m.kind = 'preferences' OR m.agent = ANY (g.sources))
WHERE m.project_id = :project_id AND m.kind = :kind
  AND (:owner::text IS NULL OR m.agent = :owner)
  AND (:task_type::text IS NULL OR m.task_type = :task_type)
  AND (:domain::text IS NULL OR m.domain = :domain)
ORDER BY m.created_at DESC, m.id DESC
LIMIT :limit OFFSET :offset;
