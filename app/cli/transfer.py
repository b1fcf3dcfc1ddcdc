"""`alma import` and `alma export`: move memories in and out of a project, through the database directly.

Not here: reading the sources (app.transfer.sources), the batching (app.transfer.importer), SQL (app.repositories).
"""

from __future__ import annotations

import asyncio
import json
import sys
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TextIO

import click

from app.cli.context import opened, service_for
from app.cli.remote import Service
from app.settings import Settings


@click.command("import")
@click.argument("source", type=click.Path(dir_okay=False, allow_dash=True, path_type=Path))
@click.option("--project", "project_id", required=True, help="The project to import into; apply its config first.")
@click.option(
    "--format",
    "source_format",
    type=click.Choice(["auto", "sqlite", "jsonl"]),
    default="auto",
    show_default=True,
    help="auto: an SQLite file is an alma-memory database, anything else JSON Lines.",
)
@click.option(
    "--from-project",
    default=None,
    help="Only this project of the source (needed when an alma-memory database holds several).",
)
@click.option(
    "--on-error",
    type=click.Choice(["abort", "skip"]),
    default="abort",
    show_default=True,
    help="At a row that cannot be imported: stop before writing its batch, or report it and go on.",
)
@click.option(
    "--batch-size", type=click.IntRange(1, 100_000), default=1000, show_default=True, help="Rows per transaction."
)
@click.option("--create-agents", is_flag=True, help="Add agents the project lacks: no scope limits, no sharing.")
@click.option("--preference-agent", default=None, help="The agent to record alma-memory's preferences under.")
@click.option("--re-embed", is_flag=True, help="Embed every text again, even where the source's vectors fit.")
@click.option("--dry-run", is_flag=True, help="Check and count everything, write nothing.")
def import_command(
    source: Path,
    project_id: str,
    source_format: str,
    from_project: str | None,
    on_error: str,
    batch_size: int,
    create_agents: bool,
    preference_agent: str | None,
    re_embed: bool,
    dry_run: bool,
) -> None:
    """Import memories from an alma-memory SQLite database or a JSON Lines file (`-`: standard input).

    Importing again writes nothing twice: every memory keeps the key of the record it came from.
    """
    import asyncpg

    from app.database import DatabaseUnavailable
    from app.errors import AlmaError
    from app.transfer.importer import ImportOptions
    from app.transfer.sources import SourceError, sniff_format

    if str(source) != "-" and not source.is_file():
        raise click.BadParameter(f"{source} is not a file.", param_hint="SOURCE")
    if source_format == "auto":
        source_format = "jsonl" if str(source) == "-" else sniff_format(source)
    options = ImportOptions(
        project_id=project_id,
        on_error="skip" if on_error == "skip" else "abort",
        batch_size=batch_size,
        create_agents=create_agents,
        re_embed=re_embed,
        dry_run=dry_run,
    )
    try:
        rows, total = _open_source(source, source_format, from_project, preference_agent, on_error)
        settings = Settings()
        if (service := service_for(settings)) is not None:
            report = _import_through(service, options, rows, total)
        else:
            report = asyncio.run(_import(settings, options, rows, total))
    except (AlmaError, SourceError, DatabaseUnavailable) as error:
        raise click.ClickException(getattr(error, "detail", str(error))) from error
    except asyncpg.PostgresError as error:
        raise click.ClickException(
            f"The database refused a batch ({error}); that batch was rolled back, the batches before it are "
            "written. Running the same command again skips what is already imported."
        ) from error
    click.echo(_summary(project_id, report, options))
    if report.stopped is not None:
        raise click.ClickException(
            f"{report.stopped}. Stopped there, before writing that row's batch"
            + (
                f"; {report.batches} earlier batch(es) were written ({report.imported} memories imported)"
                if report.batches and not dry_run
                else "; nothing was written"
            )
            + ". Fix or remove the row and run the same command again: what is already imported is skipped."
        )


