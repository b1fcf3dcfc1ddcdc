"""The sharing graph: as JSON, Mermaid, DOT and SVG over HTTP and from `alma sharing graph`, and the page
that draws it, loaded in headless Chromium from a live service."""

import sys
import xml.etree.ElementTree as ElementTree
from collections import defaultdict
from pathlib import Path

import httpx
import pytest

from app.asgi import create_app
from app.sharing import render as sharing_render
from tests.helpers import (
    EXAMPLE_CONFIG,
    Api,
    assert_another_projects_key_gets_the_same_404,
    bearer,
    chromium,
    guide_example,
    live_server,
    need,
    page_dom,
    run_alma,
    seed_project,
    settings_for,
)
from tests.helpers import ONE_SIDED as SMALL

SMALL_MERMAID = """\
flowchart LR
    %% Sharing in project my-team: arrows point the way memories flow.
    %% Solid: granted (mutual). Dashed: declared on one side only, nothing flows.
    n0["alice"]:::agent
    n1["bob"]:::agent
    n2["charlie"]:::agent
    n3["dave"]:::agent
    n4["zed (not an agent)"]:::missing
    n0 --> n1
    n0 -.->|"not shared back"| n2
    n0 -.->|"not inherited"| n3
    n4 -.->|"not an agent"| n2
    classDef agent fill:#e8f0fe,stroke:#3367d6,color:#1a1a1a
    classDef missing fill:#fdecea,stroke:#c0392b,stroke-dasharray:5 3,color:#7f1d1d
    linkStyle 1,2,3 stroke:#c0392b,color:#c0392b
"""

SMALL_DOT = """\
digraph sharing {
    graph [rankdir=LR, label="Sharing in project my-team", labelloc=t, fontname="Helvetica"];
    node [shape=box, style="rounded,filled", fillcolor="#e8f0fe", color="#3367d6", fontname="Helvetica", class="agent"];
    edge [color="#3367d6", fontname="Helvetica", fontsize=10];
    "alice";
    "bob";
    "charlie";
    "dave";
    "zed" [label="zed\\n(not an agent)", style="rounded,dashed,filled", fillcolor="#fdecea", color="#c0392b", class="missing"];
    "alice" -> "bob" [class="granted"];
    "alice" -> "charlie" [style=dashed, color="#c0392b", fontcolor="#c0392b", label="not shared back", class="not_shared"];
    "alice" -> "dave" [style=dashed, color="#c0392b", fontcolor="#c0392b", label="not inherited", class="not_inherited"];
    "zed" -> "charlie" [style=dashed, color="#c0392b", fontcolor="#c0392b", label="not an agent", class="not_an_agent"];
}
"""

ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
SVG_NS = "{http://www.w3.org/2000/svg}"


async def graph(api: Api, graph_format: str | None = None, **request) -> httpx.Response:
    params = {"format": graph_format} if graph_format else {}
    return await api.client.get(f"/v1/projects/{api.project}/sharing/graph", params=params, **request)


async def test_json_lists_agents_missing_names_and_every_declared_edge(api: Api):
    await api.apply(SMALL)
    response = await graph(api)
    assert response.status_code == 200
    assert response.json() == {
        "project_id": "my-team",
        "nodes": [
            {"id": "alice", "kind": "agent"},
            {"id": "bob", "kind": "agent"},
            {"id": "charlie", "kind": "agent"},
            {"id": "dave", "kind": "agent"},
            {"id": "zed", "kind": "missing"},
        ],
        "edges": [
            {"source": "alice", "reader": "bob", "status": "granted", "label": None},
            {"source": "alice", "reader": "charlie", "status": "not_shared", "label": "not shared back"},
            {"source": "alice", "reader": "dave", "status": "not_inherited", "label": "not inherited"},
            {"source": "zed", "reader": "charlie", "status": "not_an_agent", "label": "not an agent"},
        ],
    }


async def test_the_guides_example_has_four_granted_edges_and_devops_engineer_missing(api: Api):
    await api.apply(EXAMPLE_CONFIG.read_text())
    drawn = (await graph(api, "json")).json()
    assert [(edge["source"], edge["reader"], edge["status"]) for edge in drawn["edges"]] == [
        ("senior_developer", "junior_developer", "granted"),
        ("tech_lead", "devops_engineer", "not_an_agent"),
        ("tech_lead", "junior_developer", "granted"),
        ("tech_lead", "qa_engineer", "granted"),
        ("tech_lead", "senior_developer", "granted"),
    ]
    assert {"id": "devops_engineer", "kind": "missing"} in drawn["nodes"]


