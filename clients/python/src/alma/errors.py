"""The exceptions the client raises, and the mapping of the service's problem details onto them.

Every error the service answers is RFC 9457 problem details whose `type` ends in a slug
(`urn:alma:problem:scope-violation`); the slug and the status choose the class.
"""

from __future__ import annotations

from typing import Any

import httpx

PROBLEM_TYPE_PREFIX = "urn:alma:problem:"


class ALMAError(Exception):
    """Anything the client or the service refused; `detail` says what to do next.

    `status` is the HTTP status and `problem` the service's problem details (both empty when the
    client itself refused); `detail` is the service's explanation, the message adds where it came from.
    """

    def __init__(self, message: str, *, status: int | None = None, problem: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.problem = problem or {}
        self.detail = str(self.problem.get("detail") or message)

    @property
    def slug(self) -> str | None:
        """The problem type without its URN prefix, such as `scope-violation`."""
        return problem_slug(self.problem)


class ConfigError(ALMAError):
    """The config file cannot be used by the client (missing, not YAML, or no project id)."""


class ALMAConfigWarning(UserWarning):
    """Applying a config did something its author may not expect: an unknown key, one-sided sharing,
    an agent removed. `ALMA.from_config` emits one per warning of the service's answer."""


class Unauthorized(ALMAError):
    """The service requires an API key and the one sent is missing, unknown or revoked."""


class Forbidden(ALMAError):
    """The key may not act as that agent, or the agent may not change that memory (`not-owner`)."""


class ScopeViolation(Forbidden):
    """A write names a domain or task type outside the agent's `can_learn` (or inside `cannot_learn`)."""


class NotFound(ALMAError):
    """The project, agent or memory does not exist."""


class ProjectNotFound(NotFound):
    """The project has no config yet: apply one (`ALMA.from_config` does)."""


class AgentNotFound(NotFound):
    """The agent is not in the project's config; `known_agents` lists those that are."""

    @property
    def agent(self) -> str | None:
        return self.problem.get("agent")

    @property
    def known_agents(self) -> list[str]:
        return list(self.problem.get("known_agents") or [])


class ValidationError(ALMAError):
    """The request was refused as malformed or invalid; `errors` names each field to fix."""

    @property
    def errors(self) -> list[dict[str, str]]:
        return list(self.problem.get("errors") or [])


class ServiceUnavailable(ALMAError):
    """The service answered but cannot serve now (its database is down, or a proxy gave up); retry later."""


class ServiceUnreachable(ALMAError):
    """No answer from the service at all: it is not running there, or it did not answer in time."""

    def __init__(self, message: str, *, url: str) -> None:
        super().__init__(message)
        self.url = url


def problem_slug(problem: dict[str, Any]) -> str | None:
    problem_type = problem.get("type")
    return problem_type.removeprefix(PROBLEM_TYPE_PREFIX) if isinstance(problem_type, str) else None


NOT_FOUND_BY_SLUG = {"agent-not-found": AgentNotFound, "project-not-found": ProjectNotFound}


def error_class(status: int, slug: str | None) -> type[ALMAError]:
    """The exception class for an error status and its problem slug."""
    if status == 401:
        return Unauthorized
    if status == 403:
        return ScopeViolation if slug == "scope-violation" else Forbidden
    if status == 404:
        return NOT_FOUND_BY_SLUG.get(slug or "", NotFound)
    if status in (400, 422):
        return ValidationError
    if status in (502, 503, 504):
        return ServiceUnavailable
    return ALMAError


def error_from_response(response: httpx.Response) -> ALMAError:
    """The typed exception for an error answer, problem details or not (a proxy may answer HTML)."""
    try:
        problem = response.json()
    except ValueError:
        problem = None
    if not isinstance(problem, dict):
        text = response.text.strip()[:500] or response.reason_phrase
        problem = {"status": response.status_code, "detail": text}
    detail = problem.get("detail") or problem.get("title") or response.reason_phrase
    request = response.request
    message = f"{detail} ({response.status_code} from {request.method} {request.url})"
    error_type = error_class(response.status_code, problem_slug(problem))
    return error_type(message, status=response.status_code, problem=problem)


def unreachable(request: httpx.Request, error: httpx.TransportError, timeout: float | None) -> ServiceUnreachable:
    """What to tell a caller whose request got no answer, and what to do about it."""
    base = f"{request.url.scheme}://{request.url.netloc.decode()}"
    if isinstance(error, httpx.TimeoutException):
        what = f"The ALMA service at {base} did not answer {request.method} {request.url.path} in time"
        what += f" ({timeout:g} s)." if timeout else "."
        hint = " Check that it is healthy, or raise the client's `timeout`."
    else:
        what = f"Could not reach the ALMA service at {base} ({error.__class__.__name__}: {error})."
        hint = (
            " Is it running? Start it with `alma serve`, or point the client at it with"
            " `server_url` in the config, the ALMA_URL environment variable or `base_url=`."
        )
    return ServiceUnreachable(what + hint, url=str(request.url))
