"""The ALMA config file: parse every layout the guide's readers write into a ProjectConfig.

`agents:` may sit beside `alma:` (the guide's printed layout), under `alma:`, or in a file with no `alma:` at
all; `project_id` and `storage` may sit under `alma:` or at the top. A file that names no agents is refused
rather than read as "remove every agent". Keys this service does not use become warnings, not errors.
Not here: writing agents or grants (the repository does that).
"""

from __future__ import annotations

import difflib
import re
from typing import Any

import yaml
from pydantic import ValidationError

from app.errors import InvalidConfig
from app.models import AgentConfig, ProjectConfig

MAX_DEPTH = 12  # the deepest legitimate config is 5 levels: top, agents, agent, list, name
MAX_NODES = 2_500_000  # after aliases are expanded; a full mesh of MAX_AGENTS agents needs about 2 million
MAX_PROBLEMS = 20  # errors listed in one answer; the rest are counted

AGENT_KEYS = sorted(AgentConfig.model_fields)
CLIENT_KEYS = {"server_url", "api_key"}  # read by the SDKs, not by the service
SECTION_KEYS = {"agents", "project_id", "storage"} | CLIENT_KEYS
TOP_KEYS = SECTION_KEYS | {"alma"}
SETTINGS = ("project_id", "storage")


class BoundedLoader(yaml.SafeLoader):
    """A safe YAML loader that refuses nesting past MAX_DEPTH while composing (deep input would exhaust the
    stack) and documents whose aliases expand past MAX_NODES before anything is built from them (an alias
    bomb of a few hundred bytes can stand for billions of nodes)."""

    def __init__(self, stream: str | bytes) -> None:
        super().__init__(stream)
        self._depth = 0

    def compose_node(self, parent: yaml.Node | None, index: object) -> yaml.Node | None:
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                raise InvalidConfig(f"The config nests deeper than {MAX_DEPTH} levels; an ALMA config needs 5.")
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1

    def construct_document(self, node: yaml.Node) -> object:
        expanded = _expanded_size(node, {})
        if expanded > MAX_NODES:
            raise InvalidConfig(
                f"The config's aliases expand to more than {MAX_NODES:,} values; write it out, or with fewer aliases."
            )
        return super().construct_document(node)


def _expanded_size(node: yaml.Node, sizes: dict[int, int]) -> int:
    """How many nodes the document has with every alias written out; each distinct node is counted once."""
    if (known := sizes.get(id(node))) is not None:
        return known
    if isinstance(node, yaml.MappingNode):
        size = 1 + sum(_expanded_size(key, sizes) + _expanded_size(value, sizes) for key, value in node.value)
    elif isinstance(node, yaml.SequenceNode):
        size = 1 + sum(_expanded_size(item, sizes) for item in node.value)
    else:
        size = 1
    sizes[id(node)] = size = min(size, MAX_NODES + 1)
    return size


def parse_config_text(text: str | bytes, source: str = "the config") -> ProjectConfig:
    """Parse YAML (or JSON, which YAML reads too) into a ProjectConfig; `source` names it in errors."""
    try:
        document = yaml.load(text, Loader=BoundedLoader)  # noqa: S506 (BoundedLoader is a SafeLoader)
    except yaml.YAMLError as error:
        where = re.sub(r'"<(byte|unicode) string>"', source, str(error))
        named = source[:1].upper() + source[1:]
        raise InvalidConfig(f"{named} is not valid YAML: {_short(where)}. Check its indentation.") from error
    return parse_config(document)


def _short(value: object, limit: int = 300) -> str:
    """A value as text for an error message, cut to `limit` characters."""
    text = str(value)
    return text if len(text) <= limit else text[:limit] + "…"


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
            project_id=settings["project_id"], storage=settings["storage"], agents=checked, warnings=warnings
        )
    except ValidationError as error:
        problems += [(item, f"{item['field']}: {item['message']}.") for item in _error_list(error)]
    if problems:
        shown, more = problems[:MAX_PROBLEMS], len(problems) - MAX_PROBLEMS
        detail = "Fix the config: " + " ".join(sentence for _, sentence in shown)
        raise InvalidConfig(detail + (f" … and {more} more." if more > 0 else ""), errors=[item for item, _ in shown])
    return config


