"""MemoryService: the use cases the API and the CLI share — embed, call the repository, shape the answer.

Not here: SQL (repository) or HTTP (api/).
"""

from __future__ import annotations

import time
from typing import Any

from app.embeddings import Embedder, embed
from app.errors import InvalidConfig, InvalidInput
from app.models import ConfigApplied, LearnRequest, Outcome, ProjectConfig, RetrieveRequest, RetrieveResponse
from app.repository import MemoryRepository


class MemoryService:
    """What a caller can do with a project's memory."""

    def __init__(self, repository: MemoryRepository, embedder: Embedder) -> None:
        self.repository = repository
        self.embedder = embedder

    async def apply_config(self, project_id: str, config: ProjectConfig) -> ConfigApplied:
        """Apply a whole config to the project it names (the two must agree when both are given)."""
        if config.project_id and config.project_id != project_id:
            raise InvalidConfig(
                f"The config names project '{config.project_id}' but it is applied to '{project_id}'. "
                "Apply it to the project it names, or change its `project_id`.",
                errors=[{"field": "project_id", "message": f"must be '{project_id}' or absent"}],
            )
        return await self.repository.apply_config(project_id, config)

    async def vector_for(self, text: str, given: list[float] | None, field: str) -> list[float]:
        """The client's vector when it sent one (of the deployment's size), else the embedder's."""
        if given is None:
            return (await embed(self.embedder, [text]))[0]
        if len(given) != self.embedder.dimension:
            raise InvalidInput(
                f"`{field}` has {len(given)} dimensions; this deployment uses {self.embedder.dimension}. "
                "Send a vector of that size, or leave the field out to let the service embed the text.",
                errors=[{"field": field, "message": f"expected {self.embedder.dimension} dimensions"}],
            )
        return given

    async def learn(self, project_id: str, request: LearnRequest) -> Outcome:
        """Record an outcome under the learning agent's own id, embedded by its task."""
        vector = await self.vector_for(request.task, request.embedding, "embedding")
        return await self.repository.learn_outcome(project_id, request, vector)

    async def retrieve(self, project_id: str, request: RetrieveRequest) -> RetrieveResponse:
        """The reader's memories and those shared with it; shared ones carry `metadata.shared_from`."""
        started = time.perf_counter()
        vector = await self.vector_for(request.query, request.embedding, "embedding")
        kinds = await self.repository.retrieve(
            project_id, request.agent, vector, request.top_k, request.include_shared, request.user_id
        )
        for items in kinds.values():
            for item in items:
                item["metadata"] = _origin(item, request.agent)
        return RetrieveResponse(
            project_id=project_id,
            agent=request.agent,
            query=request.query,
            top_k=request.top_k,
            include_shared=request.include_shared,
            took_ms=round((time.perf_counter() - started) * 1000, 3),
            **kinds,
        )


def _origin(item: dict[str, Any], reader: str) -> dict[str, Any]:
    if "user_id" in item or item["agent"] == reader:
        return {}
    return {"shared_from": item["agent"]}
