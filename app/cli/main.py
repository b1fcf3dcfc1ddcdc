"""The `alma` command: serve, migrate, re-embed, apply a config file, manage keys; its groups for sharing and
transfer live beside it (app.cli.sharing, app.cli.transfer), what they share in app.cli.context."""

from __future__ import annotations

import asyncio
import json
import os
from pathlib import Path

import click

from app.cli.agents import agents_command, forget_command, stats_command
from app.cli.context import database_url, opened, run, service_for
from app.cli.remote import record_service, running_service
from app.cli.sharing import sharing
from app.cli.transfer import export_command, import_command
from app.models import ProjectConfig
from app.settings import Settings

GRACEFUL_SECONDS = 25  # in-flight requests may finish this long after SIGTERM (compose waits 30 s)


@click.group()
@click.version_option(package_name="alma-service")
@click.option(
    "--url", default=None, help="The service to act on [ALMA_URL; default: the one running for ALMA_DATA_DIR]."
)
@click.option("--api-key", default=None, help="The key to send it [ALMA_API_KEY].")
def main(url: str | None, api_key: str | None) -> None:
    """ALMA: shared, permissioned memory for teams of AI agents.

    Commands that have an HTTP equivalent act through the running service (--url, or the one `alma serve`
    runs for this data directory); without one they open the database (ALMA_DATABASE_URL, or the embedded
    one in ALMA_DATA_DIR, which only `alma serve` and `alma migrate` create)."""
    for name, value in (("ALMA_URL", url), ("ALMA_API_KEY", api_key)):
        if value is not None:
            os.environ[name] = value  # every Settings() of this command, and the workers of `serve`, see it


@main.command()
@click.option("--host", default=None, help="Interface to listen on [ALMA_HOST, default 127.0.0.1].")
@click.option("--port", type=int, default=None, help="Port [ALMA_PORT, default 8765].")
@click.option("--migrate/--no-migrate", default=None, help="Migrate the database first (always for the embedded one).")
@click.option("--require-auth", is_flag=True, default=None, help="Require API keys even on the embedded dev setup.")
@click.option("--workers", type=click.IntRange(1, 64), default=None, help="Processes [ALMA_WORKERS, default 1].")
def serve(
    host: str | None, port: int | None, migrate: bool | None, require_auth: bool | None, workers: int | None
) -> None:
    """Run the HTTP service (on an embedded PostgreSQL when ALMA_DATABASE_URL is unset)."""
    settings = Settings()
    chosen: dict[str, object] = {"host": host, "port": port, "require_auth": require_auth, "workers": workers}
    overrides = {key: value for key, value in chosen.items() if value is not None}
    settings = settings.model_copy(update=overrides)
    _require_free_port(settings)
    url = database_url(settings, migrate)  # the app joins the same embedded server in its lifespan
    if (problem := asyncio.run(_embedder_problem(settings, url))) is not None:
        raise click.ClickException(problem)
    recorded = record_service(settings) if settings.embedded else None
    click.echo(f"ALMA listening on http://{settings.host}:{settings.port} (API docs at /docs)", err=True)
    try:
        _run(settings, overrides)
    finally:
        if recorded is not None:
            recorded.unlink(missing_ok=True)


def _require_free_port(settings: Settings) -> None:
    """Fail before anything is started or said when another process listens on the port."""
    import socket

    with socket.socket(socket.AF_INET6 if ":" in settings.host else socket.AF_INET) as probe:
        try:
            probe.bind((settings.host, settings.port))
        except OSError as error:
            raise click.ClickException(
                f"Cannot listen on {settings.host}:{settings.port} ({error.strerror}): another `alma serve` or "
                "program uses it. Stop it, or choose another port with --port (ALMA_PORT)."
            ) from error


def _run(settings: Settings, overrides: dict[str, object]) -> None:
    import uvicorn

    from app.asgi import create_app

    # log_config=None: the app's JSON logging handles uvicorn's records too
    if settings.workers == 1:
        uvicorn.run(
            create_app(settings),
            host=settings.host,
            port=settings.port,
            timeout_graceful_shutdown=GRACEFUL_SECONDS,
            log_config=None,
        )
        return
    # each worker process builds its own app from the environment: hand the command line's choices down
    os.environ.update({f"ALMA_{key.upper()}": str(value) for key, value in overrides.items()})
    uvicorn.run(
        "app.asgi:create_app",
        factory=True,
        workers=settings.workers,
        host=settings.host,
        port=settings.port,
        timeout_graceful_shutdown=GRACEFUL_SECONDS,
        log_config=None,
    )


