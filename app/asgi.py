"""create_app(settings) → the Litestar application; its lifespan opens and closes the pool."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from litestar import Litestar
from litestar.datastructures import State
from litestar.di import Provide
from litestar.openapi import OpenAPIConfig
from litestar.plugins.pydantic import PydanticPlugin

from app import __version__
from app.api.dependencies import PROVIDERS, provide_caller, require_media_type
from app.api.docs import docs_assets, landing, swagger
from app.api.health import health, ready
from app.api.keys import KeyController
from app.api.memories import MemoryController, WriteRouter
from app.api.projects import ProjectController
from app.api.sharing import SharingController
from app.api.transfer import TransferController
from app.database import open_pool, resolve_database_url, schema_head, stop_embedded
from app.embeddings import Embedder, create_embedder, describe_embedder
from app.errors import EXCEPTION_HANDLERS
from app.limits import ProjectLimiter
from app.mcp.http import McpEndpoint, json_rpc
from app.mcp.toolbox import Toolbox
from app.observability import (
    PROMETHEUS,
    MetricsController,
    configure_logging,
    request_id_middleware,
    watch_pool,
)
from app.queries import queries
from app.repositories.deployment import DeploymentRepository
from app.repositories.keys import KeyRepository
from app.repositories.memories import MemoryRepository
from app.repositories.projects import ProjectRepository
from app.repositories.transfer import TransferRepository
from app.services.keys import KeyStore
from app.services.memories import MemoryService
from app.services.projects import ProjectService
from app.services.readiness import Readiness
from app.services.transfer import TransferService
from app.settings import Settings

MAX_BODY_BYTES = 1024 * 1024
log = logging.getLogger(__name__)


def create_app(settings: Settings | None = None, embedder: Embedder | None = None) -> Litestar:
    """The service. The database must already be migrated (`alma serve` and `alma migrate` do it)."""
    settings = settings or Settings()
    configure_logging(settings.log_level, settings.log_format)

    @asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncIterator[None]:
        database_url = resolve_database_url(settings)
        pool = await open_pool(database_url, settings.pool_min_size, settings.pool_size, settings.database_timeout)
        try:
            memories = MemoryRepository(
                pool, queries, strategy_similarity=settings.strategy_similarity, ranking=settings.ranking
            )
            deployment = DeploymentRepository(pool, queries)
            recorded = await deployment.deployment()
            chosen = embedder
            if chosen is None:
                chosen = await asyncio.to_thread(create_embedder, settings, recorded["embedder"] if recorded else None)
            await deployment.init_deployment(chosen)
            log.info("Embedder: %s", describe_embedder(chosen))
            app.state.service = MemoryService(memories, chosen)
            app.state.projects = ProjectService(ProjectRepository(pool, queries), memories)
            app.state.readiness = Readiness(deployment)
            app.state.transfer = TransferService(TransferRepository(pool, queries), deployment, chosen)
            watch_pool(pool)
            operator_key = settings.operator_key.get_secret_value() if settings.operator_key else None
            app.state.key_store = KeyStore(KeyRepository(pool, queries), settings.auth_required, operator_key)
            await app.state.key_store.listen(database_url)
            app.state.limiter = ProjectLimiter(settings.project_in_flight, settings.project_wait_seconds)
            app.state.toolbox = Toolbox(
                app.state.service, app.state.projects, app.state.key_store, settings.default_project
            )
            if not settings.auth_required:
                log.warning(
                    "Running OPEN: no API keys are required (embedded database, listening on %s only). "
                    "Start with --require-auth (ALMA_REQUIRE_AUTH=true) to require keys.",
                    settings.host,
                )
            yield
        finally:
            if (key_store := getattr(app.state, "key_store", None)) is not None:
                await key_store.close()
            await pool.close()
            if settings.embedded:
                # Here, not at exit: uvicorn re-raises SIGTERM after shutdown, and atexit would never run.
                stop_embedded(settings.data_dir)

    mcp = McpEndpoint(settings, MAX_BODY_BYTES)
    return Litestar(
        route_handlers=[
            landing,
            json_rpc,
            mcp.route,
            docs_assets,
            health,
            ready,
            MetricsController,
            KeyController,
            ProjectController,
            MemoryController,
            WriteRouter,
            SharingController,
            TransferController,
        ],
        middleware=[request_id_middleware, PROMETHEUS.middleware],
        state=State({"schema_head": schema_head()}),
        dependencies={
            **{name: Provide(provider, sync_to_thread=False) for name, provider in PROVIDERS.items()},
            "caller": Provide(provide_caller),
        },
        exception_handlers=EXCEPTION_HANDLERS,
        before_request=require_media_type,
        plugins=[PydanticPlugin(validate_strict=True)],  # no "5" read as 5, no true as 1
        logging_config=None,  # configure_logging() owns logging: JSON lines with request ids
        lifespan=[lifespan, mcp.lifespan],
        request_max_body_size=MAX_BODY_BYTES,
        openapi_config=OpenAPIConfig(
            title="ALMA memory service",
            version=__version__,
            description="Shared, permissioned memory for teams of AI agents.",
            path="/docs",
            render_plugins=[swagger],
        ),
    )
