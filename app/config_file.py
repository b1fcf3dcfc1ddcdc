"""The ALMA config file: parse every layout the guide's readers write into a ProjectConfig.

`agents:` may sit beside `alma:` (the guide's printed layout), under `alma:`, or in a file with no `alma:` at
all; `project_id` and `storage` may sit under `alma:` or at the top. A file that names no agents is refused
rather than read as "remove every agent". Keys this service does not use become warnings, not errors.
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
CLIENT_KEYS = {"server_url", "api_key"}  # read by the SDKs, not by the service
SECTION_KEYS = {"agents", "project_id", "storage"} | CLIENT_KEYS
TOP_KEYS = SECTION_KEYS | {"alma"}
SETTINGS = ("project_id", "storage")


def parse_config_text(text: str | bytes) -> ProjectConfig:
    """Parse YAML (or JSON, which YAML reads too) into a ProjectConfig."""
    try:
        document = yaml.safe_load(text)
    except yaml.YAMLError as error:
        raise InvalidConfig(f"The config is not valid YAML: {error}. Check its indentation.") from error
    return parse_config(document)


def parse_config(document: Any) -> ProjectConfig:
    """Turn the loaded document into a ProjectConfig; every error names where it is and how to fix it."""
    if document is None:
        raise InvalidConfig("The config is empty: it needs an `agents:` mapping (beside `alma:` or under it).")
    if not isinstance(document, dict):
        raise InvalidConfig("The config must be a mapping with an `agents:` section (beside `alma:` or under it).")
    section = document.get("alma")
    if section is None:
        section = {}
    if not isinstance(section, dict):
        raise InvalidConfig("`alma:` must be a mapping holding `project_id`, `storage` and maybe `agents`.")
    warnings = _unknown_keys(document, TOP_KEYS, "") + _unknown_keys(section, SECTION_KEYS, "alma.")
    agents = _agents(document, section)
    problems: list[tuple[dict[str, str], str]] = []  # (the error, the sentence that explains it)
    checked = {name: _agent_settings(name, settings, problems) for name, settings in agents.items()}
    settings = {key: _setting(document, section, key) for key in SETTINGS}
    try:
        config = ProjectConfig(
            project_id=settings["project_id"],
            storage=None if settings["storage"] is None else str(settings["storage"]),
            agents=checked,
            warnings=warnings,
        )
    except ValidationError as error:
        problems += [(item, f"{item['field']}: {item['message']}.") for item in _error_list(error)]
    if problems:
        raise InvalidConfig("Fix the config: " + " ".join(sentence for _, sentence in problems),
                            errors=[item for item, _ in problems])  # fmt: skip
    return config


def _agents(document: dict[Any, Any], section: dict[Any, Any]) -> dict[Any, Any]:
    """The `agents:` mapping from wherever the file holds it; refuse none, two, or one that is not a mapping."""
    if "agents" in document and "agents" in section:
        raise InvalidConfig(
            "`agents:` appears twice: beside `alma:` at the top level and under `alma:`. "
            "Keep one of them (the guide puts it beside `alma:`).",
            errors=[{"field": "agents", "message": "also under alma:"}, {"field": "alma.agents", "message": "also at the top"}],
        )  # fmt: skip
    if "agents" not in document and "agents" not in section:
        raise InvalidConfig(_no_agents(document, section), errors=[{"field": "agents", "message": "missing"}])
    agents = document["agents"] if "agents" in document else section["agents"]
    if agents is None:
        return {}
    if not isinstance(agents, dict):
        raise InvalidConfig("`agents:` must map agent names to their settings.")
    return agents


def _no_agents(document: dict[Any, Any], section: dict[Any, Any]) -> str:
    """Why a file without `agents:` is refused, what was found instead, and the likely typo."""
    found = f"top-level keys: {_keys(document)}"
    if section:
        found += f"; under alma: {_keys(section)}"
    hints = [hint for keys, known in ((document, TOP_KEYS), (section, SECTION_KEYS)) for key in keys
             if str(key) not in known and (hint := _did_you_mean(key, known))]  # fmt: skip
    return (
        f"The config names no agents, so applying it would remove every agent of the project. Found {found}. "
        "Expected an `agents:` mapping beside `alma:` (as in the guide) or under it."
        + (" " + " ".join(hints) if hints else "")
        + " To remove every agent on purpose, write `agents: {}` and pass allow_remove_all."
    )


def _keys(mapping: dict[Any, Any]) -> str:
    return ", ".join(str(key) for key in mapping) or "none"


def _did_you_mean(key: Any, known: set[str] | list[str]) -> str:
    close = difflib.get_close_matches(str(key).lower(), sorted(known), n=1, cutoff=0.75)
    return f"`{key}`: did you mean `{close[0]}`?" if close else ""


def _unknown_keys(mapping: dict[Any, Any], known: set[str], path: str) -> list[str]:
    """A warning per key this service does not read (with the likely key meant)."""
    return [
        f"Unknown key `{path}{key}` is ignored: this service does not use it." + (f" {hint}" if hint else "")
        for key in mapping
        if str(key) not in known
        for hint in [_did_you_mean(key, known)]
    ]


def _setting(document: dict[Any, Any], section: dict[Any, Any], key: str) -> Any:
    """`project_id` or `storage` from under `alma:` or the top; two different values are refused."""
    if key in document and key in section and document[key] != section[key]:
        raise InvalidConfig(
            f"`{key}` is {document[key]!r} at the top level but {section[key]!r} under `alma:`. Keep one of them.",
            errors=[{"field": key, "message": "also under alma:"}, {"field": f"alma.{key}", "message": "also at the top"}],
        )  # fmt: skip
    return section.get(key, document.get(key))


def _agent_settings(name: Any, settings: Any, problems: list[tuple[dict[str, str], str]]) -> Any:
    """An agent's settings without its unknown keys, each of which is added to `problems`."""
    if settings is None:  # an agent written with no settings (`bob:`) is an agent with the defaults
        return {}
    if not isinstance(settings, dict):
        problems.append(({"field": f"agents.{name}", "message": "must be a mapping"},
                         f"Agent '{name}' must be a mapping of settings such as `share_with:`; got {settings!r}."))  # fmt: skip
        return {}
    for key in settings:
        if key not in AGENT_KEYS:
            close = difflib.get_close_matches(str(key), AGENT_KEYS, n=1)
            hint = f"Did you mean `{close[0]}`?" if close else f"Known keys: {', '.join(AGENT_KEYS)}."
            problems.append(({"field": f"agents.{name}.{key}", "message": "unknown key"},
                             f"Agent '{name}' has an unknown key `{key}`. {hint}"))  # fmt: skip
    return {key: value for key, value in settings.items() if key in AGENT_KEYS}


def _error_list(error: ValidationError) -> list[dict[str, str]]:
    return [{"field": ".".join(str(part) for part in item["loc"]), "message": item["msg"]} for item in error.errors()]


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
    for name, settings in config.agents.items():
        if name in settings.inherit_from or name in settings.share_with:
            notes.append(f"{name} names itself in its sharing lists; an agent always reads its own memories.")
    return notes
