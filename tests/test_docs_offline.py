"""The API docs and the landing page need nothing but the service: rendered in headless Chromium with every
other host unreachable."""

import re
from pathlib import Path

import httpx
import pytest

from app.asgi import create_app
from tests.helpers import chromium, live_server, page_dom, settings_for


@pytest.fixture
def base(database_url: str):
    with live_server(create_app(settings_for(database_url))) as url:
        yield url


def test_docs_render_every_endpoint_with_the_network_blocked(base: str, tmp_path: Path):
    page = httpx.get(f"{base}/docs").text
    assert not re.search(r"""(src|href)=["']https?://(?!127\.0\.0\.1)""", page), "the page names another host"
    dom = page_dom(f"{base}/docs", tmp_path / "profile-dom")
    assert 'class="swagger-ui' in dom, "Swagger UI did not start"
    assert "ALMA memory service" in dom, "the OpenAPI document was not loaded"
    for path in (
        "/v1/projects/{project_id}/retrieve",
        "/v1/projects/{project_id}/learn",
        "/v1/projects/{project_id}/config",
    ):
        assert path in dom, path
    screenshot = tmp_path / "docs-offline.png"  # as docs/images/docs-offline.png shows it
    shot = chromium(f"{base}/docs", tmp_path / "profile-shot", f"--screenshot={screenshot}")
    assert shot.returncode == 0 and screenshot.stat().st_size > 10_000


def test_the_landing_page_links_the_docs_and_the_operations(base: str):
    page = httpx.get(f"{base}/")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    for link in ('href="/docs"', 'href="/health"', 'href="/ready"', "/sharing/graph.html", "/memories.html"):
        assert link in page.text, link
    assert httpx.get(f"{base}/docs/assets/swagger-ui-bundle.js").status_code == 200
