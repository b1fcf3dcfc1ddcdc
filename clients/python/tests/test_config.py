"""ALMA.from_config: every layout of the guide's file, what applying it did, and where the service, the key and
the project come from."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest

from alma import ALMA, ALMAConfigWarning, AsyncALMA, ConfigError, ServiceUnreachable, ValidationError

from live_service import LAYOUTS, free_port, team_config

TEAM = ["junior_developer", "qa_engineer", "senior_developer", "tech_lead"]


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.yaml"
    path.write_text(text)
    return path


def dead_url() -> str:
    return f"http://127.0.0.1:{free_port()}"


@pytest.mark.parametrize("layout", LAYOUTS)
def test_from_config_applies_the_team_in_either_layout(tmp_path, service_url, project_id, layout):
    path = write(tmp_path, team_config(project_id, layout, server_url=service_url))

    with ALMA.from_config(path) as alma:
        assert alma.project_id == project_id
        assert alma.base_url == service_url
        agents = {agent.name: agent for agent in alma.agents()}

    assert sorted(agents) == TEAM
    assert agents["junior_developer"].reads_from == ["senior_developer", "tech_lead"]
    assert agents["qa_engineer"].reads_from == ["tech_lead"]


def test_from_config_twice_changes_nothing_the_second_time(service_url, team_config_path):
    ALMA.from_config(team_config_path, base_url=service_url).close()

    with ALMA.from_config(team_config_path, base_url=service_url) as alma:
        applied = alma.apply_config(team_config_path)

    assert applied.unchanged == TEAM
    assert applied.created == applied.updated == applied.removed == []
    assert applied.grants_added == applied.grants_revoked == []


def test_server_url_in_the_config_wins_over_alma_url(tmp_path, monkeypatch, service_url, project_id):
    monkeypatch.setenv("ALMA_URL", dead_url())
    path = write(tmp_path, team_config(project_id, server_url=service_url))

    with ALMA.from_config(path) as alma:
        assert alma.base_url == service_url


def test_alma_url_is_used_when_the_config_names_no_server(monkeypatch, service_url, team_config_path):
    monkeypatch.setenv("ALMA_URL", service_url)

    with ALMA.from_config(team_config_path) as alma:
        assert alma.base_url == service_url
        assert len(alma.agents()) == len(TEAM)


def test_base_url_argument_wins_over_config_and_environment(tmp_path, monkeypatch, service_url, project_id):
    monkeypatch.setenv("ALMA_URL", dead_url())
    path = write(tmp_path, team_config(project_id, server_url=dead_url()))

    with ALMA.from_config(path, base_url=service_url) as alma:
        assert alma.base_url == service_url


def test_without_config_or_environment_the_client_uses_the_local_default():
    with ALMA(project_id="my-team") as alma:
        assert alma.base_url == "http://localhost:8765"


def test_a_service_url_without_scheme_is_refused(monkeypatch):
    monkeypatch.setenv("ALMA_URL", "localhost:8765")

    with pytest.raises(ConfigError, match="http://"):
        ALMA(project_id="my-team")


def test_a_config_without_project_id_is_refused_before_any_request(tmp_path):
    path = write(tmp_path, team_config(None, server_url=dead_url()))

    with pytest.raises(ConfigError, match="project_id"):
        ALMA.from_config(path)


def test_project_id_argument_completes_a_config_without_one(tmp_path, service_url, project_id):
    path = write(tmp_path, team_config(None, server_url=service_url))

    with ALMA.from_config(path, project_id=project_id) as alma:
        assert len(alma.agents()) == len(TEAM)


def test_a_config_that_is_not_yaml_is_refused(tmp_path):
    path = write(tmp_path, "alma:\n  agents: [unclosed\n")

    with pytest.raises(ConfigError, match="not valid YAML"):
        ALMA.from_config(path)


def test_from_config_against_no_service_says_where_it_looked(tmp_path, project_id):
    url = dead_url()
    path = write(tmp_path, team_config(project_id, server_url=url))

    with pytest.raises(ServiceUnreachable) as raised:
        ALMA.from_config(path, backoff=0)

    assert url in str(raised.value)
    assert "alma serve" in str(raised.value)


class Recorder:
    """A transport that answers every request with a config result and keeps the requests."""

    def __init__(self) -> None:
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        return httpx.Response(200, json={"project_id": "my-team"})


def test_the_key_from_the_config_goes_in_the_header_and_never_in_the_body(tmp_path):
    text = team_config("my-team", api_key="key-from-file")
    recorder = Recorder()

    ALMA.from_config(write(tmp_path, text), transport=httpx.MockTransport(recorder))

    (request,) = recorder.requests
    assert (request.method, request.url.path) == ("PUT", "/v1/projects/my-team/config")
    assert request.headers["Authorization"] == "Bearer key-from-file"
    assert "key-from-file" not in request.content.decode()
    sent = json.loads(request.content)
    assert "api_key" not in json.dumps(sent)
    assert sent["alma"]["project_id"] == "my-team"
    assert sent["agents"]


def test_the_key_comes_from_alma_api_key_when_the_config_has_none(tmp_path, monkeypatch):
    monkeypatch.setenv("ALMA_API_KEY", "key-from-environment")
    recorder = Recorder()

    ALMA.from_config(write(tmp_path, team_config("my-team")), transport=httpx.MockTransport(recorder))

    assert recorder.requests[0].headers["Authorization"] == "Bearer key-from-environment"


def test_no_key_no_authorization_header(tmp_path):
    recorder = Recorder()

    ALMA.from_config(write(tmp_path, team_config("my-team")), transport=httpx.MockTransport(recorder))

    assert "Authorization" not in recorder.requests[0].headers


DEVOPS_WARNING = "tech_lead shares with devops_engineer, which is not an agent of"


def test_from_config_keeps_what_applying_did_and_emits_its_warnings(tmp_path, service_url, project_id, caplog):
    path = write(tmp_path, team_config(project_id, server_url=service_url))

    with pytest.warns(ALMAConfigWarning, match=DEVOPS_WARNING) as emitted, ALMA.from_config(path) as alma:
        applied = alma.config_applied

    assert applied is not None and applied.created == TEAM
    assert [str(warning.message) for warning in emitted] == applied.warnings
    assert emitted[0].filename == __file__, "the warning points at the caller of from_config"
    assert any(record.name == "alma" and DEVOPS_WARNING in record.getMessage() for record in caplog.records)


def test_from_config_warns_about_agents_it_removed(tmp_path, service_url, project_id):
    with pytest.warns(ALMAConfigWarning):
        ALMA.from_config(write(tmp_path, team_config(project_id, server_url=service_url))).close()
    smaller = team_config(project_id, server_url=service_url).split("  qa_engineer:")[0]

    with pytest.warns(ALMAConfigWarning, match="Removed agents: qa_engineer") as emitted:
        alma = ALMA.from_config(write(tmp_path, smaller))
    alma.close()

    assert alma.config_applied.removed == ["qa_engineer"]
    assert any("agent key(s) are revoked" in str(warning.message) for warning in emitted)


async def test_async_from_config_keeps_the_answer_and_warns_too(tmp_path, service_url, project_id):
    path = write(tmp_path, team_config(project_id, "nested", server_url=service_url))

    with pytest.warns(ALMAConfigWarning, match=DEVOPS_WARNING):
        client = await AsyncALMA.from_config(path)
    await client.aclose()

    assert client.config_applied.grants and client.config_applied.created == TEAM


def test_a_config_whose_agents_key_is_misspelt_is_refused_and_removes_nothing(tmp_path, service_url, project_id):
    good = team_config(project_id, server_url=service_url)
    with pytest.warns(ALMAConfigWarning):
        ALMA.from_config(write(tmp_path, good)).close()

    with pytest.raises(ValidationError, match="names no agents") as raised:
        ALMA.from_config(write(tmp_path, good.replace("\nagents:", "\nAgents:")))

    assert "did you mean `agents`?" in raised.value.detail
    with ALMA(project_id=project_id, base_url=service_url) as alma:
        assert [agent.name for agent in alma.agents()] == TEAM


def test_a_missing_config_file_is_a_config_error_naming_the_path(tmp_path):
    missing = tmp_path / ".alma" / "config.yaml"

    with pytest.raises(ConfigError, match=str(missing)):
        ALMA.from_config(missing)
    with pytest.raises(ConfigError, match="No config file"):
        ALMA(project_id="p", base_url=dead_url()).apply_config(missing)
