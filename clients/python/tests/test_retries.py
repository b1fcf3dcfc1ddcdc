"""Retries: idempotent calls are tried again after a connection failure or a 502/503/504; writes never are."""

from __future__ import annotations

import httpx
import pytest

from alma import ALMA, AsyncALMA, NotFound, ServiceUnavailable, ServiceUnreachable

SLICE = {"agent": "junior_developer", "query": "Implement user authentication"}
OUTCOME = {"id": 1, "agent": "junior_developer", "task": "t", "success": True, "strategy_used": "s"}


class FlakyService:
    """Fails the first `failures` requests (with `status`, or by refusing the connection), then answers `body`."""

    def __init__(self, failures: int, body: object = None, status: int | None = 503) -> None:
        self.failures = failures
        self.body = body
        self.status = status
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if len(self.requests) <= self.failures:
            if self.status is None:
                raise httpx.ConnectError("connection refused", request=request)
            return httpx.Response(self.status, json={"type": "urn:alma:problem:database-unavailable"})
        return httpx.Response(200, json=self.body) if self.body is not None else httpx.Response(204)


def client(service: FlakyService, **options) -> ALMA:
    return ALMA(project_id="my-team", backoff=0, transport=httpx.MockTransport(service), **options)


IDEMPOTENT_CALLS = {
    "retrieve": (lambda alma: alma.retrieve(task="Implement user authentication", agent="junior_developer"), SLICE),
    "agents": (lambda alma: alma.agents(), []),
    "apply_config": (lambda alma: alma.apply_config("agents:\n  bob: {}\n"), {"project_id": "my-team"}),
    "delete_memory": (lambda alma: alma.delete_memory("heuristics", 1, agent="bob"), None),
}


@pytest.mark.parametrize("status", [502, 503, 504, None])
@pytest.mark.parametrize("name", sorted(IDEMPOTENT_CALLS))
def test_idempotent_calls_are_retried_until_they_succeed(name, status):
    send, body = IDEMPOTENT_CALLS[name]
    service = FlakyService(failures=2, body=body, status=status)

    with client(service) as alma:
        send(alma)

    assert len(service.requests) == 3


def test_retries_stop_after_the_last_attempt():
    service = FlakyService(failures=5, body=[])

    with client(service, attempts=3) as alma, pytest.raises(ServiceUnavailable):
        alma.agents()

    assert len(service.requests) == 3


def test_a_refused_connection_on_every_attempt_is_unreachable():
    service = FlakyService(failures=5, status=None)

    with client(service) as alma, pytest.raises(ServiceUnreachable):
        alma.retrieve(task="Implement user authentication", agent="junior_developer")

    assert len(service.requests) == 3


@pytest.mark.parametrize(("status", "error"), [(503, ServiceUnavailable), (None, ServiceUnreachable)])
def test_learn_is_never_retried(status, error):
    service = FlakyService(failures=1, body=OUTCOME, status=status)

    with client(service) as alma, pytest.raises(error):
        alma.learn(agent="junior_developer", task="t", outcome="success", strategy_used="s")

    assert len(service.requests) == 1


def test_other_writes_are_never_retried():
    service = FlakyService(failures=10, body={})

    with client(service) as alma:
        with pytest.raises(ServiceUnavailable):
            alma.add_heuristic("junior_developer", "c", "s")
        with pytest.raises(ServiceUnavailable):
            alma.update_memory("heuristics", 1, "junior_developer", confidence=0.9)
        with pytest.raises(ServiceUnavailable):
            alma.forget(agent="junior_developer")

    assert len(service.requests) == 3


def test_client_errors_are_not_retried():
    service = FlakyService(failures=1, status=404)

    with client(service) as alma, pytest.raises(NotFound):
        alma.agents()

    assert len(service.requests) == 1


def test_backoff_doubles_between_attempts(monkeypatch):
    waits: list[float] = []
    monkeypatch.setattr("alma.client.time.sleep", waits.append)
    service = FlakyService(failures=3, body=[])

    with ALMA(project_id="my-team", attempts=4, backoff=0.2, transport=httpx.MockTransport(service)) as alma:
        alma.agents()

    assert waits == pytest.approx([0.2, 0.4, 0.8])


async def test_the_async_client_retries_reads_and_not_writes():
    reads = FlakyService(failures=2, body=SLICE)
    writes = FlakyService(failures=1, body=OUTCOME)

    async with AsyncALMA(project_id="my-team", backoff=0, transport=httpx.MockTransport(reads)) as alma:
        memories = await alma.retrieve(task="Implement user authentication", agent="junior_developer")
    async with AsyncALMA(project_id="my-team", backoff=0, transport=httpx.MockTransport(writes)) as alma:
        with pytest.raises(ServiceUnavailable):
            await alma.learn(agent="junior_developer", task="t", outcome="success", strategy_used="s")

    assert memories.agent == "junior_developer"
    assert (len(reads.requests), len(writes.requests)) == (3, 1)
