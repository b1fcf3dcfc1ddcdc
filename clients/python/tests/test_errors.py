"""The service's problem details arrive as typed exceptions that say what to do."""

from __future__ import annotations

import httpx
import pytest

import alma as sdk
from alma import ALMA

from live_service import free_port

TEAM = ["junior_developer", "qa_engineer", "senior_developer", "tech_lead"]


def test_an_unknown_agent_names_the_known_ones(alma):
    with pytest.raises(sdk.AgentNotFound) as raised:
        alma.retrieve(task="Implement user authentication", agent="intern")

    error = raised.value
    assert (error.status, error.slug, error.agent) == (404, "agent-not-found", "intern")
    assert error.known_agents == TEAM
    assert "intern" in error.detail
    assert isinstance(error, sdk.NotFound)


def test_a_bad_top_k_is_a_validation_error_naming_top_k(alma):
    with pytest.raises(sdk.ValidationError) as raised:
        alma.retrieve(task="Implement user authentication", agent="junior_developer", top_k=0)

    error = raised.value
    assert error.status == 422
    assert [entry["field"] for entry in error.errors] == ["top_k"]
    assert "top_k" in str(error)


def test_a_bad_outcome_is_a_validation_error_naming_outcome(alma):
    with pytest.raises(sdk.ValidationError) as raised:
        alma.learn(agent="junior_developer", task="Fix bug", outcome="partly", strategy_used="Tried")

    assert "outcome" in [entry["field"] for entry in raised.value.errors]


def test_a_project_without_config_says_to_apply_one(service_url, project_id):
    with ALMA(base_url=service_url, project_id=project_id) as alma, pytest.raises(sdk.ProjectNotFound) as raised:
        alma.agents()

    assert "config" in raised.value.detail


def test_a_scope_violation_is_forbidden(alma):
    with pytest.raises(sdk.ScopeViolation) as raised:
        alma.add_heuristic("qa_engineer", "Designing services", "Split by team", task_type="architecture")

    assert isinstance(raised.value, sdk.Forbidden)
    assert raised.value.status == 403


def test_an_unreachable_service_is_named_with_what_to_do():
    url = f"http://127.0.0.1:{free_port()}"

    with ALMA(base_url=url, project_id="my-team", backoff=0) as alma, pytest.raises(sdk.ServiceUnreachable) as raised:
        alma.retrieve(task="Implement user authentication", agent="junior_developer")

    assert url in str(raised.value)
    assert raised.value.url.startswith(url)
    assert "alma serve" in str(raised.value)


def test_a_timeout_is_unreachable_and_says_how_long_it_waited():
    def never_answers(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("timed out", request=request)

    transport = httpx.MockTransport(never_answers)
    with ALMA(project_id="my-team", timeout=2.5, backoff=0, transport=transport) as alma:
        with pytest.raises(sdk.ServiceUnreachable, match=r"in time \(2.5 s\)"):
            alma.agents()


@pytest.mark.parametrize(
    ("status", "slug", "expected"),
    [
        (401, "unauthorized", sdk.Unauthorized),
        (403, "forbidden", sdk.Forbidden),
        (403, "not-owner", sdk.Forbidden),
        (403, "scope-violation", sdk.ScopeViolation),
        (404, "memory-not-found", sdk.NotFound),
        (404, "project-not-found", sdk.ProjectNotFound),
        (400, "malformed-request", sdk.ValidationError),
        (422, "invalid-config", sdk.ValidationError),
        (413, "request-entity-too-large", sdk.ALMAError),
        (503, "database-unavailable", sdk.ServiceUnavailable),
    ],
)
def test_each_problem_maps_to_its_exception(status, slug, expected):
    problem = {"type": f"urn:alma:problem:{slug}", "title": "t", "status": status, "detail": "What to do."}

    def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(status, json=problem, headers={"Content-Type": "application/problem+json"})

    with ALMA(project_id="my-team", attempts=1, transport=httpx.MockTransport(answer)) as alma:
        with pytest.raises(sdk.ALMAError) as raised:
            alma.agents()

    assert type(raised.value) is expected
    assert (raised.value.status, raised.value.detail, raised.value.problem) == (status, "What to do.", problem)


def test_an_error_that_is_not_problem_details_keeps_its_text():
    def proxy(request: httpx.Request) -> httpx.Response:
        return httpx.Response(502, text="<html>Bad gateway</html>")

    with ALMA(project_id="my-team", attempts=1, transport=httpx.MockTransport(proxy)) as alma:
        with pytest.raises(sdk.ServiceUnavailable) as raised:
            alma.agents()

    assert raised.value.status == 502
    assert "Bad gateway" in raised.value.detail
