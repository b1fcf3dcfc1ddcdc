-- Bounded work per tenant.
-- read_grants is derived: rebuild_grants.sql rewrites it in the transaction of every change to agents, and
-- nothing else writes it. Its foreign keys checked each of up to a million rows of a large config one by
-- one (most of the apply's time) and guarded nothing that statement does not already ensure.
ALTER TABLE read_grants DROP CONSTRAINT read_grants_project_id_reader_fkey,
                        DROP CONSTRAINT read_grants_project_id_source_fkey;

-- include: sharing_edges_v1

-- Memory ids that reveal nothing across tenants: one sequence per table numbered every project's writes
-- together, so a tenant could count the others'. New memories get random ids below 2^53 (exact in every
-- JSON client); ids already given stay, so that links and exports keep working. A collision within a
-- project (one in 2^53 / its memories per write) refuses that write; nothing else changes.
CREATE FUNCTION random_memory_id() RETURNS bigint
LANGUAGE sql VOLATILE PARALLEL SAFE
AS $$ SELECT 1 + floor(random() * 9007199254740990)::bigint $$;

ALTER TABLE outcomes ALTER COLUMN id DROP IDENTITY, ALTER COLUMN id SET DEFAULT random_memory_id();
ALTER TABLE heuristics ALTER COLUMN id DROP IDENTITY, ALTER COLUMN id SET DEFAULT random_memory_id();
ALTER TABLE domain_knowledge ALTER COLUMN id DROP IDENTITY, ALTER COLUMN id SET DEFAULT random_memory_id();
ALTER TABLE anti_patterns ALTER COLUMN id DROP IDENTITY, ALTER COLUMN id SET DEFAULT random_memory_id();
ALTER TABLE preferences ALTER COLUMN id DROP IDENTITY, ALTER COLUMN id SET DEFAULT random_memory_id();
