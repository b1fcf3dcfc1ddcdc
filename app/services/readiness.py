"""Readiness: whether the database answers and is migrated, for /ready."""

from __future__ import annotations

from app.repositories.deployment import DeploymentRepository


class Readiness:
    def __init__(self, deployment: DeploymentRepository) -> None:
        self.deployment = deployment

    async def not_ready(self, expected_schema: str) -> str | None:
        """Why the service cannot serve now, or None (answers within 2 s whatever the database does)."""
        return await self.deployment.not_ready(expected_schema)
