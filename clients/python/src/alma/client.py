"""`ALMA` and `AsyncALMA`: one project's memory, over a blocking or an asyncio transport.

Both expose the same methods, built once in `ProjectAPI`; a client only sends the call, retries it when
that is safe, and turns the answer into models or typed errors. Retries are for idempotent calls only
(reads, config, deletes, retrieve) after a connection failure or a 502/503/504: a write such as `learn`
is never sent twice.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import os
import time
import warnings
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, Concatenate, ParamSpec, TypeVar

import httpx

from alma import __version__
from alma.api import Call, ProjectAPI
from alma.config import read_config, resolve_api_key, resolve_url
from alma.errors import ALMAConfigWarning, ConfigError, error_from_response, unreachable
from alma.models import ConfigApplied

P = ParamSpec("P")
T = TypeVar("T")

log = logging.getLogger("alma")

RETRY_STATUSES = frozenset({502, 503, 504})
DEFAULT_TIMEOUT = 10.0
DEFAULT_ATTEMPTS = 3
DEFAULT_BACKOFF = 0.2


class _Client:
    """What both clients share: settings, building the HTTP request, the retry rule, reading the answer."""

    def __init__(
        self,
        *,
        project_id: str,
        base_url: str | None = None,
        api_key: str | None = None,
        timeout: float = DEFAULT_TIMEOUT,
        attempts: int = DEFAULT_ATTEMPTS,
        backoff: float = DEFAULT_BACKOFF,
    ) -> None:
        if not project_id:
            raise ConfigError("A project id is needed: ALMA(project_id='my-team', ...).")
        if attempts < 1:
            raise ValueError("attempts must be at least 1")
        self.project_id = project_id
        self.base_url = resolve_url(base_url)
        self.timeout = timeout
        self.attempts = attempts
        self.backoff = backoff
        self._api_key = resolve_api_key(api_key)
        self._api = ProjectAPI(project_id)
        self.config_applied: ConfigApplied | None = None  # what `from_config` applying the file did

    def __repr__(self) -> str:
        return f"{type(self).__name__}(base_url={self.base_url!r}, project_id={self.project_id!r})"

    def _headers(self) -> dict[str, str]:
        headers = {"Accept": "application/json", "User-Agent": f"alma-memory-client/{__version__}"}
        if self._api_key:
            headers["Authorization"] = f"Bearer {self._api_key}"
        return headers

    @staticmethod
    def _settings_from_config(path: str | os.PathLike[str], options: dict[str, Any]) -> dict[str, Any]:
        """The client's settings: arguments first, then the config file, then the environment."""
        config = read_config(path)
        project_id = options.pop("project_id", None) or config.project_id
        if not project_id:
            raise ConfigError(
                f"{path} names no project: add `project_id: my-team` (under `alma:` or at the top),"
                " or pass project_id= to from_config."
            )
        options["project_id"] = project_id
        options["base_url"] = options.get("base_url") or config.server_url
        options["api_key"] = options.get("api_key") or config.api_key
        return options

    def _applied(self, applied: ConfigApplied) -> None:
        """Keep what applying the config did, and say each of its warnings where a user will see it."""
        self.config_applied = applied
        for text in applied.warnings:
            log.warning("%s", text)
            warnings.warn(text, ALMAConfigWarning, stacklevel=3)  # at the caller of from_config

    def _build(self, http: httpx.Client | httpx.AsyncClient, call: Call[Any]) -> httpx.Request:
        return http.build_request(
            call.method, call.path, params=call.params, json=call.json, content=call.content, headers=call.headers
        )

    def _may_retry(self, call: Call[Any], attempt: int) -> bool:
        return call.idempotent and attempt < self.attempts

    def _delay(self, attempt: int) -> float:
        """Exponential backoff: backoff, 2 × backoff, 4 × backoff, ..."""
        return self.backoff * 2.0 ** (attempt - 1)

    def _read(self, call: Call[T], response: httpx.Response) -> T:
        """The parsed answer, or the typed error the service's problem details describe."""
        if response.is_error:
            raise error_from_response(response)
        return call.parse(response.json() if response.content else None)


def _sync(build: Callable[Concatenate[ProjectAPI, P], Call[T]]) -> Callable[Concatenate[ALMA, P], T]:
    """A blocking client method that sends the call `build` makes."""

    @functools.wraps(build)
    def method(self: ALMA, /, *args: P.args, **kwargs: P.kwargs) -> T:
        return self._send(build(self._api, *args, **kwargs))

    return method


def _async(build: Callable[Concatenate[ProjectAPI, P], Call[T]]) -> Callable[Concatenate[AsyncALMA, P], Awaitable[T]]:
    """An asyncio client method that sends the call `build` makes."""

    @functools.wraps(build)
    async def method(self: AsyncALMA, /, *args: P.args, **kwargs: P.kwargs) -> T:
        return await self._send(build(self._api, *args, **kwargs))

    return method


