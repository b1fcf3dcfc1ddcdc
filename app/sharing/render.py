"""The sharing graph drawn as text (Mermaid, Graphviz DOT) and as SVG, by Graphviz's `dot` when installed.

Granted edges are solid; one-sided declarations dashed and labelled; names that are not agents get their
own node style. Agent names are restricted to `A-Z a-z 0-9 _ . -`, so they need no escaping beyond quotes.
Not here: which edges exist (app.sharing).
"""

from __future__ import annotations

import asyncio
import shutil
import subprocess

from app.errors import AlmaError, GraphTooLarge
from app.sharing.edges import SharingGraph

DOT_BINARY = "dot"
MAX_TEXT_EDGES = 20_000  # Mermaid and DOT are written for up to this many edges; JSON has any number
MAX_SVG_EDGES = 5_000  # Graphviz takes seconds beyond this, and the drawing is unreadable anyway
DOT_TIMEOUT_SECONDS = 10.0

AGENT_FILL, AGENT_LINE = "#e8f0fe", "#3367d6"
MISSING_FILL, ONE_SIDED = "#fdecea", "#c0392b"


class GraphvizMissing(AlmaError):
    status, slug, title = 501, "graphviz-missing", "SVG rendering is not available"


def mermaid(graph: SharingGraph) -> str:
    """A Mermaid flowchart; node ids are n0, n1, … so that any agent name is safe (even `end`)."""
    ids = {node.id: f"n{index}" for index, node in enumerate(graph.nodes)}
    lines = [
        "flowchart LR",
        f"    %% Sharing in project {graph.project_id}: arrows point the way memories flow.",
        "    %% Solid: granted (mutual). Dashed: declared on one side only, nothing flows.",
    ]
    for node in graph.nodes:
        if node.kind == "missing":
            lines.append(f'    {ids[node.id]}["{node.id} (not an agent)"]:::missing')
        else:
            lines.append(f'    {ids[node.id]}["{node.id}"]:::agent')
    one_sided = []
    for index, edge in enumerate(graph.edges):
        if edge.status == "granted":
            lines.append(f"    {ids[edge.source]} --> {ids[edge.reader]}")
        else:
            lines.append(f'    {ids[edge.source]} -.->|"{edge.label}"| {ids[edge.reader]}')
            one_sided.append(str(index))
    lines.append(f"    classDef agent fill:{AGENT_FILL},stroke:{AGENT_LINE},color:#1a1a1a")
    lines.append(f"    classDef missing fill:{MISSING_FILL},stroke:{ONE_SIDED},stroke-dasharray:5 3,color:#7f1d1d")
    if one_sided:
        lines.append(f"    linkStyle {','.join(one_sided)} stroke:{ONE_SIDED},color:{ONE_SIDED}")
    return "\n".join(lines) + "\n"


def dot(graph: SharingGraph) -> str:
    """A Graphviz digraph; each node and edge carries a `class` that SVG output keeps."""
    lines = [
        "digraph sharing {",
        f'    graph [rankdir=LR, label="Sharing in project {graph.project_id}", labelloc=t, fontname="Helvetica"];',
        f'    node [shape=box, style="rounded,filled", fillcolor="{AGENT_FILL}", color="{AGENT_LINE}", '
        'fontname="Helvetica", class="agent"];',
        f'    edge [color="{AGENT_LINE}", fontname="Helvetica", fontsize=10];',
    ]
    for node in graph.nodes:
        if node.kind == "missing":
            lines.append(
                f'    "{node.id}" [label="{node.id}\\n(not an agent)", style="rounded,dashed,filled", '
                f'fillcolor="{MISSING_FILL}", color="{ONE_SIDED}", class="missing"];'
            )
        else:
            lines.append(f'    "{node.id}";')
    for edge in graph.edges:
        if edge.status == "granted":
            lines.append(f'    "{edge.source}" -> "{edge.reader}" [class="granted"];')
        else:
            lines.append(
                f'    "{edge.source}" -> "{edge.reader}" [style=dashed, color="{ONE_SIDED}", '
                f'fontcolor="{ONE_SIDED}", label="{edge.label}", class="{edge.status}"];'
            )
    lines.append("}")
    return "\n".join(lines) + "\n"


async def svg(graph: SharingGraph) -> str:
    """The DOT text drawn by Graphviz, in a worker thread so that the event loop keeps serving."""
    binary = shutil.which(DOT_BINARY)
    if binary is None:
        raise GraphvizMissing(
            "Drawing the graph as SVG needs Graphviz's `dot` program on the machine that runs the service, "
            "and it is not installed. Install Graphviz (Debian/Ubuntu: `apt-get install graphviz`), or ask for "
            "format=dot or format=mermaid and draw it elsewhere."
        )
    try:
        done = await asyncio.to_thread(
            lambda: subprocess.run(
                [binary, "-Tsvg"],
                input=dot(graph),
                capture_output=True,
                text=True,
                timeout=DOT_TIMEOUT_SECONDS,
                check=False,
            )
        )
    except subprocess.TimeoutExpired as error:
        raise GraphTooLarge(
            f"Graphviz did not draw the graph within {DOT_TIMEOUT_SECONDS:g} s. Ask for format=dot and draw it "
            "with Graphviz yourself, or format=mermaid."
        ) from error
    if done.returncode != 0:
        raise RuntimeError(f"dot -Tsvg failed with exit code {done.returncode}: {done.stderr.strip()[:500]}")
    return done.stdout
