"""The schema migrates down and up again cleanly (Alembic over the SQL in sql/schema/)."""

import asyncio

from alembic import command
from app.database import alembic_config, migrate
from tests.helpers import connected


async def tables(url: str) -> set[str]:
    async with connected(url) as connection:
        return {
            row["tablename"]
            for row in await connection.fetch("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
        }


async def test_downgrade_to_base_and_upgrade_again(database_url: str):
    assert "read_grants" in await tables(database_url)
    await asyncio.to_thread(command.downgrade, alembic_config(database_url), "base")
    assert await tables(database_url) == {"alembic_version"}
    await asyncio.to_thread(migrate, database_url)
    assert {
        "agents",
        "read_grants",
        "outcomes",
        "heuristics",
        "domain_knowledge",
        "anti_patterns",
        "preferences",
    } <= await tables(database_url)


async def test_an_existing_deployment_gets_its_nearest_neighbour_indexes_on_upgrade(database_url: str):
    await asyncio.to_thread(command.downgrade, alembic_config(database_url), "0005_vector_storage")
    async with connected(database_url) as connection:
        await connection.execute("""
            INSERT INTO deployment (embedding_dim, embedder) VALUES (3, 'test');
            INSERT INTO projects (project_id) VALUES ('p');
            INSERT INTO agents (project_id, name) VALUES ('p', 'a');
            INSERT INTO domain_knowledge (project_id, agent, domain, fact, embedding)
                VALUES ('p', 'a', 'd', 'kept', '[1,0,0]')""")
        await asyncio.to_thread(migrate, database_url)
        indexes = await connection.fetch("SELECT indexname FROM pg_indexes WHERE indexname LIKE '%\\_nearest'")
        assert len(indexes) == 5
        assert (
            await connection.fetchval(
                "SELECT format_type(atttypid, atttypmod) FROM pg_attribute "
                "WHERE attrelid = 'domain_knowledge'::regclass AND attname = 'embedding'"
            )
            == "vector(3)"
        )
        assert await connection.fetchval("SELECT fact FROM domain_knowledge") == "kept"
        await asyncio.to_thread(command.downgrade, alembic_config(database_url), "0005_vector_storage")
        assert await connection.fetchval("SELECT count(*) FROM pg_indexes WHERE indexname LIKE '%\\_nearest'") == 0