class ALMA(_Client):
    """A project's memory over blocking HTTP: `ALMA.from_config(".alma/config.yaml")`.

    `ALMA(project_id=..., base_url=..., api_key=...)` connects without a config file; base_url defaults
    to ALMA_URL, then http://localhost:8765, and api_key to ALMA_API_KEY. `timeout` is in seconds;
    idempotent calls are tried `attempts` times, waiting `backoff`, then twice as long, between tries.
    """

    def __init__(
        self,
        *,
        project_id: str,
        base_url: str | None = None,
        api_key: str | None = None,
        timeout: float = DEFAULT_TIMEOUT,
        attempts: int = DEFAULT_ATTEMPTS,
        backoff: float = DEFAULT_BACKOFF,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        super().__init__(
            project_id=project_id,
            base_url=base_url,
            api_key=api_key,
            timeout=timeout,
            attempts=attempts,
            backoff=backoff,
        )
        self._http = httpx.Client(base_url=self.base_url, headers=self._headers(), timeout=timeout, transport=transport)

    @classmethod
    def from_config(cls, path: str | os.PathLike[str], **options: Any) -> ALMA:
        """A client for the project the config file names, with the file's agents applied to the service.

        The service is `server_url` in the file, else ALMA_URL, else http://localhost:8765; the key is
        `api_key` in the file, else ALMA_API_KEY. Keyword `options` (base_url, project_id, api_key,
        timeout, ...) override the file. Applying an unchanged file changes nothing.

        What applying did is kept as `config_applied`; each of its warnings (unknown keys, one-sided sharing,
        removed agents) is emitted as an `ALMAConfigWarning` and logged on the `alma` logger.
        """
        settings = cls._settings_from_config(path, options)
        client = cls(**settings)
        try:
            client._applied(client.apply_config(Path(path)))
        except BaseException:
            client.close()
            raise
        return client

    def _send(self, call: Call[T]) -> T:
        request = self._build(self._http, call)
        attempt = 1
        while True:
            try:
                response = self._http.send(request)
            except httpx.TransportError as error:
                if not self._may_retry(call, attempt):
                    raise unreachable(request, error, self.timeout) from error
            else:
                if response.status_code not in RETRY_STATUSES or not self._may_retry(call, attempt):
                    return self._read(call, response)
            time.sleep(self._delay(attempt))
            attempt += 1

    def close(self) -> None:
        """Close the connections."""
        self._http.close()

    def __enter__(self) -> ALMA:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    apply_config = _sync(ProjectAPI.apply_config)
    agents = _sync(ProjectAPI.agents)
    get_agent = _sync(ProjectAPI.get_agent)
    stats = _sync(ProjectAPI.stats)
    retrieve = _sync(ProjectAPI.retrieve)
    learn = _sync(ProjectAPI.learn)
    learn_many = _sync(ProjectAPI.learn_many)
    add_heuristic = _sync(ProjectAPI.add_heuristic)
    add_domain_knowledge = _sync(ProjectAPI.add_domain_knowledge)
    add_anti_pattern = _sync(ProjectAPI.add_anti_pattern)
    add_preference = _sync(ProjectAPI.add_preference)
    get_memory = _sync(ProjectAPI.get_memory)
    list_memories = _sync(ProjectAPI.list_memories)
    update_memory = _sync(ProjectAPI.update_memory)
    delete_memory = _sync(ProjectAPI.delete_memory)
    forget = _sync(ProjectAPI.forget)


class AsyncALMA(_Client):
    """A project's memory over asyncio: `await AsyncALMA.from_config(".alma/config.yaml")`.

    The same methods and arguments as `ALMA`, each to be awaited; close with `await client.aclose()`
    or use `async with`.
    """

    def __init__(
        self,
        *,
        project_id: str,
        base_url: str | None = None,
        api_key: str | None = None,
        timeout: float = DEFAULT_TIMEOUT,
        attempts: int = DEFAULT_ATTEMPTS,
        backoff: float = DEFAULT_BACKOFF,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        super().__init__(
            project_id=project_id,
            base_url=base_url,
            api_key=api_key,
            timeout=timeout,
            attempts=attempts,
            backoff=backoff,
        )
        self._http = httpx.AsyncClient(
            base_url=self.base_url, headers=self._headers(), timeout=timeout, transport=transport
        )

    @classmethod
    async def from_config(cls, path: str | os.PathLike[str], **options: Any) -> AsyncALMA:
        """As `ALMA.from_config`, awaited."""
        settings = cls._settings_from_config(path, options)
        client = cls(**settings)
        try:
            client._applied(await client.apply_config(Path(path)))
        except BaseException:
            await client.aclose()
            raise
        return client

    async def _send(self, call: Call[T]) -> T:
        request = self._build(self._http, call)
        attempt = 1
        while True:
            try:
                response = await self._http.send(request)
            except httpx.TransportError as error:
                if not self._may_retry(call, attempt):
                    raise unreachable(request, error, self.timeout) from error
            else:
                if response.status_code not in RETRY_STATUSES or not self._may_retry(call, attempt):
                    return self._read(call, response)
            await asyncio.sleep(self._delay(attempt))
            attempt += 1

    async def aclose(self) -> None:
        """Close the connections."""
        await self._http.aclose()

    async def __aenter__(self) -> AsyncALMA:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    apply_config = _async(ProjectAPI.apply_config)
    agents = _async(ProjectAPI.agents)
    get_agent = _async(ProjectAPI.get_agent)
    stats = _async(ProjectAPI.stats)
    retrieve = _async(ProjectAPI.retrieve)
    learn = _async(ProjectAPI.learn)
    learn_many = _async(ProjectAPI.learn_many)
    add_heuristic = _async(ProjectAPI.add_heuristic)
    add_domain_knowledge = _async(ProjectAPI.add_domain_knowledge)
    add_anti_pattern = _async(ProjectAPI.add_anti_pattern)
    add_preference = _async(ProjectAPI.add_preference)
    get_memory = _async(ProjectAPI.get_memory)
    list_memories = _async(ProjectAPI.list_memories)
    update_memory = _async(ProjectAPI.update_memory)
    delete_memory = _async(ProjectAPI.delete_memory)
    forget = _async(ProjectAPI.forget)