def _open_source(
    source: Path, source_format: str, from_project: str | None, preference_agent: str | None, on_error: str
):
    """The rows to import and how many there are, after the checks that need no database."""
    from app.transfer.sources import AlmaMemoryDatabase, count_lines, read_jsonl

    if source_format == "jsonl":
        if str(source) == "-":
            lines = sys.stdin.buffer.read().splitlines()
            return read_jsonl(lines, from_project), count_lines(lines)
        with source.open("rb") as file:
            total = count_lines(file)

        def lines_of_file():
            with source.open("rb") as file:
                yield from file

        return read_jsonl(lines_of_file(), from_project), total
    if str(source) == "-":
        raise click.UsageError("An alma-memory database is read from a file, not from standard input.")
    database = AlmaMemoryDatabase(source)
    projects = database.projects()
    if from_project is None:
        if len(projects) > 1:
            raise click.UsageError(
                f"{source} holds memories of {len(projects)} projects: {', '.join(projects)}. "
                "Choose one with --from-project."
            )
        from_project = projects[0] if projects else ""
    elif from_project not in projects:
        raise click.UsageError(
            f"{source} holds no memories of project {from_project}; it holds {', '.join(projects) or 'none'}."
        )
    counts = database.count(from_project)
    if counts.get("preferences") and preference_agent is None and on_error == "abort":
        raise click.UsageError(
            f"{source} holds {counts['preferences']} preferences, which alma-memory keeps without an agent. "
            "Pass --preference-agent NAME to record them under an agent of the project, "
            "or --on-error skip to leave them out."
        )
    return database.rows(from_project, preference_agent), sum(counts.values())


async def _import(settings: Settings, options, rows, total: int):
    from app.embeddings import create_embedder
    from app.transfer.importer import Importer

    async with opened(settings) as context:
        recorded = await context.deployment.deployment()
        embedder = await asyncio.to_thread(create_embedder, settings, recorded["embedder"] if recorded else None)
        label = ("Checking" if options.dry_run else "Importing") + f" into {options.project_id}"
        separator = "\n" if sys.stderr.isatty() else ""  # off the progress bar's line
        with click.progressbar(length=total, label=label, file=sys.stderr, show_pos=True) as bar:
            importer = Importer(
                context.transfer,
                context.deployment,
                embedder,
                options,
                on_row=lambda: bar.update(1),
                on_skip=lambda error: click.echo(f"{separator}{error} (skipped)", err=True),
            )
            report = await importer.run(rows)
            if report.stopped is None:
                bar.update(max(total - bar.pos, 0))
        return report


def _import_through(service: Service, options, rows, total: int):
    """The import through the service: the rows as JSON Lines (alma-memory's records converted here), one
    request; the service checks, embeds and writes them as the database import does, and answers its report."""
    from app.transfer.importer import ImportReport, RowError

    lines = []
    with click.progressbar(rows, length=total, label="Reading", file=sys.stderr, show_pos=True) as bar:
        for row in bar:
            if row.text is not None:
                lines.append(row.text)
            elif row.values is not None:
                record = {"kind": row.kind, "import_key": row.key, **row.values}
                if row.vector is not None:
                    record["embedding"] = row.vector
                lines.append(json.dumps(record, default=str))
            else:  # a row the source could not read: the service reports it as the same error
                lines.append(json.dumps({"kind": None, "unreadable": str(row.error)}))
    params = {
        "on_error": options.on_error,
        "batch_size": options.batch_size,
        "create_agents": options.create_agents,
        "re_embed": options.re_embed,
        "dry_run": options.dry_run,
    }
    click.echo(f"Sending {len(lines)} records to {service.url} ...", err=True)
    answer = service.call(
        "POST",
        f"/v1/projects/{options.project_id}/import",
        content="\n".join(lines).encode(),
        params={key: str(value).lower() for key, value in params.items()},
        headers={"content-type": "application/x-ndjson"},
    ).json()
    for skipped in answer["skipped_rows"]:
        click.echo(f"{skipped} (skipped)", err=True)
    stopped = answer["stopped"]
    return ImportReport(
        read=answer["read"],
        imported=answer["imported"],
        already_present=answer["already_present"],
        skipped=Counter(answer["skipped"]),
        batches=answer["batches"],
        vectors_kept=answer["vectors_kept"],
        vectors_computed=answer["vectors_computed"],
        other_sizes=set(answer["other_sizes"]),
        agents_created=answer["agents_created"],
        stopped=None if stopped is None else RowError(stopped["where"], stopped["reason"], stopped["detail"]),
    )


