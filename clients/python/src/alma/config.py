"""The ALMA config file as the client reads it: where the service is, the key, the project.

Every layout of the guide is read: `project_id` under `alma:` or at the top. The agents themselves are the
service's business: the client sends the file as it is and lets the service check it.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from alma.errors import ConfigError

DEFAULT_URL = "http://localhost:8765"
URL_VARIABLE = "ALMA_URL"
API_KEY_VARIABLE = "ALMA_API_KEY"


@dataclass(frozen=True)
class ConfigFile:
    """The client settings a config file holds (None where it has none)."""

    project_id: str | None
    server_url: str | None
    api_key: str | None


def read_text(path: str | os.PathLike[str]) -> str:
    """The config file's text; a missing or unreadable file is a ConfigError that names the path."""
    try:
        return Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(
            f"No config file at {os.fspath(path)!r} (looked in {Path.cwd()}). Create it with the project's agents "
            "(see the guide's complete example), or pass the right path."
        ) from None
    except (OSError, UnicodeDecodeError) as error:
        raise ConfigError(f"Cannot read the config file {os.fspath(path)!r}: {error}.") from error


def read_config(path: str | os.PathLike[str]) -> ConfigFile:
    """Read and parse the config file at `path`."""
    return parse_config(read_text(path), source=str(path))


def parse_config(text: str, source: str = "the config") -> ConfigFile:
    """The client settings of a config text; a key under `alma:` wins over the same key at the top."""
    try:
        document = yaml.safe_load(text)
    except yaml.YAMLError as error:
        raise ConfigError(f"{source} is not valid YAML: {error}. Check its indentation.") from error
    if not isinstance(document, dict):
        raise ConfigError(f"{source} must be a mapping with an `agents:` section (at the top or under `alma:`).")
    section = document.get("alma")
    if not isinstance(section, dict):
        section = {}
    return ConfigFile(
        project_id=_setting(section, document, "project_id"),
        server_url=_setting(section, document, "server_url"),
        api_key=_setting(section, document, "api_key"),
    )


def _setting(section: dict[str, Any], document: dict[str, Any], key: str) -> str | None:
    value = section.get(key, document.get(key))
    return None if value is None else str(value)


def resolve_url(configured: str | None = None) -> str:
    """The service's URL: the one given, else ALMA_URL, else the local default."""
    url = (configured or os.environ.get(URL_VARIABLE) or DEFAULT_URL).rstrip("/")
    if not url.startswith(("http://", "https://")):
        raise ConfigError(f"The service URL {url!r} must start with http:// or https://, as in {DEFAULT_URL}.")
    return url


def resolve_api_key(configured: str | None = None) -> str | None:
    """The API key: the one given, else ALMA_API_KEY, else none."""
    return configured or os.environ.get(API_KEY_VARIABLE) or None
