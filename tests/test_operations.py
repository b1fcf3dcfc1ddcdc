"""Operating the service: metrics, request ids, JSON logs, health and readiness."""

import asyncio
import json
import logging

from litestar.testing import AsyncTestClient

from alembic import command
from app.database import alembic_config
from app.observability import JsonFormatter, request_id
from tests.helpers import EXAMPLE_CONFIG, Api


def sample(metrics: str, name: str, **labels: str) -> float:
    """The value of one sample in Prometheus' text format (0 when absent)."""
    for line in metrics.splitlines():
        if line.startswith(name + "{") or line.startswith(name + " "):
            if all(f'{key}="{value}"' in line for key, value in labels.items()):
                return float(line.rsplit(" ", 1)[1])
    return 0.0


async def test_metrics_count_requests_per_route_own_and_shared_items_learns_and_pool(api: Api):
    await api.apply(EXAMPLE_CONFIG.read_text())
    before = (await api.client.get("/metrics")).text
    await api.learn("tech_lead", "Design the API", "REST", task_type="architecture")
    await api.learn("junior_developer", "Design the API", "GraphQL", "failure")
    await api.retrieve("junior_developer", "Design the API", top_k=10)
    route = "/v1/projects/{project_id}/retrieve"
    # Request metrics are recorded once the response has gone out, so they may lag the answer a moment.
    for _ in range(50):
        after = (await api.client.get("/metrics")).text
        if sample(after, "alma_requests_total", path=route, method="POST", status_code="200") > sample(
            before, "alma_requests_total", path=route, method="POST", status_code="200"
        ):
            break
        await asyncio.sleep(0.02)

    def grew(name: str, **labels: str) -> float:
        return sample(after, name, **labels) - sample(before, name, **labels)

    assert grew("alma_retrieved_items_total", kind="outcomes", origin="shared") == 1
    assert grew("alma_retrieved_items_total", kind="outcomes", origin="own") == 1
    assert grew("alma_learned_outcomes_total", outcome="success") == 1
    assert grew("alma_learned_outcomes_total", outcome="failure") == 1
    assert grew("alma_request_duration_seconds_count", path=route, method="POST", status_code="200") == 1
    assert grew("alma_requests_total", path=route, method="POST", status_code="200") == 1
    assert sample(after, "alma_db_pool_connections") >= 1
    assert "/v1/projects/my-team/retrieve" not in after, "routes are grouped by template, not by project"


async def test_every_response_carries_a_request_id_and_keeps_a_sane_one(api: Api):
    generated = await api.client.get("/health")
    assert len(generated.headers["x-request-id"]) == 32
    kept = await api.client.get("/health", headers={"X-Request-ID": "trace-42"})
    assert kept.headers["x-request-id"] == "trace-42"
    replaced = await api.client.get("/health", headers={"X-Request-ID": "bad id\nwith newline"})
    assert replaced.headers["x-request-id"] != "bad id\nwith newline"


def test_json_log_lines_carry_the_request_id_and_audit_details():
    token = request_id.set("abc123")
    try:
        record = logging.LogRecord("alma.audit", logging.INFO, __file__, 1, "learn %s", ("x",), None)
        record.audit = {"action": "learn", "agent": "tech_lead"}
        line = json.loads(JsonFormatter().format(record))
    finally:
        request_id.reset(token)
    assert line["request_id"] == "abc123"
    assert line["message"] == "learn x" and line["level"] == "INFO" and line["logger"] == "alma.audit"
    assert line["audit"] == {"action": "learn", "agent": "tech_lead"}


async def test_ready_when_migrated_and_503_when_the_schema_is_behind(client: AsyncTestClient, database_url: str):
    ready = await client.get("/ready")
    assert ready.status_code == 200 and ready.json()["status"] == "ready"
    assert (await client.get("/health")).json()["status"] == "ok"

    await asyncio.to_thread(command.downgrade, alembic_config(database_url), "0002_memory_model")
    behind = await client.get("/ready")
    assert behind.status_code == 503
    assert "alma migrate" in behind.json()["detail"]
    await asyncio.to_thread(command.upgrade, alembic_config(database_url), "head")
    assert (await client.get("/ready")).status_code == 200
