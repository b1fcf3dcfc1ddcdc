"""The memory browser page: static, offline, key from the URL fragment; it shows what the key's agent may read
(own and shared, with `shared_from` badges) and runs a real retrieve. Loaded in headless Chromium."""

from pathlib import Path

import httpx
import pytest

from app.asgi import create_app
from tests.helpers import EXAMPLE_CONFIG, bearer, chromium, live_server, page_dom, seed_project, settings_for

LEARNED = {
    "tech_lead": "Design the payments API",
    "senior_developer": "Refactor the payments client",
    "junior_developer": "Fix the payments form",
    "qa_engineer": "Test the payments form",  # junior_developer does not inherit from qa_engineer
}


@pytest.fixture
def team(database_url: str):
    """A live service with the guide's team, one memory per agent, and junior_developer's agent key."""
    with live_server(create_app(settings_for(database_url))) as base:
        admin_key, key = seed_project(base, EXAMPLE_CONFIG.read_text(), agent="junior_developer")
        for agent, task in LEARNED.items():
            body = {"agent": agent, "task": task, "outcome": "success", "strategy_used": f"{agent} way"}
            learned = httpx.post(f"{base}/v1/projects/my-team/learn", json=body, headers=bearer(admin_key))
            assert learned.status_code == 201
        yield base, key


def test_the_page_shows_what_the_keys_agent_may_read_with_badges(team, tmp_path: Path):
    base, key = team
    url = f"{base}/v1/projects/my-team/memories.html#key={key}&agent=junior_developer"
    dom = page_dom(url, tmp_path / "profile")
    assert 'data-agent="junior_developer"' in dom, dom[-3000:]
    assert '<span class="badge">own · junior_developer</span>Succeeded: Fix the payments form' in dom
    assert '<span class="badge shared">shared from tech_lead</span>Succeeded: Design the payments API' in dom
    assert '<span class="badge shared">shared from senior_developer</span>' in dom
    assert "Test the payments form" not in dom, "qa_engineer does not share with junior_developer"
    assert key not in dom, "the key is read from the fragment, then dropped from the address"
    assert '<form id="key-form" hidden=""' in dom, "a working key is not asked for"


def test_the_search_box_runs_a_retrieve_as_the_agent(team, tmp_path: Path):
    base, key = team
    url = f"{base}/v1/projects/my-team/memories.html#key={key}&agent=junior_developer&query=payments%20form"
    dom = page_dom(url, tmp_path / "profile")
    assert 'data-query="payments form"' in dom, dom[-3000:]
    assert "as junior_developer retrieves them" in dom and "score " in dom
    assert "Fix the payments form" in dom and "Test the payments form" not in dom
    shot = tmp_path / "memories.png"
    assert chromium(url, tmp_path / "profile-shot", f"--screenshot={shot}").returncode == 0
    assert shot.stat().st_size > 10_000


def test_the_page_is_static_and_allows_only_its_own_script(team):
    base, _ = team
    page = httpx.get(f"{base}/v1/projects/my-team/memories.html")
    assert page.status_code == 200 and "my-team" not in page.text, "no data in the page itself"
    policy = page.headers["content-security-policy"]
    assert "default-src 'none'" in policy and "connect-src 'self'" in policy and "'unsafe-inline'" not in policy
