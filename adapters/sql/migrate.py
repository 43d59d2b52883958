"""Schema migrations (Alembic, scripts in `migrations/versions`), applied by `videoforge db
upgrade` and, for an embedded SQLite database, on first use."""

from __future__ import annotations

import asyncio
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

from videoforge.adapters.sql.database import make_engine

MIGRATIONS = Path(__file__).parent / "migrations"


def alembic_config(url: str | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    if url:
        config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def head() -> str:
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def current(connection: Connection) -> str | None:
    return MigrationContext.configure(connection).get_current_revision()


async def upgrade_engine(engine: AsyncEngine, revision: str = "head") -> None:
    """Bring the database of `engine` to `revision`, in one transaction (a write one on
    SQLite, so that two processes starting together migrate one after the other)."""

    def run(connection: Connection) -> None:
        config = alembic_config()
        config.attributes["connection"] = connection
        command.upgrade(config, revision)

    async with engine.connect() as conn:
        await conn.execution_options(videoforge_write=True)
        async with conn.begin():
            await conn.run_sync(run)


async def upgrade_async(url: str, revision: str = "head") -> tuple[str | None, str | None]:
    """Upgrade the database at `url`; returns the revisions before and after."""
    engine = make_engine(url)
    try:
        async with engine.connect() as conn:
            before = await conn.run_sync(current)
        await upgrade_engine(engine, revision)
        async with engine.connect() as conn:
            after = await conn.run_sync(current)
    finally:
        await engine.dispose()
    return before, after


def upgrade(url: str, revision: str = "head") -> tuple[str | None, str | None]:
    """Upgrade the database at `url` (for commands; not from inside a running event loop)."""
    return asyncio.run(upgrade_async(url, revision))
