"""The `alma` command's way to a running service: its REST API, with the caller's key. Every command that has
an HTTP equivalent goes this way when a service is known (`--url` / ALMA_URL, or the one running for the data
directory); its answers are read into the same models the service writes them from."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import click
import httpx

from app.models import ConfigApplied
from app.settings import Settings
from app.sharing.explain import SharingExplanation

SERVICE_FILE = "service.json"  # in the data directory, while `alma serve` runs there


def record_service(settings: Settings) -> Path:
    """Say where the service of this data directory listens, for the commands run beside it."""
    path = settings.data_dir / SERVICE_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    host = "127.0.0.1" if settings.host in ("0.0.0.0", "::") else settings.host
    path.write_text(json.dumps({"url": f"http://{host}:{settings.port}", "pid": os.getpid()}))
    return path


def running_service(settings: Settings) -> str | None:
    """The URL of the service running for the data directory, if one is (it answers /health)."""
    path = settings.data_dir / SERVICE_FILE
    try:
        url = json.loads(path.read_text())["url"]
        if httpx.get(f"{url}/health", timeout=2).status_code == 200:
            return str(url)
    except (OSError, ValueError, KeyError, httpx.HTTPError):
        pass
    return None


class Service:
    """The service at `url`, called with `api_key` (none where it runs open)."""

    def __init__(self, url: str, api_key: str | None) -> None:
        headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        self.url = url.rstrip("/")
        self.http = httpx.Client(base_url=self.url, headers=headers, timeout=120)

    def call(self, method: str, path: str, **request: Any) -> httpx.Response:
        """The answer to one request; a problem answer becomes the command's error, in its own words."""
        try:
            response = self.http.request(method, path, **request)
        except httpx.TransportError as error:
            raise click.ClickException(
                f"The service at {self.url} does not answer ({error}). Is `alma serve` running?"
            ) from error
        if response.status_code >= 400:
            try:
                detail = response.json().get("detail") or response.text
            except ValueError:
                detail = response.text
            hint = " Pass an API key with --api-key or ALMA_API_KEY." if response.status_code == 401 else ""
            raise click.ClickException(f"{detail}{hint}")
        return response

    def apply_config(self, project_id: str, text: bytes, allow_remove_all: bool) -> ConfigApplied:
        response = self.call(
            "PUT",
            f"/v1/projects/{project_id}/config",
            content=text,
            headers={"content-type": "application/yaml"},
            params={"allow_remove_all": "true"} if allow_remove_all else {},
        )
        return ConfigApplied.model_validate(response.json())

    def explain(self, project_id: str, agent: str) -> SharingExplanation:
        return SharingExplanation.model_validate(
            self.call("GET", f"/v1/projects/{project_id}/agents/{agent}/sharing").json()
        )

    def graph(self, project_id: str, graph_format: str) -> str:
        text = self.call("GET", f"/v1/projects/{project_id}/sharing/graph", params={"format": graph_format}).text
        return text if text.endswith("\n") else text + "\n"

    def create_key(self, project_id: str, role: str, agent: str | None, name: str | None) -> dict[str, Any]:
        body = {"role": role, **({"agent": agent} if agent else {}), **({"name": name} if name else {})}
        return dict(self.call("POST", f"/v1/projects/{project_id}/keys", json=body).json())

    def create_project(self, project_id: str) -> dict[str, Any]:
        return dict(self.call("POST", "/v1/projects", json={"project_id": project_id}).json())

    def project_exists(self, project_id: str) -> bool:
        return self.http.get(f"/v1/projects/{project_id}/agents").status_code != 404

    def list_keys(self, project_id: str) -> list[dict[str, Any]]:
        return list(self.call("GET", f"/v1/projects/{project_id}/keys").json())

    def revoke_key(self, project_id: str, prefix: str) -> None:
        self.call("DELETE", f"/v1/projects/{project_id}/keys/{prefix}")
