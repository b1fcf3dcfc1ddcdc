"""schemathesis over the service's own OpenAPI document: no 5xx, and answers that match the schema."""

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import (
    content_type_conformance,
    negative_data_rejection,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from app.asgi import create_app
from tests.helpers import (
    OPERATOR_KEY,
    bearer,
    live_server,
    put_guide_example,
    settings_for,
)

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    negative_data_rejection,
]


@pytest.fixture
def live_service(database_url: str):
    """The service on a real port with the guide's project applied; yields (url, admin key)."""
    with live_server(create_app(settings_for(database_url))) as base:
        created = httpx.post(f"{base}/v1/projects", json={"project_id": "my-team"}, headers=bearer(OPERATOR_KEY)).json()
        admin = created["admin_key"]["key"]
        headers = bearer(admin)
        put_guide_example(base, headers)
        httpx.post(
            f"{base}/v1/projects/my-team/learn",
            headers=headers,
            json={"agent": "tech_lead", "task": "t", "outcome": "success", "strategy_used": "s"},
        )
        yield base, admin


def test_no_server_errors_and_schema_conformance(live_service):
    base, admin = live_service
    schema = schemathesis.openapi.from_url(f"{base}/docs/openapi.json")
    failures = []
    calls = []

    for operation in schema.get_all_operations():
        api_operation = operation.ok()

        @settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck), database=None)
        @given(case=api_operation.as_strategy())
        def check(case):
            if case.path_parameters and "project_id" in case.path_parameters:
                case.path_parameters["project_id"] = "my-team"
            calls.append((api_operation.method, api_operation.path))
            try:
                case.call_and_validate(base_url=base, headers=bearer(admin), checks=CHECKS)
            except AssertionError as error:
                failures.append(f"{api_operation.method.upper()} {api_operation.path}: {str(error)[:600]}")
                raise

        try:
            check()
        except AssertionError:
            pass  # recorded in `failures`, reported together below
    assert not failures, "\n\n".join(failures[:8])
    assert len(set(calls)) == len(list(schema.get_all_operations())), "every operation was exercised"
    assert len(calls) >= 300, f"only {len(calls)} requests were generated"
