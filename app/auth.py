"""API keys and the caller's identity: who is calling, for which project, as which agent.

Keys look like `alma_<prefix>_<secret>`. Only a SHA-256 hash is stored (the keys are long random strings,
so a slow password hash would add latency and no safety); `alma_<prefix>` identifies a key in lists and
logs. Verified keys are cached for a few seconds so that a retrieve stays one database statement; a
revocation is announced at commit to every worker (see KeyStore.listen), and `CACHE_SECONDS` bounds it should
that announcement be missed.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from dataclasses import dataclass
from typing import Literal

from app.errors import Forbidden, NotFound, Unauthorized

KEY_PREFIX = "alma_"
CACHE_SECONDS = 10.0
Role = Literal["open", "operator", "admin", "agent"]


def new_key() -> tuple[str, str, bytes]:
    """A fresh key: (the key to show once, its visible prefix, the hash to store)."""
    prefix = KEY_PREFIX + secrets.token_hex(6)
    key = f"{prefix}_{secrets.token_urlsafe(32)}"
    return key, prefix, hash_key(key)


def hash_key(key: str) -> bytes:
    return hashlib.sha256(key.encode()).digest()


def key_prefix(key: str) -> str | None:
    """The visible prefix of a well-formed key, else None."""
    end = len(KEY_PREFIX) + 12
    prefix = key[:end]
    if not key.startswith(KEY_PREFIX) or key[end : end + 1] != "_" or len(key) <= end + 1:
        return None
    return prefix if all(char in "0123456789abcdef" for char in prefix[len(KEY_PREFIX) :]) else None


@dataclass(frozen=True)
class Caller:
    """The authenticated caller; every check of what it may do lives here."""

    role: Role
    project_id: str | None = None
    agent: str | None = None
    key: str | None = None  # the visible prefix, for audit logs

    @property
    def label(self) -> str:
        return self.key or self.role

    def require_project(self, project_id: str) -> None:
        """A key of another project learns nothing, not even whether this one exists."""
        if self.role == "open":
            return
        if self.role == "operator" or self.project_id != project_id:
            raise NotFound(
                f"Project '{project_id}' was not found for this key. Use a key of that project.",
                project_id=project_id,
            )

    def act_as(self, project_id: str, agent: str) -> None:
        """May this caller read and write as `agent`? Admins act as any agent; agent keys only as theirs."""
        self.require_project(project_id)
        if self.role == "agent" and agent != self.agent:
            raise Forbidden(
                f"This key belongs to agent '{self.agent}' and cannot act as '{agent}'. "
                f"Use '{self.agent}' as the agent, or a key of '{agent}' or a project admin key.",
                key_agent=self.agent,
                agent=agent,
            )

    def require_admin(self, project_id: str) -> None:
        self.require_project(project_id)
        if self.role == "agent":
            raise Forbidden(
                f"Agent keys cannot manage project '{project_id}'; use a project admin key.",
                key_agent=self.agent,
            )

    def require_operator(self) -> None:
        if self.role not in ("open", "operator"):
            raise Forbidden("Only the deployment operator key (ALMA_OPERATOR_KEY) may do this.")


OPEN = Caller(role="open")


class KeyCache:
    """Verified keys, by hash, for a few seconds."""

    def __init__(self, seconds: float = CACHE_SECONDS) -> None:
        self.seconds = seconds
        self._entries: dict[bytes, tuple[float, Caller]] = {}

    def get(self, digest: bytes) -> Caller | None:
        entry = self._entries.get(digest)
        if entry is None or entry[0] < time.monotonic():
            self._entries.pop(digest, None)
            return None
        return entry[1]

    def put(self, digest: bytes, caller: Caller) -> None:
        if len(self._entries) > 10_000:
            self._entries.clear()
        self._entries[digest] = (time.monotonic() + self.seconds, caller)

    def clear(self) -> None:
        self._entries.clear()

    def evict(self, prefix: str) -> None:
        self.evict_all([prefix])

    def evict_all(self, prefixes: list[str]) -> None:
        """Forget the revoked keys at once."""
        revoked = set(prefixes)
        for digest, (_, caller) in list(self._entries.items()):
            if caller.key in revoked:
                del self._entries[digest]


def bearer_token(header: str | None) -> str:
    """The key in an `Authorization: Bearer …` header; 401 that says how to send one otherwise."""
    if not header:
        raise Unauthorized("This service requires an API key: send `Authorization: Bearer <key>`.")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthorized("Malformed Authorization header: use `Authorization: Bearer <key>`.")
    return token.strip()


def matches(stored_hash: bytes, key: str) -> bool:
    return hmac.compare_digest(stored_hash, hash_key(key))
