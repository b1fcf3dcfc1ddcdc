"""Fair share between tenants: each project may have only so many requests in flight in this process.

Past its share a project's requests wait their turn, first come first served, behind its own earlier ones,
not in front of every other project's; a request that would wait too long is a 429 with Retry-After. The
database pool and the CPU thus stay available to the other projects. Not here: limits per client address.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

from app.errors import TooBusy


@dataclass
class _Gate:
    slots: asyncio.Semaphore
    users: int = 0  # in flight or waiting


class ProjectLimiter:
    """At most `per_project` requests of one project at once; the next wait up to `wait_seconds` for a slot."""

    def __init__(self, per_project: int, wait_seconds: float) -> None:
        self.per_project = per_project
        self.wait_seconds = wait_seconds
        self._gates: dict[str, _Gate] = {}

    @asynccontextmanager
    async def slot(self, project_id: str | None) -> AsyncIterator[None]:
        """Hold one of the project's slots (no limit for None: the operator, or calls of no project)."""
        if project_id is None:
            yield
            return
        gate = self._gates.setdefault(project_id, _Gate(asyncio.Semaphore(self.per_project)))
        gate.users += 1
        try:
            try:
                await asyncio.wait_for(gate.slots.acquire(), self.wait_seconds)
            except TimeoutError:
                raise TooBusy(
                    f"Project '{project_id}' has had {self.per_project} requests in flight, its share of this "
                    f"service, for {self.wait_seconds:g} s. Retry after a second, or send fewer requests at once.",
                    limit=self.per_project,
                ) from None
            try:
                yield
            finally:
                gate.slots.release()
        finally:
            gate.users -= 1
            if gate.users == 0:
                del self._gates[project_id]