async def _embedder_problem(settings: Settings, url: str) -> str | None:
    """Why the configured embedder cannot serve this database (checked before a model is loaded), or None."""
    import asyncpg

    from app.database import open_pool
    from app.embeddings import configured_identity
    from app.queries import queries
    from app.repositories.deployment import DeploymentRepository, deployment_mismatch

    pool = await open_pool(url, 1, 1)
    try:
        recorded = await DeploymentRepository(pool, queries).deployment()
    except asyncpg.UndefinedTableError:
        return None  # not migrated: the service says so itself
    finally:
        await pool.close()
    return deployment_mismatch(recorded, configured_identity(settings, recorded["embedder"] if recorded else None))


@main.command()
@click.option("--revision", default="head", show_default=True, help="Schema revision to reach.")
def migrate(revision: str) -> None:
    """Bring the database schema up to date."""
    from app.database import migrate as run_migrations

    run_migrations(database_url(Settings(), migrate=False), revision)
    click.echo(f"Database migrated to {revision}.")


@main.command()
@click.option(
    "--batch-size",
    type=click.IntRange(1, 10_000),
    default=256,
    show_default=True,
    help="Memories embedded and stored per transaction.",
)
def reembed(batch_size: int) -> None:
    """Move the database to the configured embedder: embed every memory again.

    Stop the service first. The move is resumable: run the command again after an interruption. Configure the
    new embedder as the service would be (ALMA_EMBEDDER, ALMA_EMBEDDING_MODEL, ALMA_EMBEDDING_DIM)."""
    from app.errors import AlmaError

    try:
        asyncio.run(_reembed(Settings(), batch_size))
    except AlmaError as error:
        raise click.ClickException(error.detail) from error


async def _reembed(settings: Settings, batch_size: int) -> None:
    import sys

    from app.embeddings import create_embedder
    from app.services.reembed import Reembedding

    embedder = await asyncio.to_thread(create_embedder, settings, None, False)
    async with opened(settings) as context:
        reembedding = Reembedding(context.deployment, embedder, batch_size)
        plan = await reembedding.plan()
        verb = "Resuming the move" if plan.resumed else "Moving"
        click.echo(f"{verb} from {plan.source} to {plan.target}: {plan.remaining} memories to embed.", err=True)
        with click.progressbar(length=plan.remaining, label="Re-embedding", file=sys.stderr, show_pos=True) as bar:
            moved = await reembedding.run(
                plan,
                on_batch=bar.update,
                on_indexing=lambda: click.echo(
                    "\nBuilding the nearest-neighbour indexes (one step; large databases take minutes) ...", err=True
                ),
            )
    click.echo(f"Re-embedded {moved} memories; the database now uses {plan.target}.")


@main.group()
def config() -> None:
    """Project configs (the ALMA YAML file)."""


