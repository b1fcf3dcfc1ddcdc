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
from typing import Any, ClassVar, Concatenate, Generic, ParamSpec, TypeVar

import httpx

from alma import __version__
from alma.api import Call, ProjectAPI
from alma.config import read_config, resolve_api_key, resolve_url
from alma.errors import ALMAConfigWarning, ConfigError, error_from_response, unreachable
from alma.models import ConfigApplied

P = ParamSpec("P")
T = TypeVar("T")
TransportT = TypeVar("TransportT", httpx.BaseTransport, httpx.AsyncBaseTransport)

log = logging.getLogger("alma")

RETRY_STATUSES = frozenset({502, 503, 504})
DEFAULT_TIMEOUT = 10.0
DEFAULT_ATTEMPTS = 3
DEFAULT_BACKOFF = 0.2


class _Client(Generic[TransportT]):
    """What both clients share: settings, building the HTTP request, the retry rule, reading the answer.

    Each client names the httpx client it sends with, `_http_class` (`httpx.Client` for ALMA, `httpx.AsyncClient`
    for AsyncALMA); a `transport` given is one of that class's transports.
    """

    _http_class: ClassVar[type[httpx.Client] | type[httpx.AsyncClient]]

    def __init__(
        self,
        *,
        project_id: str,
        base_url: str | None = None,
        api_key: str | None = None,
        timeout: float = DEFAULT_TIMEOUT,
        attempts: int = DEFAULT_ATTEMPTS,
        backoff: float = DEFAULT_BACKOFF,
        transport: TransportT | None = None,
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
        self._http = self._http_class(
            base_url=self.base_url,
            headers=self._headers(),
            timeout=timeout,
            transport=transport,  # type: ignore[arg-type]  # a subclass pairs _http_class with its TransportT
        )

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

    def _build(self, call: Call[Any]) -> httpx.Request:
        return self._http.build_request(
            call.method, call.path, params=call.params, json=call.json, content=call.content, headers=call.headers
        )

    def _retries(self, call: Call[Any], attempt: int, answer: httpx.Response | httpx.TransportError) -> bool:
        """Whether to try `call` again after its `attempt`-th try got `answer`: only an idempotent call, after a
        connection failure or a 502/503/504, while it has attempts left."""
        failed = isinstance(answer, httpx.TransportError) or answer.status_code in RETRY_STATUSES
        return failed and call.idempotent and attempt < self.attempts

    def _delay(self, attempt: int) -> float:
        """Exponential backoff: backoff, 2 × backoff, 4 × backoff, ..."""
        return self.backoff * 2.0 ** (attempt - 1)

    def _read(self, call: Call[T], request: httpx.Request, answer: httpx.Response | httpx.TransportError) -> T:
        """The parsed answer, or the typed error: the one the service's problem details describe, or unreachable."""
        if isinstance(answer, httpx.TransportError):
            raise unreachable(request, answer, self.timeout) from answer
        if answer.is_error:
            raise error_from_response(answer)
        return call.parse(answer.json() if answer.content else None)


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


class ALMA(_Client[httpx.BaseTransport]):
    """A project's memory over blocking HTTP: `ALMA.from_config(".alma/config.yaml")`.

    `ALMA(project_id=..., base_url=..., api_key=...)` connects without a config file; base_url defaults
    to ALMA_URL, then http://localhost:8765, and api_key to ALMA_API_KEY. `timeout` is in seconds;
    idempotent calls are tried `attempts` times, waiting `backoff`, then twice as long, between tries.
    `transport` is an `httpx.BaseTransport` to send over instead of the network.
    """

    _http_class = httpx.Client
    _http: httpx.Client

    @classmethod
    def from_config(cls, path: str | os.PathLike[str], **options: Any) -> ALMA:
        """A client for the project the config file names, with the file's agents applied to the service.

        The service is `server_url` in the file, else ALMA_URL, else http://localhost:8765; the key is
        `api_key` in the file, else ALMA_API_KEY. Keyword `options` (base_url, project_id, api_key,
        timeout, ...) override the file. Applying an unchanged file changes nothing.

        What applying did is kept as `config_applied`; each of its warnings (unknown keys, one-sided sharing,
        removed agents) is emitted as an `ALMAConfigWarning` and logged on the `alma` logger.
        """
        client = cls(**cls._settings_from_config(path, options))
        try:
            client._applied(client.apply_config(Path(path)))
        except BaseException:
            client.close()
            raise
        return client

    def _send(self, call: Call[T]) -> T:
        request = self._build(call)
        attempt = 1
        while True:
            try:
                answer: httpx.Response | httpx.TransportError = self._http.send(request)
            except httpx.TransportError as error:
                answer = error
            if not self._retries(call, attempt, answer):
                return self._read(call, request, answer)
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


class AsyncALMA(_Client[httpx.AsyncBaseTransport]):
    """A project's memory over asyncio: `await AsyncALMA.from_config(".alma/config.yaml")`.

    The same methods and arguments as `ALMA`, each to be awaited (`transport` is an `httpx.AsyncBaseTransport`);
    close with `await client.aclose()` or use `async with`.
    """

    _http_class = httpx.AsyncClient
    _http: httpx.AsyncClient

    @classmethod
    async def from_config(cls, path: str | os.PathLike[str], **options: Any) -> AsyncALMA:
        """As `ALMA.from_config`, awaited."""
        client = cls(**cls._settings_from_config(path, options))
        try:
            client._applied(await client.apply_config(Path(path)))
        except BaseException:
            await client.aclose()
            raise
        return client

    async def _send(self, call: Call[T]) -> T:
        request = self._build(call)
        attempt = 1
        while True:
            try:
                answer: httpx.Response | httpx.TransportError = await self._http.send(request)
            except httpx.TransportError as error:
                answer = error
            if not self._retries(call, attempt, answer):
                return self._read(call, request, answer)
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
