"""What every `alma` command shares: the database (started and migrated when embedded) and, over one small
pool, the repositories and services the command uses — opened once per command, the same as the service's."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

import asyncpg
import click

from app.cli.remote import Service, running_service
from app.settings import Settings


def database_url(settings: Settings, migrate: bool | None = None) -> str:
    """The database to use, started when embedded; migrated when asked, and always when embedded."""
    from app.database import embedded_running, resolve_database_url
    from app.database import migrate as run_migrations

    if settings.embedded:
        where = settings.data_dir.resolve()
        if embedded_running(settings.data_dir):
            click.echo(f"Using the embedded PostgreSQL running in {where}.", err=True)
        else:
            click.echo(f"Starting the embedded PostgreSQL in {where} ...", err=True)
    elif settings.database_url:
        parts = urlsplit(settings.database_url)
        host = parts.hostname or parse_qs(parts.query).get("host", ["a local socket"])[0]
        click.echo(
            f"Using the database {parts.path.lstrip('/') or '(default)'} on {host} (ALMA_DATABASE_URL).", err=True
        )
    url = resolve_database_url(settings)
    if migrate or (migrate is None and (settings.embedded or settings.migrate_on_start)):
        run_migrations(url)
    return url


@dataclass
class Context:
    """The repositories and services of one command, over its pool."""

    pool: asyncpg.Pool

    def __post_init__(self) -> None:
        from app.queries import queries
        from app.repositories.deployment import DeploymentRepository
        from app.repositories.keys import KeyRepository
        from app.repositories.memories import MemoryRepository
        from app.repositories.projects import ProjectRepository
        from app.repositories.transfer import TransferRepository
        from app.services.keys import KeyStore
        from app.services.projects import ProjectService

        self.deployment = DeploymentRepository(self.pool, queries)
        self.transfer = TransferRepository(self.pool, queries)
        self.projects = ProjectService(ProjectRepository(self.pool, queries), MemoryRepository(self.pool, queries))
        self.keys = KeyStore(KeyRepository(self.pool, queries), required=True, operator_key=None)


def service_for(settings: Settings) -> Service | None:
    """The service a command goes through: --url / ALMA_URL, else the one running for the data directory
    (unless ALMA_DATABASE_URL names a database to use directly); None: the command opens the database."""
    key = settings.api_key.get_secret_value() if settings.api_key else None
    if settings.url:
        return Service(settings.url, key)
    if settings.database_url:
        return None
    if (url := running_service(settings)) is not None:
        click.echo(f"Using the service at {url}, which runs for {settings.data_dir.resolve()}.", err=True)
        return Service(url, key)
    return None


def require_existing_database(settings: Settings) -> None:
    """Refuse to create an embedded database as a side effect: only `alma serve` and `alma migrate` do."""
    if settings.embedded and not (settings.data_dir / "pgdata" / "PG_VERSION").exists():
        raise click.ClickException(
            f"No ALMA service is running for {settings.data_dir.resolve()}, and there is no database there. Start "
            "`alma serve` (in the folder that holds .alma/), or point ALMA_URL at a running service, or "
            "ALMA_DATABASE_URL at a database."
        )


@asynccontextmanager
async def opened(settings: Settings) -> AsyncIterator[Context]:
    """A small pool on the configured (or embedded, migrated) database, and what runs over it. An embedded
    database must exist already: commands other than serve and migrate never create one."""
    from app.database import open_pool

    require_existing_database(settings)
    url = await asyncio.to_thread(database_url, settings)
    pool = await open_pool(url, 1, 2)
    try:
        yield Context(pool)
    finally:
        await pool.close()


def run(action):
    """Run `action(context)` with a fresh context; a domain error, or a database that cannot be reached, becomes
    a one-line message, not a traceback."""
    from app.database import DatabaseUnavailable
    from app.errors import AlmaError

    async def with_context():
        async with opened(Settings()) as context:
            return await action(context)

    try:
        return asyncio.run(with_context())
    except AlmaError as error:
        raise click.ClickException(error.detail) from error
    except DatabaseUnavailable as error:
        raise click.ClickException(str(error)) from error
