"""The audit trail: one structured log record per write and per retrieve that returned shared memories.

Records say who (the key's visible prefix, or `open`), as which agent, did what, and which sources were
read; never a key's secret and never a memory's text.
"""

from __future__ import annotations

import logging

from app.auth import Caller

audit_log = logging.getLogger("alma.audit")


def audit(caller: Caller, action: str, project_id: str, agent: str | None, **details: object) -> None:
    audit_log.info(
        "%s %s/%s by %s",
        action,
        project_id,
        agent or "-",
        caller.label,
        extra={"audit": {"action": action, "project_id": project_id, "agent": agent, "key": caller.label, **details}},
    )
