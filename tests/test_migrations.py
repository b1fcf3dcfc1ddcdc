"""The schema migrates down and up again cleanly (Alembic over the SQL in sql/schema/)."""

import asyncio

import asyncpg

from alembic import command

from app.database import alembic_config, migrate


async def tables(url: str) -> set[str]:
    connection = await asyncpg.connect(url)
    try:
        return {row["tablename"] for row in await connection.fetch("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")}
    finally:
        await connection.close()


async def test_downgrade_to_base_and_upgrade_again(database_url: str):
    assert "read_grants" in await tables(database_url)
    await asyncio.to_thread(command.downgrade, alembic_config(database_url), "base")
    assert await tables(database_url) == {"alembic_version"}
    await asyncio.to_thread(migrate, database_url)
    assert {"agents", "read_grants", "outcomes", "heuristics", "domain_knowledge", "anti_patterns", "preferences"} <= await tables(database_url)
