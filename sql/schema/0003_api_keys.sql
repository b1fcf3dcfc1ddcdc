-- API keys: project admin keys and agent keys. Only a SHA-256 hash of each key is stored; `prefix` is the
-- visible part that identifies a key in lists and logs.
CREATE TABLE api_keys (
    project_id   text NOT NULL REFERENCES projects (project_id) ON DELETE CASCADE,
    key_id       bigint GENERATED ALWAYS AS IDENTITY,
    prefix       text NOT NULL UNIQUE,
    secret_hash  bytea NOT NULL,
    role         text NOT NULL CHECK (role IN ('admin', 'agent')),
    agent        text,
    name         text,
    created_at   timestamptz NOT NULL DEFAULT now(),
    last_used_at timestamptz,
    revoked_at   timestamptz,
    PRIMARY KEY (project_id, key_id),
    CHECK ((role = 'agent') = (agent IS NOT NULL))
);
