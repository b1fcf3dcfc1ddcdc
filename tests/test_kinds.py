"""The registry of memory kinds is the one list of kinds: the API, the SDKs and the schema agree with it."""

import re
from pathlib import Path

import asyncpg

from app.asgi import create_app
from app.memory.kinds import KINDS
from tests.helpers import settings_for

ROOT = Path(__file__).resolve().parent.parent


def test_both_sdks_name_the_kinds_of_the_registry():
    import alma

    assert set(alma.MEMORY_KINDS) == {kind.name for kind in KINDS}
    typescript = (ROOT / "clients" / "typescript" / "src" / "types.ts").read_text()
    listed = re.search(r"export const MEMORY_KINDS = Object\.freeze\(\[([^\]]*)\]", typescript)
    assert listed, "types.ts no longer declares MEMORY_KINDS as expected"
    assert set(re.findall(r"'([a-z-]+)'", listed.group(1))) == {kind.path for kind in KINDS}


def test_the_api_writes_and_retrieves_each_kind_of_the_registry(database_url: str):
    spec = create_app(settings_for(database_url)).openapi_schema.to_schema()
    written = {
        path.rsplit("/", 1)[1]
        for path, item in spec["paths"].items()
        if re.fullmatch(r"/v1/projects/\{project_id\}/[a-z-]+", path) and "post" in item
    }
    assert {kind.path for kind in KINDS if kind.create is not None} <= written
    retrieved = spec["components"]["schemas"]["RetrieveResponse"]["properties"]
    assert {kind.name for kind in KINDS} <= set(retrieved)
    pattern = next(
        parameter["schema"]["pattern"]
        for parameter in spec["paths"]["/v1/projects/{project_id}/memories/{kind}"]["get"]["parameters"]
        if parameter["name"] == "kind"
    )
    assert all(re.match(pattern, kind.path) for kind in KINDS)


async def test_each_kind_of_the_registry_has_its_table_and_its_kind_in_memory_items(database_url: str):
    connection = await asyncpg.connect(database_url)
    try:
        tables = {row["tablename"] for row in await connection.fetch("SELECT tablename FROM pg_tables")}
        view = await connection.fetchval("SELECT pg_get_viewdef('memory_items'::regclass)")
    finally:
        await connection.close()
    assert {kind.name for kind in KINDS} <= tables
    assert all(f"'{kind.path}'" in view for kind in KINDS)
