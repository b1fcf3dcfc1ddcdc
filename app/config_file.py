"""The ALMA config file: parse either layout into a ProjectConfig, and explain its sharing edges.

Both `agents:` at the top level and everything nested under `alma:` are accepted, as in the guide.
Not here: writing agents or grants (the repository does that).
"""

from __future__ import annotations

import difflib
from typing import Any

import yaml
from pydantic import ValidationError

from app.errors import InvalidConfig
from app.models import AgentConfig, ProjectConfig

AGENT_KEYS = sorted(AgentConfig.model_fields)
KNOWN_TOP_KEYS = {"project_id", "storage", "agents"}
CLIENT_KEYS = {"server_url", "api_key"}  # read by the SDKs, not by the service


def parse_config_text(text: str | bytes) -> ProjectConfig:
    """Parse YAML (or JSON, which YAML reads too) into a ProjectConfig."""
    try:
        document = yaml.safe_load(text)
    except yaml.YAMLError as error:
        raise InvalidConfig(f"The config is not valid YAML: {error}. Check its indentation.") from error
    return parse_config(document)


def parse_config(document: Any) -> ProjectConfig:
    """Turn the loaded document into a ProjectConfig; errors name the agent and the key to fix."""
    if not isinstance(document, dict):
        raise InvalidConfig("The config must be a mapping with an `agents:` section (at the top or under `alma:`).")
    section = document.get("alma", document)
    if not isinstance(section, dict):
        raise InvalidConfig("`alma:` must be a mapping holding `project_id`, `storage` and `agents`.")
    ignored = sorted(str(key) for key in section if key not in KNOWN_TOP_KEYS | CLIENT_KEYS)
    if "alma" in document:
        ignored += sorted(f"{key} (outside alma:)" for key in document if key not in {"alma"} | CLIENT_KEYS)
    agents = section.get("agents") or {}
    if not isinstance(agents, dict):
        raise InvalidConfig("`agents:` must map agent names to their settings.")
    # An agent written with no settings (`bob:`) is an agent with the defaults.
    agents = {name: settings if settings is not None else {} for name, settings in agents.items()}
    for name, settings in agents.items():
        _check_agent_keys(name, settings)
    try:
        return ProjectConfig(
            project_id=section.get("project_id"),
            storage=None if section.get("storage") is None else str(section.get("storage")),
            agents=agents,
            ignored_keys=ignored,
        )
    except ValidationError as error:
        raise InvalidConfig(_explain(error), errors=_error_list(error)) from error


def _check_agent_keys(name: Any, settings: Any) -> None:
    if not isinstance(settings, dict):
        raise InvalidConfig(f"Agent '{name}' must be a mapping of settings such as `share_with:`; got {settings!r}.")
    for key in settings:
        if key not in AGENT_KEYS:
            close = difflib.get_close_matches(str(key), AGENT_KEYS, n=1)
            hint = f" Did you mean `{close[0]}`?" if close else f" Known keys: {', '.join(AGENT_KEYS)}."
            raise InvalidConfig(
                f"Agent '{name}' has an unknown key `{key}`.{hint}",
                errors=[{"field": f"agents.{name}.{key}", "message": "unknown key"}],
            )


def _error_list(error: ValidationError) -> list[dict[str, str]]:
    return [{"field": ".".join(str(part) for part in item["loc"]), "message": item["msg"]} for item in error.errors()]


def _explain(error: ValidationError) -> str:
    return "Fix the config: " + "; ".join(f"{e['field']}: {e['message']}" for e in _error_list(error))


def sharing_warnings(config: ProjectConfig) -> list[str]:
    """Declarations that move no memory: one-sided edges and names that are not agents of the project."""
    agents = config.agents
    project = config.project_id or "this project"
    warnings = []
    for reader, settings in agents.items():
        for source in settings.inherit_from:
            if source == reader:
                continue
            if source not in agents:
                warnings.append(f"{reader} inherits from {source}, which is not an agent of {project}.")
            elif reader not in agents[source].share_with:
                warnings.append(
                    f"{reader} inherits from {source}, but {source} does not share with {reader}: "
                    "no memories will flow."
                )
    for source, settings in agents.items():
        for reader in settings.share_with:
            if reader == source:
                continue
            if reader not in agents:
                warnings.append(f"{source} shares with {reader}, which is not an agent of {project}.")
            elif source not in agents[reader].inherit_from:
                warnings.append(
                    f"{source} shares with {reader}, but {reader} does not inherit from {source}: "
                    "no memories will flow."
                )
    return warnings


def config_notes(config: ProjectConfig) -> list[str]:
    """What the file asked for that this service does differently."""
    notes = []
    if config.storage and config.storage.lower() not in {"postgres", "postgresql"}:
        notes.append(
            f"storage: {config.storage} is accepted and noted: this service stores memories in PostgreSQL."
        )
    if config.ignored_keys:
        notes.append(f"Ignored keys this service does not use: {', '.join(config.ignored_keys)}.")
    for name, settings in config.agents.items():
        if name in settings.inherit_from or name in settings.share_with:
            notes.append(f"{name} names itself in its sharing lists; an agent always reads its own memories.")
    return notes