def _summary(project_id: str, report, options) -> str:
    """One line: read / imported / already present / skipped (with reasons), then batches and vectors."""
    imported = "would import" if options.dry_run else "imported"
    reasons = ", ".join(f"{reason}: {count}" for reason, count in sorted(report.skipped.items()))
    skipped = sum(report.skipped.values())
    line = (
        f"{'Dry run into' if options.dry_run else 'Import into'} {project_id}: read {report.read}, "
        f"{imported} {report.imported}, already present {report.already_present}, skipped {skipped}"
        + (f" ({reasons})" if reasons else "")
        + f"; {report.batches} batch(es) of up to {options.batch_size}"
        + f"; vectors kept {report.vectors_kept}, computed {report.vectors_computed}"
    )
    if report.other_sizes:
        sizes = ", ".join(str(size) for size in sorted(report.other_sizes))
        line += f" (the source's vectors of {sizes} dimensions were replaced)"
    if report.agents_created:
        line += f"; agents {'to create' if options.dry_run else 'created'}: {', '.join(report.agents_created)}"
    if report.stopped is not None:
        line += f"; stopped at {report.stopped.where}"
    return line + "."


@click.command("export")
@click.option("--project", "project_id", required=True, help="The project whose memories to export.")
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, allow_dash=True, path_type=Path),
    default="-",
    show_default=True,
    help="The JSON Lines file to write; `-` is standard output.",
)
@click.option("--with-vectors", is_flag=True, help="Include each memory's vectors (larger; saves embedding on import).")
def export_command(project_id: str, output: Path, with_vectors: bool) -> None:
    """Export a project's memories as JSON Lines, one memory a line, as `alma import` reads them back."""
    from app.database import DatabaseUnavailable
    from app.errors import AlmaError

    try:
        settings = Settings()
        if (service := service_for(settings)) is not None:
            count = _export_through(service, project_id, output, with_vectors)
        else:
            count = asyncio.run(_export(settings, project_id, output, with_vectors))
    except (AlmaError, DatabaseUnavailable) as error:
        raise click.ClickException(getattr(error, "detail", str(error))) from error
    click.echo(
        f"Exported {count} memories of {project_id} to {'standard output' if str(output) == '-' else output}.", err=True
    )


async def _export(settings: Settings, project_id: str, output: Path, with_vectors: bool) -> int:
    async with opened(settings) as context:
        store = context.transfer
        await store.ensure_project(project_id)  # before any file is touched
        total = await store.count(project_id)
        with _output(output) as file:
            written = 0
            label = f"Exporting {project_id}"
            with click.progressbar(length=total, label=label, file=sys.stderr, show_pos=True) as bar:
                async for record in store.export(project_id, with_vectors):
                    file.write(json.dumps(record, ensure_ascii=False) + "\n")
                    written += 1
                    bar.update(1)
        return written


def _export_through(service: Service, project_id: str, output: Path, with_vectors: bool) -> int:
    """The export streamed from the service, line by line, with the same progress bar."""
    params = {"with_vectors": "true" if with_vectors else "false"}
    with service.http.stream("GET", f"/v1/projects/{project_id}/export.jsonl", params=params) as response:
        if response.status_code >= 400:
            response.read()
            service.call("GET", f"/v1/projects/{project_id}/export.jsonl", params=params)  # raises its problem
        total = int(response.headers.get("x-memory-count", "0"))
        written = 0
        with _output(output) as file:
            with click.progressbar(
                length=total, label=f"Exporting {project_id}", file=sys.stderr, show_pos=True
            ) as bar:
                for line in response.iter_lines():
                    if line:
                        file.write(line + "\n")
                        written += 1
                        bar.update(1)
    return written


@contextmanager
def _output(output: Path) -> Iterator[TextIO]:
    """Standard output, or a temporary file beside `output` that replaces it once the export is complete."""
    if str(output) == "-":
        yield sys.stdout
        return
    partial = output.with_name(f".{output.name}.partial")
    try:
        with partial.open("w", encoding="utf-8") as file:
            yield file
        partial.replace(output)
    finally:
        partial.unlink(missing_ok=True)
