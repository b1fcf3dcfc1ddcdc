-- Today's schema, as `alma schema` writes it from a migrated database; the revisions in this folder
-- make it. Do not apply this file: `alma migrate` does. A function whose body a file of parts/ holds
-- names that file (and the body's hash) instead of repeating it.
CREATE EXTENSION IF NOT EXISTS vector WITH SCHEMA public;

COMMENT ON EXTENSION vector IS 'vector data type and ivfflat and hnsw access methods';

CREATE FUNCTION public.granted_sources(project text) RETURNS TABLE(reader text, sources text[])
    LANGUAGE sql STABLE PARALLEL SAFE
    AS $$ … $$;  -- the body: parts/granted_sources_v1.sql, sha256 102f214cc4f6fdb8…

CREATE FUNCTION public.index_vectors(dimension integer) RETURNS void
    LANGUAGE plpgsql
    AS $_$ … $_$;  -- the body: parts/index_vectors_v4.sql, sha256 64b14749ce7ae28f…

CREATE FUNCTION public.index_vectors_of_deployment() RETURNS trigger
    LANGUAGE plpgsql
    AS $$ … $$;  -- the body: parts/index_vectors_of_deployment_v1.sql, sha256 a538f316d839b255…

CREATE FUNCTION public.random_memory_id() RETURNS bigint
    LANGUAGE sql PARALLEL SAFE
    AS $$ SELECT 1 + floor(random() * 9007199254740990)::bigint $$;

CREATE FUNCTION public.sharing_edges(project text) RETURNS TABLE(source text, reader text, inherited boolean, shared boolean, status text)
    LANGUAGE sql STABLE PARALLEL SAFE
    AS $$ … $$;  -- the body: parts/sharing_edges_v2.sql, sha256 6b9b57307bc30758…

CREATE FUNCTION public.unindex_vectors(any_size boolean) RETURNS void
    LANGUAGE plpgsql
    AS $$ … $$;  -- the body: parts/unindex_vectors_v3.sql, sha256 c17ca756a5ee1d96…

CREATE TABLE public.agents (
    project_id text NOT NULL,
    name text NOT NULL,
    domain text,
    can_learn text[] DEFAULT '{}'::text[] NOT NULL,
    cannot_learn text[] DEFAULT '{}'::text[] NOT NULL,
    share_with text[] DEFAULT '{}'::text[] NOT NULL,
    inherit_from text[] DEFAULT '{}'::text[] NOT NULL,
    min_occurrences_for_heuristic integer DEFAULT 3 NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT agents_min_occurrences_for_heuristic_check CHECK ((min_occurrences_for_heuristic > 0))
);

CREATE TABLE public.anti_patterns (
    project_id text NOT NULL,
    id bigint DEFAULT public.random_memory_id() NOT NULL,
    agent text NOT NULL,
    pattern text NOT NULL,
    why_bad text NOT NULL,
    better_alternative text,
    task_type text,
    occurrence_count integer DEFAULT 1 NOT NULL,
    last_seen timestamp with time zone DEFAULT now() NOT NULL,
    embedding public.vector NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    domain text,
    pattern_embedding public.vector NOT NULL,
    import_key text,
    ranking_vector public.halfvec GENERATED ALWAYS AS ((public.l2_normalize(embedding))::public.halfvec) STORED,
    CONSTRAINT anti_patterns_occurrence_count_check CHECK ((occurrence_count >= 0))
);
ALTER TABLE ONLY public.anti_patterns ALTER COLUMN embedding SET STORAGE MAIN;

CREATE TABLE public.api_keys (
    project_id text NOT NULL,
    key_id bigint NOT NULL,
    prefix text NOT NULL,
    secret_hash bytea NOT NULL,
    role text NOT NULL,
    agent text,
    name text,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    last_used_at timestamp with time zone,
    revoked_at timestamp with time zone,
    CONSTRAINT api_keys_check CHECK (((role = 'agent'::text) = (agent IS NOT NULL))),
    CONSTRAINT api_keys_role_check CHECK ((role = ANY (ARRAY['admin'::text, 'agent'::text])))
);

ALTER TABLE public.api_keys ALTER COLUMN key_id ADD GENERATED ALWAYS AS IDENTITY (
    SEQUENCE NAME public.api_keys_key_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);

CREATE TABLE public.deployment (
    singleton boolean DEFAULT true NOT NULL,
    embedding_dim integer NOT NULL,
    embedder text NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    embedding_model text,
    reembed_embedder text,
    reembed_model text,
    reembed_dim integer,
    CONSTRAINT deployment_check CHECK ((((reembed_embedder IS NULL) = (reembed_model IS NULL)) AND ((reembed_model IS NULL) = (reembed_dim IS NULL)))),
    CONSTRAINT deployment_embedding_dim_check CHECK ((embedding_dim > 0)),
    CONSTRAINT deployment_reembed_dim_check CHECK ((reembed_dim > 0)),
    CONSTRAINT deployment_singleton_check CHECK (singleton)
);

CREATE TABLE public.domain_knowledge (
    project_id text NOT NULL,
    id bigint DEFAULT public.random_memory_id() NOT NULL,
    agent text NOT NULL,
    domain text NOT NULL,
    fact text NOT NULL,
    source text,
    confidence real DEFAULT 1.0 NOT NULL,
    embedding public.vector NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    import_key text,
    ranking_vector public.halfvec GENERATED ALWAYS AS ((public.l2_normalize(embedding))::public.halfvec) STORED,
    CONSTRAINT domain_knowledge_confidence_check CHECK (((confidence >= (0)::double precision) AND (confidence <= (1)::double precision)))
);
ALTER TABLE ONLY public.domain_knowledge ALTER COLUMN embedding SET STORAGE MAIN;

CREATE TABLE public.heuristics (
    project_id text NOT NULL,
    id bigint DEFAULT public.random_memory_id() NOT NULL,
    agent text NOT NULL,
    condition text NOT NULL,
    strategy text NOT NULL,
    task_type text,
    domain text,
    confidence real DEFAULT 0.5 NOT NULL,
    occurrence_count integer DEFAULT 0 NOT NULL,
    success_count integer DEFAULT 0 NOT NULL,
    last_validated timestamp with time zone DEFAULT now() NOT NULL,
    embedding public.vector NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    strategy_embedding public.vector NOT NULL,
    success_rate real GENERATED ALWAYS AS (
CASE
    WHEN (occurrence_count > 0) THEN ((success_count)::real / (occurrence_count)::double precision)
    ELSE NULL::double precision
END) STORED,
    import_key text,
    ranking_vector public.halfvec GENERATED ALWAYS AS ((public.l2_normalize(embedding))::public.halfvec) STORED,
    CONSTRAINT heuristics_confidence_check CHECK (((confidence >= (0)::double precision) AND (confidence <= (1)::double precision))),
    CONSTRAINT heuristics_occurrence_count_check CHECK ((occurrence_count >= 0)),
    CONSTRAINT heuristics_success_count_check CHECK ((success_count >= 0))
);
ALTER TABLE ONLY public.heuristics ALTER COLUMN embedding SET STORAGE MAIN;

CREATE TABLE public.outcomes (
    project_id text NOT NULL,
    id bigint DEFAULT public.random_memory_id() NOT NULL,
    agent text NOT NULL,
    task text NOT NULL,
    task_type text,
    success boolean NOT NULL,
    strategy_used text NOT NULL,
    duration_ms integer,
    error_message text,
    feedback text,
    embedding public.vector NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    domain text,
    strategy_embedding public.vector NOT NULL,
    import_key text,
    ranking_vector public.halfvec GENERATED ALWAYS AS ((public.l2_normalize(embedding))::public.halfvec) STORED,
    CONSTRAINT outcomes_duration_ms_check CHECK ((duration_ms >= 0))
);
ALTER TABLE ONLY public.outcomes ALTER COLUMN embedding SET STORAGE MAIN;

CREATE TABLE public.preferences (
    project_id text NOT NULL,
    id bigint DEFAULT public.random_memory_id() NOT NULL,
    user_id text NOT NULL,
    agent text NOT NULL,
    category text NOT NULL,
    preference text NOT NULL,
    source text,
    embedding public.vector NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    import_key text,
    ranking_vector public.halfvec GENERATED ALWAYS AS ((public.l2_normalize(embedding))::public.halfvec) STORED
);
ALTER TABLE ONLY public.preferences ALTER COLUMN embedding SET STORAGE MAIN;

CREATE VIEW public.memory_items AS
 SELECT 'heuristics'::text AS kind,
    m.project_id,
    m.id,
    m.agent,
    m.created_at,
    m.task_type,
    m.domain,
    json_build_object('id', m.id, 'agent', m.agent, 'condition', m.condition, 'strategy', m.strategy, 'task_type', m.task_type, 'domain', m.domain, 'confidence', m.confidence, 'occurrence_count', m.occurrence_count, 'success_count', m.success_count, 'success_rate', m.success_rate, 'last_validated', m.last_validated, 'created_at', m.created_at, 'updated_at', m.updated_at) AS item
   FROM public.heuristics m
UNION ALL
 SELECT 'outcomes'::text AS kind,
    m.project_id,
    m.id,
    m.agent,
    m.created_at,
    m.task_type,
    m.domain,
    json_build_object('id', m.id, 'agent', m.agent, 'task', m.task, 'task_type', m.task_type, 'domain', m.domain, 'success', m.success, 'strategy_used', m.strategy_used, 'duration_ms', m.duration_ms, 'error_message', m.error_message, 'feedback', m.feedback, 'created_at', m.created_at) AS item
   FROM public.outcomes m
UNION ALL
 SELECT 'domain-knowledge'::text AS kind,
    m.project_id,
    m.id,
    m.agent,
    m.created_at,
    NULL::text AS task_type,
    m.domain,
    json_build_object('id', m.id, 'agent', m.agent, 'domain', m.domain, 'fact', m.fact, 'source', m.source, 'confidence', m.confidence, 'created_at', m.created_at, 'updated_at', m.updated_at) AS item
   FROM public.domain_knowledge m
UNION ALL
 SELECT 'anti-patterns'::text AS kind,
    m.project_id,
    m.id,
    m.agent,
    m.created_at,
    m.task_type,
    m.domain,
    json_build_object('id', m.id, 'agent', m.agent, 'pattern', m.pattern, 'why_bad', m.why_bad, 'better_alternative', m.better_alternative, 'task_type', m.task_type, 'domain', m.domain, 'occurrence_count', m.occurrence_count, 'last_seen', m.last_seen, 'created_at', m.created_at, 'updated_at', m.updated_at) AS item
   FROM public.anti_patterns m
UNION ALL
 SELECT 'preferences'::text AS kind,
    m.project_id,
    m.id,
    m.agent,
    m.created_at,
    NULL::text AS task_type,
    NULL::text AS domain,
    json_build_object('id', m.id, 'agent', m.agent, 'user_id', m.user_id, 'category', m.category, 'preference', m.preference, 'source', m.source, 'created_at', m.created_at, 'updated_at', m.updated_at) AS item
   FROM public.preferences m;

CREATE VIEW public.memory_ranks AS
 SELECT 'heuristics'::text AS kind,
    m.project_id,
    m.agent AS owner,
    m.id,
    m.last_validated AS ranked_at,
    (COALESCE(m.success_rate, m.confidence))::double precision AS success,
    (m.confidence)::double precision AS confidence,
    m.ranking_vector
   FROM public.heuristics m
UNION ALL
 SELECT 'outcomes'::text AS kind,
    m.project_id,
    m.agent AS owner,
    m.id,
    m.created_at AS ranked_at,
    ((m.success)::integer)::double precision AS success,
    (0.5)::double precision AS confidence,
    m.ranking_vector
   FROM public.outcomes m
UNION ALL
 SELECT 'domain-knowledge'::text AS kind,
    m.project_id,
    m.agent AS owner,
    m.id,
    m.updated_at AS ranked_at,
    (0.5)::double precision AS success,
    (m.confidence)::double precision AS confidence,
    m.ranking_vector
   FROM public.domain_knowledge m
UNION ALL
 SELECT 'anti-patterns'::text AS kind,
    m.project_id,
    m.agent AS owner,
    m.id,
    m.last_seen AS ranked_at,
    (0.5)::double precision AS success,
    (0.5)::double precision AS confidence,
    m.ranking_vector
   FROM public.anti_patterns m
UNION ALL
 SELECT 'preferences'::text AS kind,
    m.project_id,
    m.user_id AS owner,
    m.id,
    m.updated_at AS ranked_at,
    (0.5)::double precision AS success,
    (0.5)::double precision AS confidence,
    m.ranking_vector
   FROM public.preferences m;

CREATE TABLE public.projects (
    project_id text NOT NULL,
    storage_note text,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL
);

CREATE TABLE public.read_grants (
    project_id text CONSTRAINT read_grants_project_id_not_null1 NOT NULL,
    reader text CONSTRAINT read_grants_reader_not_null1 NOT NULL,
    sources text[] DEFAULT '{}'::text[] NOT NULL
);

CREATE TABLE public.reembed_progress (
    kind text NOT NULL,
    project_id text NOT NULL,
    id bigint NOT NULL
);

ALTER TABLE ONLY public.agents
    ADD CONSTRAINT agents_pkey PRIMARY KEY (project_id, name);

ALTER TABLE ONLY public.anti_patterns
    ADD CONSTRAINT anti_patterns_pkey PRIMARY KEY (project_id, id);

ALTER TABLE ONLY public.api_keys
    ADD CONSTRAINT api_keys_pkey PRIMARY KEY (project_id, key_id);

ALTER TABLE ONLY public.api_keys
    ADD CONSTRAINT api_keys_prefix_key UNIQUE (prefix);

ALTER TABLE ONLY public.deployment
    ADD CONSTRAINT deployment_pkey PRIMARY KEY (singleton);

ALTER TABLE ONLY public.domain_knowledge
    ADD CONSTRAINT domain_knowledge_pkey PRIMARY KEY (project_id, id);

ALTER TABLE ONLY public.heuristics
    ADD CONSTRAINT heuristics_pkey PRIMARY KEY (project_id, id);

ALTER TABLE ONLY public.outcomes
    ADD CONSTRAINT outcomes_pkey PRIMARY KEY (project_id, id);

ALTER TABLE ONLY public.preferences
    ADD CONSTRAINT preferences_pkey PRIMARY KEY (project_id, id);

ALTER TABLE ONLY public.projects
    ADD CONSTRAINT projects_pkey PRIMARY KEY (project_id);

ALTER TABLE ONLY public.read_grants
    ADD CONSTRAINT read_grants_pkey PRIMARY KEY (project_id, reader);

ALTER TABLE ONLY public.reembed_progress
    ADD CONSTRAINT reembed_progress_pkey PRIMARY KEY (kind);

CREATE INDEX anti_patterns_by_agent ON public.anti_patterns USING btree (project_id, agent);

CREATE UNIQUE INDEX anti_patterns_import_key ON public.anti_patterns USING btree (project_id, import_key) WHERE (import_key IS NOT NULL);

CREATE INDEX domain_knowledge_by_agent ON public.domain_knowledge USING btree (project_id, agent);

CREATE UNIQUE INDEX domain_knowledge_import_key ON public.domain_knowledge USING btree (project_id, import_key) WHERE (import_key IS NOT NULL);

CREATE INDEX heuristics_by_agent ON public.heuristics USING btree (project_id, agent);

CREATE UNIQUE INDEX heuristics_import_key ON public.heuristics USING btree (project_id, import_key) WHERE (import_key IS NOT NULL);

CREATE INDEX outcomes_by_agent ON public.outcomes USING btree (project_id, agent, created_at);

CREATE INDEX outcomes_for_learning ON public.outcomes USING btree (project_id, agent, task_type);

CREATE UNIQUE INDEX outcomes_import_key ON public.outcomes USING btree (project_id, import_key) WHERE (import_key IS NOT NULL);

CREATE INDEX preferences_by_user ON public.preferences USING btree (project_id, user_id);

CREATE UNIQUE INDEX preferences_import_key ON public.preferences USING btree (project_id, import_key) WHERE (import_key IS NOT NULL);

CREATE TRIGGER deployment_indexes_vectors AFTER INSERT ON public.deployment FOR EACH ROW EXECUTE FUNCTION public.index_vectors_of_deployment();

ALTER TABLE ONLY public.agents
    ADD CONSTRAINT agents_project_id_fkey FOREIGN KEY (project_id) REFERENCES public.projects(project_id) ON DELETE CASCADE;

ALTER TABLE ONLY public.anti_patterns
    ADD CONSTRAINT anti_patterns_project_id_fkey FOREIGN KEY (project_id) REFERENCES public.projects(project_id) ON DELETE CASCADE;

ALTER TABLE ONLY public.api_keys
    ADD CONSTRAINT api_keys_project_id_fkey FOREIGN KEY (project_id) REFERENCES public.projects(project_id) ON DELETE CASCADE;

ALTER TABLE ONLY public.domain_knowledge
    ADD CONSTRAINT domain_knowledge_project_id_fkey FOREIGN KEY (project_id) REFERENCES public.projects(project_id) ON DELETE CASCADE;

ALTER TABLE ONLY public.heuristics
    ADD CONSTRAINT heuristics_project_id_fkey FOREIGN KEY (project_id) REFERENCES public.projects(project_id) ON DELETE CASCADE;

ALTER TABLE ONLY public.outcomes
    ADD CONSTRAINT outcomes_project_id_fkey FOREIGN KEY (project_id) REFERENCES public.projects(project_id) ON DELETE CASCADE;

ALTER TABLE ONLY public.preferences
    ADD CONSTRAINT preferences_project_id_fkey FOREIGN KEY (project_id) REFERENCES public.projects(project_id) ON DELETE CASCADE;