async def small_drawn(api: Api, graph_format: str, content_type: str) -> str:
    """The small example's graph in a text format: a 200 of that content type; its text."""
    await api.apply(SMALL)
    response = await graph(api, graph_format)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith(content_type)
    return response.text


async def test_mermaid_draws_granted_edges_solid_and_one_sided_ones_dashed(api: Api):
    assert await small_drawn(api, "mermaid", "text/plain") == SMALL_MERMAID


async def test_dot_draws_granted_edges_solid_and_one_sided_ones_dashed(api: Api):
    assert await small_drawn(api, "dot", "text/vnd.graphviz") == SMALL_DOT


async def test_svg_is_drawn_by_graphviz_with_a_node_per_name_and_dashed_one_sided_edges(api: Api):
    need("dot", "graphviz")
    await api.apply(SMALL)
    response = await graph(api, "svg")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("image/svg+xml")
    assert "default-src 'none'" in response.headers["content-security-policy"]
    root = ElementTree.fromstring(response.content)
    groups = defaultdict(list)
    for group in root.iter(f"{SVG_NS}g"):
        groups[group.get("class")].append(group)
    titles = {kind: sorted(g.find(f"{SVG_NS}title").text for g in members) for kind, members in groups.items()}
    assert titles["node agent"] == ["alice", "bob", "charlie", "dave"]
    assert titles["node missing"] == ["zed"]
    assert titles["edge granted"] == ["alice->bob"]
    assert titles["edge not_shared"] == ["alice->charlie"]
    for kind in ("edge not_shared", "edge not_inherited", "edge not_an_agent"):
        assert groups[kind][0].find(f"{SVG_NS}path").get("stroke-dasharray"), kind
    assert groups["edge granted"][0].find(f"{SVG_NS}path").get("stroke-dasharray") is None


async def test_svg_without_graphviz_is_a_501_that_says_to_install_it(api: Api, monkeypatch):
    monkeypatch.setattr(sharing_render, "DOT_BINARY", "no-such-graphviz-dot")
    await api.apply(SMALL)
    response = await graph(api, "svg")
    assert response.status_code == 501
    problem = response.json()
    assert problem["type"] == "urn:alma:problem:graphviz-missing"
    assert "Install Graphviz" in problem["detail"]
    assert "format=dot" in problem["detail"]


async def test_an_unknown_format_is_refused(api: Api):
    await api.apply(SMALL)
    response = await graph(api, "png")
    assert 400 <= response.status_code < 500
    assert response.headers["content-type"].startswith("application/problem+json")


async def test_any_key_of_the_project_reads_the_graph_and_other_projects_keys_get_404(api: Api):
    await api.apply(SMALL)
    await Api(api.client, "other-team").apply(SMALL)
    created = await api.client.post("/v1/projects/my-team/keys", json={"role": "agent", "agent": "charlie"})
    charlie = bearer(created.json()["key"])

    assert (await graph(api, "json", headers=charlie)).status_code == 200
    await assert_another_projects_key_gets_the_same_404(api, "/sharing/graph")
    assert (await graph(api, "json", headers=bearer("alma_000000000000_nope"))).status_code == 401


async def test_the_page_is_static_needs_no_key_and_allows_only_its_own_script(api: Api):
    await api.apply(SMALL)
    response = await api.client.get("/v1/projects/my-team/sharing/graph.html", headers={"Authorization": ""})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    policy = response.headers["content-security-policy"]
    assert "default-src 'none'" in policy and "script-src 'sha256-" in policy and "connect-src 'self'" in policy
    assert response.headers["referrer-policy"] == "no-referrer"
    assert "alice" not in response.text  # no data in the page itself


