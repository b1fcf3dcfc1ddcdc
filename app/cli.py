"""The `alma` command: serve, migrate, and apply a config file."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import click

from app.settings import Settings


def _database_url(settings: Settings, migrate: bool | None = None) -> str:
    """The database to use, started when embedded; migrated when asked, and always when embedded."""
    from app.database import migrate as run_migrations
    from app.database import resolve_database_url

    if settings.embedded:
        click.echo(f"Starting the embedded PostgreSQL in {settings.data_dir.resolve()} ...", err=True)
    url = resolve_database_url(settings)
    if migrate or (migrate is None and (settings.embedded or settings.migrate_on_start)):
        run_migrations(url)
    return url


@click.group()
@click.version_option(package_name="alma-service")
def main() -> None:
    """ALMA: shared, permissioned memory for teams of AI agents."""


@main.command()
@click.option("--host", default=None, help="Interface to listen on [ALMA_HOST, default 127.0.0.1].")
@click.option("--port", type=int, default=None, help="Port [ALMA_PORT, default 8765].")
@click.option("--migrate/--no-migrate", default=None, help="Migrate the database first (always for the embedded one).")
def serve(host: str | None, port: int | None, migrate: bool | None) -> None:
    """Run the HTTP service (on an embedded PostgreSQL when ALMA_DATABASE_URL is unset)."""
    import uvicorn

    from app.asgi import create_app

    settings = Settings()
    overrides = {key: value for key, value in {"host": host, "port": port}.items() if value is not None}
    settings = settings.model_copy(update=overrides)
    url = _database_url(settings, migrate)
    app = create_app(settings.model_copy(update={"database_url": url}))
    click.echo(f"ALMA listening on http://{settings.host}:{settings.port} (API docs at /docs)", err=True)
    uvicorn.run(app, host=settings.host, port=settings.port, log_level=settings.log_level.lower())


@main.command()
@click.option("--revision", default="head", show_default=True, help="Schema revision to reach.")
def migrate(revision: str) -> None:
    """Bring the database schema up to date."""
    from app.database import migrate as run_migrations

    run_migrations(_database_url(Settings(), migrate=False), revision)
    click.echo(f"Database migrated to {revision}.")


@main.group()
def config() -> None:
    """Project configs (the ALMA YAML file)."""


@config.command("apply")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--project", "project_id", default=None, help="Project to apply to [default: the file's project_id].")
def config_apply(file: Path, project_id: str | None) -> None:
    """Apply FILE as the whole config of its project, and show what changed."""
    from app.config_file import parse_config_text
    from app.errors import AlmaError

    try:
        parsed = parse_config_text(file.read_bytes())
        target = project_id or parsed.project_id
        if not target:
            raise click.UsageError("The file names no project_id; pass --project NAME.")
        result = asyncio.run(_apply(Settings(), target, parsed))
    except AlmaError as error:
        raise click.ClickException(error.detail) from error
    click.echo(_describe(result))


async def _apply(settings: Settings, project_id: str, parsed):
    from app.database import open_pool
    from app.embeddings import create_embedder
    from app.queries import queries
    from app.repository import MemoryRepository
    from app.service import MemoryService

    url = await asyncio.to_thread(_database_url, settings)
    pool = await open_pool(url, 1, 2)
    try:
        service = MemoryService(MemoryRepository(pool, queries), create_embedder(settings))
        return await service.apply_config(project_id, parsed)
    finally:
        await pool.close()


def _describe(result) -> str:
    lines = [f"Project {result.project_id}" + (" (created)" if result.project_created else "")]
    for label in ("created", "updated", "removed", "unchanged"):
        names = getattr(result, label)
        if names:
            lines.append(f"  {label}: {', '.join(names)}")
    for grant in result.grants_added:
        lines.append(f"  + {grant.reader} reads {grant.source}")
    for grant in result.grants_revoked:
        lines.append(f"  - {grant.reader} no longer reads {grant.source}")
    lines += [f"  warning: {text}" for text in result.warnings]
    lines += [f"  note: {text}" for text in result.notes]
    return "\n".join(lines)


@main.command("openapi")
def openapi() -> None:
    """Print the OpenAPI document of the HTTP API."""
    from app.asgi import create_app

    click.echo(json.dumps(create_app(Settings()).openapi_schema.to_schema(), indent=2))
