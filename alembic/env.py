"""Alembic environment: runs the revisions over asyncpg against the URL the caller configured."""

import asyncio

import asyncpg
from alembic import context
from sqlalchemy import pool
from sqlalchemy.ext.asyncio import create_async_engine

DATABASE_URL = context.config.attributes["database_url"]


def run_revisions(connection) -> None:
    context.configure(connection=connection, target_metadata=None, transaction_per_migration=True)
    with context.begin_transaction():
        context.run_migrations()


async def run_online() -> None:
    # async_creator lets asyncpg parse the URL itself (socket directories, sslmode, ...).
    engine = create_async_engine(
        "postgresql+asyncpg://",
        async_creator=lambda: asyncpg.connect(DATABASE_URL),
        poolclass=pool.NullPool,
    )
    async with engine.connect() as connection:
        await connection.run_sync(run_revisions)
        await connection.commit()
    await engine.dispose()


if context.is_offline_mode():
    raise SystemExit("Offline SQL generation is not supported: the schema is plain SQL in sql/schema/.")
asyncio.run(run_online())
