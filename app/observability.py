"""Logs, request ids and metrics: what an operator needs to see the service at work.

- Logs are JSON lines (or plain text with ALMA_LOG_FORMAT=text), each with the request id it belongs to.
- Every response carries `X-Request-ID` (the caller's, when it sent a sane one).
- Prometheus metrics at /metrics: request latency per route (Litestar's middleware), items returned by
  retrieve split into own and shared, learned outcomes, and the database pool's use.
"""

from __future__ import annotations

import json
import logging
import re
import uuid
from collections.abc import Mapping
from contextvars import ContextVar
from datetime import UTC, datetime

import asyncpg
from litestar.plugins.prometheus import PrometheusConfig, PrometheusController
from litestar.types import ASGIApp, Message, Receive, Scope, Send
from prometheus_client import Counter, Gauge

request_id: ContextVar[str] = ContextVar("request_id", default="-")
_SANE_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")

RETRIEVED = Counter(
    "alma_retrieved_items", "Memories returned by retrieve, by kind and origin (own or shared).", ["kind", "origin"]
)
LEARNED = Counter("alma_learned_outcomes", "Outcomes recorded by learn, by result.", ["outcome"])
POOL_SIZE = Gauge("alma_db_pool_connections", "Connections the database pool holds.")
POOL_IDLE = Gauge("alma_db_pool_idle_connections", "Pool connections not in use.")

PROMETHEUS = PrometheusConfig(
    app_name="alma",
    prefix="alma",
    group_path=True,  # one series per route template, not per project or memory id
    exclude=["/metrics", "/health", "/ready"],
    buckets=[0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0],
)


class MetricsController(PrometheusController):
    """/metrics in Prometheus' text format (left out of the OpenAPI document, which is about the API)."""

    include_in_schema = False


def watch_pool(pool: asyncpg.Pool) -> None:
    """Pool gauges read at scrape time."""
    POOL_SIZE.set_function(pool.get_size)
    POOL_IDLE.set_function(pool.get_idle_size)


class JsonFormatter(logging.Formatter):
    """One JSON object a line: time, level, logger, message, request id, and any `audit` details."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": request_id.get(),
        }
        if audit := getattr(record, "audit", None):
            entry["audit"] = audit
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str)


class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id.get()
        return True


def configure_logging(level: str, log_format: str) -> None:
    """Send every logger (uvicorn's too) through one handler in the chosen format."""
    handler = logging.StreamHandler()
    handler.addFilter(RequestIdFilter())
    if log_format == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"))
    root = logging.getLogger()
    root.handlers = [handler]
    root.setLevel(level)
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        logging.getLogger(name).handlers = []
        logging.getLogger(name).propagate = True


def request_id_middleware(app: ASGIApp) -> ASGIApp:
    """Give each HTTP request an id (the caller's X-Request-ID when sane), for logs and the response."""

    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await app(scope, receive, send)
            return
        sent = dict(scope["headers"]).get(b"x-request-id", b"").decode("latin-1")
        current = sent if _SANE_ID.match(sent) else uuid.uuid4().hex
        token = request_id.set(current)

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                message.setdefault("headers", [])
                message["headers"] = [*message["headers"], (b"x-request-id", current.encode())]
            await send(message)

        try:
            await app(scope, receive, send_with_id)
        finally:
            request_id.reset(token)

    return middleware


def count_retrieved(tally: Mapping[str, tuple[int, int]]) -> None:
    """Own and shared items of one retrieve answer, per kind."""
    for kind, (own, shared) in tally.items():
        if shared:
            RETRIEVED.labels(kind, "shared").inc(shared)
        if own:
            RETRIEVED.labels(kind, "own").inc(own)
