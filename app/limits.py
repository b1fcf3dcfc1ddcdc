"""Fair share between tenants: each project may have only so many requests in flight in this process.

One project's burst then queues in its own client, not in front of every other project's requests: the
database pool and the CPU stay available to the others. Not here: rate limits over time, or per client address.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from app.errors import TooBusy


class ProjectLimiter:
    """At most `per_project` requests of one project at once; the next one is a 429 with Retry-After."""

    def __init__(self, per_project: int) -> None:
        self.per_project = per_project
        self._in_flight: dict[str, int] = {}

    @contextmanager
    def slot(self, project_id: str | None) -> Iterator[None]:
        """Hold one of the project's slots (no limit for None: the operator, or calls of no project)."""
        if project_id is None:
            yield
            return
        taken = self._in_flight.get(project_id, 0)
        if taken >= self.per_project:
            raise TooBusy(
                f"Project '{project_id}' already has {taken} requests in flight, its share of this service. "
                "Retry after a second, or send fewer requests at once.",
                limit=self.per_project,
            )
        self._in_flight[project_id] = taken + 1
        try:
            yield
        finally:
            if self._in_flight[project_id] == 1:
                del self._in_flight[project_id]
            else:
                self._in_flight[project_id] -= 1