def _agents(document: dict[Any, Any], section: dict[Any, Any]) -> dict[Any, Any]:
    """The `agents:` mapping from wherever the file holds it; refuse none, two, or one that is not a mapping."""
    if "agents" in document and "agents" in section:
        raise InvalidConfig(
            "`agents:` appears twice: beside `alma:` at the top level and under `alma:`. "
            "Keep one of them (the guide puts it beside `alma:`).",
            errors=[
                {"field": "agents", "message": "also under alma:"},
                {"field": "alma.agents", "message": "also at the top"},
            ],
        )
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
    hints = [
        hint
        for keys, known in ((document, TOP_KEYS), (section, SECTION_KEYS))
        for key in keys
        if str(key) not in known and (hint := _did_you_mean(key, known))
    ]
    return (
        f"The config names no agents, so applying it would remove every agent of the project. Found {found}. "
        "Expected an `agents:` mapping beside `alma:` (as in the guide) or under it."
        + (" " + " ".join(hints) if hints else "")
        + " To remove every agent on purpose, write `agents: {}` and pass allow_remove_all."
    )


def _keys(mapping: dict[Any, Any]) -> str:
    return _short(", ".join(_short(key, 64) for key in list(mapping)[:20])) or "none"


def _did_you_mean(key: Any, known: set[str] | list[str]) -> str:
    close = difflib.get_close_matches(_short(key, 64).lower(), sorted(known), n=1, cutoff=0.75)
    return f"`{_short(key, 64)}`: did you mean `{close[0]}`?" if close else ""


def _unknown_keys(mapping: dict[Any, Any], known: set[str], path: str) -> list[str]:
    """A warning per key this service does not read (with the likely key meant)."""
    return [
        f"Unknown key `{path}{_short(key, 64)}` is ignored: this service does not use it."
        + (f" {hint}" if hint else "")
        for key in list(mapping)[:MAX_PROBLEMS]
        if str(key) not in known
        for hint in [_did_you_mean(key, known)]
    ]


def _setting(document: dict[Any, Any], section: dict[Any, Any], key: str) -> Any:
    """`project_id` or `storage` from under `alma:` or the top; two different values are refused."""
    if key in document and key in section and document[key] != section[key]:
        raise InvalidConfig(
            f"`{key}` is {_short(repr(document[key]), 80)} at the top level but {_short(repr(section[key]), 80)} "
            "under `alma:`. Keep one of them.",
            errors=[
                {"field": key, "message": "also under alma:"},
                {"field": f"alma.{key}", "message": "also at the top"},
            ],
        )
    return section.get(key, document.get(key))


def _agent_settings(name: Any, settings: Any, problems: list[tuple[dict[str, str], str]]) -> Any:
    """An agent's settings, validated, without its unknown keys; each unknown key and each invalid value is
    added to `problems`."""
    if settings is None:  # an agent written with no settings (`bob:`) is an agent with the defaults
        return {}
    if not isinstance(settings, dict):
        problems.append(
            (
                {"field": f"agents.{_short(name, 64)}", "message": "must be a mapping"},
                f"Agent '{_short(name, 64)}' must be a mapping of settings such as `share_with:`; "
                f"got {_short(repr(settings), 80)}.",
            )
        )
        return {}
    for key in settings:
        if key not in AGENT_KEYS:
            close = difflib.get_close_matches(str(key), AGENT_KEYS, n=1)
            hint = f"Did you mean `{close[0]}`?" if close else f"Known keys: {', '.join(AGENT_KEYS)}."
            problems.append(
                (
                    {"field": f"agents.{_short(name, 64)}.{_short(key, 64)}", "message": "unknown key"},
                    f"Agent '{_short(name, 64)}' has an unknown key `{_short(key, 64)}`. {hint}",
                )
            )
    try:  # one agent at a time: a single call over a big config would hold the GIL, and the event loop, for long
        return AgentConfig.model_validate({key: value for key, value in settings.items() if key in AGENT_KEYS})
    except ValidationError as error:
        where = f"agents.{_short(name, 64)}"
        problems.extend(
            ({**item, "field": f"{where}.{item['field']}"}, f"{where}.{item['field']}: {item['message']}.")
            for item in _error_list(error)
        )
        return {}


def _error_list(error: ValidationError) -> list[dict[str, str]]:
    return [{"field": ".".join(str(part) for part in item["loc"]), "message": item["msg"]} for item in error.errors()]


def config_notes(config: ProjectConfig) -> list[str]:
    """What the file asked for that this service does differently."""
    notes = []
    if config.storage and config.storage.lower() not in {"postgres", "postgresql"}:
        notes.append(f"storage: {config.storage} is accepted and noted: this service stores memories in PostgreSQL.")
    for name, settings in config.agents.items():
        if name in settings.inherit_from or name in settings.share_with:
            notes.append(f"{name} names itself in its sharing lists; an agent always reads its own memories.")
    return notes
