"""KeyStore: turning a request's key into a Caller (with a short cache, emptied by revocations announced from
any process), and creating, listing and revoking projects' keys.

The SQL is in app.repositories.keys; the rules of what a caller may do are in app.auth.
"""

from __future__ import annotations

import asyncio
import hmac
from typing import Any

import asyncpg

from app.auth import OPEN, Caller, KeyCache, bearer_token, hash_key, key_prefix, matches, new_key
from app.errors import Unauthorized
from app.repositories.keys import KeyRepository

REVOKED_CHANNEL = "alma_keys_revoked"  # see keys/revoke_api_key.sql and keys/revoke_agent_keys.sql
UNKNOWN_KEY_HASH = hash_key("alma_000000000000_" + "no key has this secret")  # compared when no key matches


class KeyStore:
    """Projects, keys, and authentication with a short cache of verified keys."""

    def __init__(self, keys: KeyRepository, required: bool, operator_key: str | None) -> None:
        self.keys = keys
        self.required = required
        self.operator_key = operator_key
        self.cache = KeyCache()
        self._listener: asyncpg.Connection | None = None
        self._database_url = ""
        self._closing = False
        self._reconnecting: asyncio.Task[None] | None = None

    async def listen(self, database_url: str) -> None:
        """Forget keys revoked by any process at once: revocations are announced on `alma_keys_revoked` at
        commit. A lost listening connection is opened again, and the cache emptied each time, so that no
        revocation announced meanwhile is missed."""
        self._database_url = database_url
        connection = await asyncpg.connect(database_url, timeout=10)
        await connection.add_listener(REVOKED_CHANNEL, self._revoked)
        connection.add_termination_listener(self._lost)
        self._listener = connection
        self.cache.clear()

    def _revoked(self, connection: object, pid: int, channel: str, prefix: str) -> None:
        self.cache.evict(prefix)

    def _lost(self, connection: object) -> None:
        self.cache.clear()
        if not self._closing:
            self._reconnecting = asyncio.get_running_loop().create_task(self._listen_again())

    async def _listen_again(self) -> None:
        while not self._closing:
            try:
                await self.listen(self._database_url)
                return
            except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError, TimeoutError):
                await asyncio.sleep(1)

    async def close(self) -> None:
        self._closing = True
        if self._reconnecting is not None:
            self._reconnecting.cancel()
        if self._listener is not None:
            self._listener.terminate()  # at once, even when the database is away

    async def identify(self, authorization: str | None) -> Caller:
        """The caller behind an Authorization header; open callers where keys are not required."""
        if not self.required and not authorization:
            return OPEN
        key = bearer_token(authorization)
        if self.operator_key and hmac.compare_digest(self.operator_key.encode(), key.encode()):
            return Caller(role="operator", key="operator")
        prefix = key_prefix(key)
        if prefix is None:
            raise Unauthorized("That is not an ALMA API key (they look like `alma_<12 hex>_<secret>`).")
        digest = hash_key(key)
        if (cached := self.cache.get(digest)) is not None:
            return cached
        row = await self.keys.key_row(prefix)
        # the same comparison whether or not the prefix exists, so timing tells nothing; no write before it passes
        if not matches(row["secret_hash"] if row is not None else UNKNOWN_KEY_HASH, key) or row is None:
            raise Unauthorized("Unknown or revoked API key. Ask a project admin for a valid one.")
        await self.keys.stamp_use(row["project_id"], row["key_id"])
        caller = Caller(role=row["role"], project_id=row["project_id"], agent=row["agent"], key=prefix)
        self.cache.put(digest, caller)
        return caller

    async def create_project(self, project_id: str) -> dict[str, Any]:
        """A new, empty project and its first admin key (the answer is the only place its secret is shown)."""
        return await self.keys.create_project(project_id, new_key())

    async def list_projects(self) -> list[dict[str, Any]]:
        return await self.keys.list_projects()

    async def create_key(self, project_id: str, role: str, agent: str | None, name: str | None) -> dict[str, Any]:
        """A new key; the answer is the only place its secret is ever shown."""
        return await self.keys.create_key(project_id, role, agent, name, new_key())

    async def list_keys(self, project_id: str) -> list[dict[str, Any]]:
        return await self.keys.list_keys(project_id)

    async def revoke_key(self, project_id: str, prefix: str) -> dict[str, Any]:
        revoked = await self.keys.revoke_key(project_id, prefix)
        self.cache.evict(prefix)
        return revoked
