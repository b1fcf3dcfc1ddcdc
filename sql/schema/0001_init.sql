-- The schema: projects (tenants), their agents, the materialized read grants, and the five memory kinds.
-- Every table is keyed by project_id first, so a project's rows stay together (and can be sharded together).

CREATE EXTENSION IF NOT EXISTS vector;

-- One row: the vector size this deployment was started with; vectors of another size are refused.
CREATE TABLE deployment (
    singleton     boolean PRIMARY KEY DEFAULT true CHECK (singleton),
    embedding_dim integer NOT NULL CHECK (embedding_dim > 0),
    embedder      text    NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE projects (
    project_id text PRIMARY KEY,
    storage_note text,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE agents (
    project_id   text NOT NULL REFERENCES projects (project_id) ON DELETE CASCADE,
    name         text NOT NULL,
    domain       text,
    can_learn    text[] NOT NULL DEFAULT '{}',
    cannot_learn text[] NOT NULL DEFAULT '{}',
    share_with   text[] NOT NULL DEFAULT '{}',
    inherit_from text[] NOT NULL DEFAULT '{}',
    min_occurrences_for_heuristic integer NOT NULL DEFAULT 3 CHECK (min_occurrences_for_heuristic > 0),
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (project_id, name)
);

-- (reader, source): the reader may read the source's memories. Holds each agent's grant to itself
-- and every mutual pair (reader inherits from source AND source shares with reader); nothing else.
-- Rewritten by rebuild_grants.sql in the same transaction as any change to agents.
CREATE TABLE read_grants (
    project_id text NOT NULL,
    reader     text NOT NULL,
    source     text NOT NULL,
    PRIMARY KEY (project_id, reader, source),
    FOREIGN KEY (project_id, reader) REFERENCES agents (project_id, name) ON DELETE CASCADE,
    FOREIGN KEY (project_id, source) REFERENCES agents (project_id, name) ON DELETE CASCADE
);

-- Memories are kept when their agent leaves the config: they belong to the project, and come back
-- into view if the agent is added again.
CREATE TABLE outcomes (
    project_id    text NOT NULL REFERENCES projects (project_id) ON DELETE CASCADE,
    id            bigint GENERATED ALWAYS AS IDENTITY,
    agent         text NOT NULL,
    task          text NOT NULL,
    task_type     text,
    success       boolean NOT NULL,
    strategy_used text NOT NULL,
    duration_ms   integer CHECK (duration_ms >= 0),
    error_message text,
    feedback      text,
    embedding     vector NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (project_id, id)
);
CREATE INDEX outcomes_by_agent ON outcomes (project_id, agent, created_at);

CREATE TABLE heuristics (
    project_id       text NOT NULL REFERENCES projects (project_id) ON DELETE CASCADE,
    id               bigint GENERATED ALWAYS AS IDENTITY,
    agent            text NOT NULL,
    condition        text NOT NULL,
    strategy         text NOT NULL,
    task_type        text,
    domain           text,
    confidence       real NOT NULL DEFAULT 0.5 CHECK (confidence BETWEEN 0 AND 1),
    occurrence_count integer NOT NULL DEFAULT 0 CHECK (occurrence_count >= 0),
    success_count    integer NOT NULL DEFAULT 0 CHECK (success_count >= 0),
    last_validated   timestamptz NOT NULL DEFAULT now(),
    embedding        vector NOT NULL,
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (project_id, id)
);
CREATE INDEX heuristics_by_agent ON heuristics (project_id, agent);

CREATE TABLE domain_knowledge (
    project_id text NOT NULL REFERENCES projects (project_id) ON DELETE CASCADE,
    id         bigint GENERATED ALWAYS AS IDENTITY,
    agent      text NOT NULL,
    domain     text NOT NULL,
    fact       text NOT NULL,
    source     text,
    confidence real NOT NULL DEFAULT 1.0 CHECK (confidence BETWEEN 0 AND 1),
    embedding  vector NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (project_id, id)
);
CREATE INDEX domain_knowledge_by_agent ON domain_knowledge (project_id, agent);

CREATE TABLE anti_patterns (
    project_id         text NOT NULL REFERENCES projects (project_id) ON DELETE CASCADE,
    id                 bigint GENERATED ALWAYS AS IDENTITY,
    agent              text NOT NULL,
    pattern            text NOT NULL,
    why_bad            text NOT NULL,
    better_alternative text,
    task_type          text,
    occurrence_count   integer NOT NULL DEFAULT 1 CHECK (occurrence_count >= 0),
    last_seen          timestamptz NOT NULL DEFAULT now(),
    embedding          vector NOT NULL,
    created_at         timestamptz NOT NULL DEFAULT now(),
    updated_at         timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (project_id, id)
);
CREATE INDEX anti_patterns_by_agent ON anti_patterns (project_id, agent);

-- Preferences belong to a user of the project, not to an agent; `agent` records who wrote one.
CREATE TABLE preferences (
    project_id text NOT NULL REFERENCES projects (project_id) ON DELETE CASCADE,
    id         bigint GENERATED ALWAYS AS IDENTITY,
    user_id    text NOT NULL,
    agent      text NOT NULL,
    category   text NOT NULL,
    preference text NOT NULL,
    source     text,
    embedding  vector NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (project_id, id)
);
CREATE INDEX preferences_by_user ON preferences (project_id, user_id);
