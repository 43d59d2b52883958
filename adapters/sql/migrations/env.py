"""Alembic environment. Used with a connection given by `adapters.sql.migrate` (the usual
way), or standalone with `sqlalchemy.url` set to an async URL."""

from __future__ import annotations

import asyncio

from alembic import context
from sqlalchemy.engine import Connection

from videoforge.adapters.sql.database import make_engine
from videoforge.adapters.sql.schema import metadata

config = context.config


def run_on(connection: Connection) -> None:
    context.configure(connection=connection, target_metadata=metadata,
                      render_as_batch=connection.dialect.name == "sqlite", compare_type=True)
    with context.begin_transaction():
        context.run_migrations()


async def run_with_url(url: str) -> None:
    engine = make_engine(url)
    try:
        async with engine.connect() as conn:
            await conn.execution_options(videoforge_write=True)
            async with conn.begin():
                await conn.run_sync(run_on)
    finally:
        await engine.dispose()


if context.is_offline_mode():
    context.configure(url=config.get_main_option("sqlalchemy.url"), target_metadata=metadata,
                      literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()
elif (given := config.attributes.get("connection")) is not None:
    run_on(given)
else:
    asyncio.run(run_with_url(config.get_main_option("sqlalchemy.url")))