def test_alma_sharing_graph_writes_each_format(database_url: str, tmp_path: Path):
    config = tmp_path / "config.yaml"
    config.write_text(SMALL)
    applied = run_alma("config", "apply", str(config), "--project", "my-team", ALMA_DATABASE_URL=database_url)
    assert applied.returncode == 0, applied.stderr

    mermaid = run_alma("sharing", "graph", "my-team", ALMA_DATABASE_URL=database_url)
    assert mermaid.returncode == 0, mermaid.stderr
    assert mermaid.stdout == SMALL_MERMAID

    written = run_alma(
        "sharing",
        "graph",
        "my-team",
        "--format",
        "dot",
        "--output",
        str(tmp_path / "sharing.dot"),
        ALMA_DATABASE_URL=database_url,
    )
    assert written.returncode == 0, written.stderr
    assert (tmp_path / "sharing.dot").read_text() == SMALL_DOT
    assert "Wrote the dot sharing graph of my-team" in written.stderr

    need("dot", "graphviz")
    svg = run_alma("sharing", "graph", "my-team", "--format", "svg", ALMA_DATABASE_URL=database_url)
    assert svg.returncode == 0, svg.stderr
    assert "<title>alice&#45;&gt;bob</title>" in svg.stdout

    missing = run_alma("sharing", "graph", "no-such-team", ALMA_DATABASE_URL=database_url)
    assert missing.returncode == 1
    assert "Project 'no-such-team' does not exist" in missing.stderr


def test_alma_sharing_graph_svg_without_graphviz_says_to_install_it(database_url: str, tmp_path: Path):
    run_alma("config", "apply", str(EXAMPLE_CONFIG), ALMA_DATABASE_URL=database_url)
    without_dot = {"PATH": str(Path(sys.executable).parent)}
    result = run_alma("sharing", "graph", "my-team", "--format", "svg", ALMA_DATABASE_URL=database_url, **without_dot)
    assert result.returncode == 1
    assert "Install Graphviz" in result.stderr
    assert "Traceback" not in result.stderr


# --- the page in a real browser --------------------------------------------------------------------


@pytest.fixture
def live_team(database_url: str):
    """The service on a real port, keys required, with the guide's team plus a one-sided edge; yields
    (base url, an agent key of the project)."""
    with live_server(create_app(settings_for(database_url))) as base:
        yield base, _seed_team(base)


def _seed_team(base: str) -> str:
    """The guide's team plus a one-sided edge, through the API; returns an agent key of the project."""
    # The guide's team, and a security reviewer who inherits from the tech lead, who does not share with it.
    config = guide_example("nested") + "\n    security_reviewer:\n      inherit_from:\n        - tech_lead\n"
    return seed_project(base, config, agent="qa_engineer")[1]


def test_the_page_draws_the_graph_in_chromium(live_team, tmp_path: Path):
    base, key = live_team
    url = f"{base}/v1/projects/my-team/sharing/graph.html#key={key}"

    dom = page_dom(url, tmp_path / "profile-dom")
    assert '<svg id="graph"' in dom
    for agent in ("tech_lead", "senior_developer", "junior_developer", "qa_engineer", "security_reviewer"):
        assert f'class="node agent" data-name="{agent}"' in dom, agent
    assert 'class="node missing" data-name="devops_engineer"' in dom
    assert 'class="edge granted" data-source="tech_lead" data-reader="qa_engineer"' in dom
    assert 'class="edge not_shared dashed" data-source="tech_lead" data-reader="security_reviewer"' in dom
    assert 'class="edge not_an_agent dashed" data-source="tech_lead" data-reader="devops_engineer"' in dom
    assert "5 agents, 4 granted edges, 2 one-sided." in dom
    assert key not in dom  # read from the fragment, then dropped from the address

    ARTIFACTS.mkdir(exist_ok=True)
    screenshot = ARTIFACTS / "sharing-graph.png"
    screenshot.unlink(missing_ok=True)
    shot = chromium(url, tmp_path / "profile-shot", f"--screenshot={screenshot}")
    assert shot.returncode == 0, shot.stderr[-2000:]
    assert screenshot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert screenshot.stat().st_size > 20_000  # a drawn graph, not a blank page


def test_the_page_asks_for_a_key_when_the_service_requires_one(live_team, tmp_path: Path):
    base, _ = live_team
    dom = page_dom(f"{base}/v1/projects/my-team/sharing/graph.html", tmp_path / "profile")
    assert '<form id="key-form">' in dom  # no longer hidden
    assert "401 Unauthorized" in dom
    assert "data-name=" not in dom
