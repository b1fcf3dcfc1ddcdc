-- The schema revision the database is at (NULL before the first migration).
-- Returns version_num, or raises when the alembic_version table does not exist yet.
SELECT version_num FROM alembic_version;
