"""`alma sharing`: explain an agent's sharing and draw a project's sharing graph (through the service when one is
known, else from the database)."""

from __future__ import annotations

from pathlib import Path

import click

from app.cli.context import run, service_for
from app.settings import Settings


@click.group()
def sharing() -> None:
    """Why memories flow, or do not, between a project's agents."""


@sharing.command("explain")
@click.argument("project_id")
@click.argument("agent")
def sharing_explain(project_id: str, agent: str) -> None:
    """For AGENT of PROJECT_ID: each inherit_from source and share_with reader, and what to change."""
    if (service := service_for(Settings())) is not None:
        explanation = service.explain(project_id, agent)
    else:
        explanation = run(lambda context: context.projects.explain(project_id, agent))
    click.echo(describe(explanation))


@sharing.command("graph")
@click.argument("project_id")
@click.option(
    "--format",
    "graph_format",
    type=click.Choice(["mermaid", "dot", "svg", "json"]),
    default="mermaid",
    show_default=True,
    help="svg needs Graphviz's `dot` on this machine.",
)
@click.option("--output", type=click.Path(dir_okay=False, path_type=Path), default=None, help="Write to FILE.")
def sharing_graph(project_id: str, graph_format: str, output: Path | None) -> None:
    """Draw the sharing graph of PROJECT_ID: solid edges flow, dashed ones are declared on one side only."""
    from app.sharing import render

    async def draw(context) -> str:
        projects = context.projects
        if graph_format == "json":
            return b"".join(await projects.graph_json(project_id)).decode() + "\n"
        if graph_format == "svg":
            return await render.svg(await projects.graph(project_id, render.MAX_SVG_EDGES))
        return getattr(render, graph_format)(await projects.graph(project_id, render.MAX_TEXT_EDGES))

    if (service := service_for(Settings())) is not None:
        text = service.graph(project_id, graph_format)
    else:
        text = run(draw)
    if output is None:
        click.echo(text, nl=False)
    else:
        output.write_text(text)
        click.echo(f"Wrote the {graph_format} sharing graph of {project_id} to {output}.", err=True)


def describe(explanation) -> str:
    """The explanation as aligned text: a table per direction, advice under each edge that moves nothing."""
    from app.sharing.explain import SHARED_KINDS

    own = ", ".join(f"{kind} {count}" for kind, count in explanation.own_memories.items())
    lines = [f"{explanation.agent} in project {explanation.project_id}", f"  own memories: {own}", ""]

    rows = [["INHERITS FROM", "STATUS", *(kind.upper() for kind in SHARED_KINDS)]]
    advice = {}
    for index, edge in enumerate(explanation.inherit_from, start=1):
        counts = [str(edge.memories[kind]) if edge.memories is not None else "-" for kind in SHARED_KINDS]
        rows.append([edge.source, edge.status, *counts])
        advice[index] = edge.advice
    lines += _table(rows, advice, numeric_from=2) if len(rows) > 1 else ["  inherits from: nobody"]
    lines.append("")

    rows, advice = [["SHARES WITH", "STATUS"]], {}
    for index, edge in enumerate(explanation.share_with, start=1):
        rows.append([edge.reader, edge.status])
        advice[index] = edge.advice
    lines += _table(rows, advice, numeric_from=2) if len(rows) > 1 else ["  shares with: nobody"]

    if explanation.notes:
        lines.append("")
        lines += [f"  note: {note}" for note in explanation.notes]
    return "\n".join(lines)


def _table(rows: list[list[str]], advice: dict[int, str | None], numeric_from: int) -> list[str]:
    widths = [max(len(row[column]) for row in rows) for column in range(len(rows[0]))]
    lines = []
    for index, row in enumerate(rows):
        cells = [
            cell.rjust(width) if column >= numeric_from else cell.ljust(width)
            for column, (cell, width) in enumerate(zip(row, widths, strict=True))
        ]
        lines.append("  " + "  ".join(cells).rstrip())
        if advice.get(index):
            lines.append(f"    -> {advice[index]}")
    return lines