@config.command("apply")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--project", "project_id", default=None, help="Project to apply to [default: the file's project_id].")
@click.option("--allow-remove-all", is_flag=True, help="Apply a file whose `agents:` is empty: remove every agent.")
def config_apply(file: Path, project_id: str | None, allow_remove_all: bool) -> None:
    """Apply FILE as the whole config of its project, and show what changed."""
    from app.config_file import parse_config_text
    from app.errors import AlmaError

    try:
        text = file.read_bytes()
        parsed = parse_config_text(text, str(file))
        target = project_id or parsed.project_id
        if not target:
            raise click.UsageError("The file names no project_id; pass --project NAME.")
        if parsed.project_id and parsed.project_id != target:  # --project chose another: the choice wins
            click.echo(f"note: applying to {target}; the file names project {parsed.project_id}.", err=True)
            parsed = parsed.model_copy(update={"project_id": None})
            text = _as_json(parsed)
        settings = Settings()
        if (service := service_for(settings)) is not None:
            result = service.apply_config(target, text, allow_remove_all)
        else:
            result = asyncio.run(_apply(settings, target, parsed, allow_remove_all))
    except AlmaError as error:
        raise click.ClickException(error.detail) from error
    click.echo(_describe(result))


def _as_json(parsed: ProjectConfig) -> bytes:
    """The config's agents (and storage note) as JSON, without the project it named."""
    document: dict[str, object] = {"agents": {name: agent.model_dump() for name, agent in parsed.agents.items()}}
    if parsed.storage is not None:
        document["storage"] = parsed.storage
    return json.dumps(document).encode()


async def _apply(settings: Settings, project_id: str, parsed, allow_remove_all: bool):
    async with opened(settings) as context:  # applying a config embeds nothing: no model is loaded for it
        return await context.projects.apply_config(project_id, parsed, allow_remove_all)


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
    if result.keys_revoked:
        lines.append(f"  keys revoked: {', '.join(result.keys_revoked)}")
    lines += [f"  warning: {text}" for text in result.warnings]
    lines += [f"  note: {text}" for text in result.notes]
    return "\n".join(lines)


@main.group()
def keys() -> None:
    """API keys of a project: through the service with an admin key (the operator's to create a project), or,
    without a service, in the database directly, as the operator."""


@keys.command("create")
@click.option("--project", "project_id", required=True, help="The project; created with its first admin key if new.")
@click.option("--role", type=click.Choice(["admin", "agent"]), default="admin", show_default=True)
@click.option("--agent", default=None, help="The agent of an agent key.")
@click.option("--name", default=None, help="A note to recognise the key by.")
def keys_create(project_id: str, role: str, agent: str | None, name: str | None) -> None:
    """Create a key and print it: it is shown this once."""
    from app.errors import NotFound

    if (role == "agent") != (agent is not None):
        raise click.UsageError("An agent key needs --agent; an admin key takes none.")

    async def create(context):
        try:
            return await context.keys.create_key(project_id, role, agent, name)
        except NotFound:
            if role != "admin":
                raise
            return (await context.keys.create_project(project_id))["admin_key"]

    if (service := service_for(Settings())) is not None:
        if role == "admin" and not service.project_exists(project_id):
            key = service.create_project(project_id)["admin_key"]
        else:
            key = service.create_key(project_id, role, agent, name)
    else:
        key = run(create)
    who = f"agent {agent}" if agent else "admin"
    click.echo(f"Created {who} key {key['prefix']} for project {project_id}. Store it now; it is not shown again:")
    click.echo(key["key"])


@keys.command("list")
@click.option("--project", "project_id", required=True)
def keys_list(project_id: str) -> None:
    """The project's keys: prefix, role, agent, last use; never the secrets."""

    if (service := service_for(Settings())) is not None:
        from app.api.keys import ApiKey

        rows = [ApiKey.model_validate(row).model_dump() for row in service.list_keys(project_id)]
    else:
        rows = run(lambda context: context.keys.list_keys(project_id))
    for row in rows:
        state = f"revoked {row['revoked_at']:%Y-%m-%d %H:%M}" if row["revoked_at"] else "active"
        used = f"{row['last_used_at']:%Y-%m-%d %H:%M}" if row["last_used_at"] else "never"
        click.echo(
            f"{row['prefix']}  {row['role']:<5}  {row['agent'] or '-':<20}  used {used:<16}  {state}  {row['name'] or ''}"
        )
    if not rows:
        click.echo(f"Project {project_id} has no keys.")


@keys.command("revoke")
@click.option("--project", "project_id", required=True)
@click.argument("prefix")
def keys_revoke(project_id: str, prefix: str) -> None:
    """Revoke the key whose visible prefix is PREFIX."""
    if (service := service_for(Settings())) is not None:
        service.revoke_key(project_id, prefix)
    else:
        run(lambda context: context.keys.revoke_key(project_id, prefix))
    click.echo(f"Revoked {prefix}.")


@main.command("mcp")
def mcp_command() -> None:
    """Serve MCP on stdin/stdout, for an MCP host to launch.

    It acts through the running service (ALMA_URL, else the one `alma serve` runs for ALMA_DATA_DIR) with
    ALMA_API_KEY: the service runs the tools, as the key may."""
    from app.mcp.stdio import run as run_stdio

    settings = Settings()
    url = settings.url or running_service(settings)
    if url is None:
        raise click.ClickException(
            "No ALMA service to act through: set ALMA_URL to the running service (e.g. http://127.0.0.1:8765), or "
            "start `alma serve` in the folder that holds .alma/."
        )
    run_stdio(url, settings.api_key.get_secret_value() if settings.api_key else None)


@main.command("schema")
@click.option("--output", type=click.Path(dir_okay=False, path_type=Path), default=None, help="Write to FILE.")
def schema(output: Path | None) -> None:
    """Print today's database schema as SQL, as sql/schema/current.sql holds it."""
    from app.database import dump_schema

    text = dump_schema(database_url(Settings()))
    if output is None:
        click.echo(text, nl=False)
    else:
        output.write_text(text)
        click.echo(f"Wrote the schema to {output}.", err=True)


@main.command("openapi")
def openapi() -> None:
    """Print the OpenAPI document of the HTTP API."""
    from app.asgi import create_app

    click.echo(json.dumps(create_app(Settings()).openapi_schema.to_schema(), indent=2))


main.add_command(sharing)
main.add_command(agents_command)
main.add_command(stats_command)
main.add_command(forget_command)
main.add_command(import_command)
main.add_command(export_command)
