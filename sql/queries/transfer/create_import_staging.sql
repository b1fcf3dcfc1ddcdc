-- A staging table for one import batch: rows of every memory kind, COPYed in, then inserted by
-- import_staged.sql; dropped when the batch's transaction ends.
-- No parameters. Returns nothing.
CREATE TEMP TABLE import_staging (
    kind               text NOT NULL,
    agent              text NOT NULL,
    import_key         text NOT NULL,
    native_id          bigint,  -- the memory's own id when the record was exported from the target project
    created_at         timestamptz,
    updated_at         timestamptz,
    task               text,
    task_type          text,
    domain             text,
    success            boolean,
    strategy_used      text,
    duration_ms        integer,
    error_message      text,
    feedback           text,
    condition          text,
    strategy           text,
    confidence         real,
    occurrence_count   integer,
    success_count      integer,
    last_validated     timestamptz,
    fact               text,
    source             text,
    pattern            text,
    why_bad            text,
    better_alternative text,
    last_seen          timestamptz,
    user_id            text,
    category           text,
    preference         text,
    embedding          vector NOT NULL,
    strategy_embedding vector  -- heuristics: the strategy's vector; outcomes: the strategy used's
) ON COMMIT DROP;
