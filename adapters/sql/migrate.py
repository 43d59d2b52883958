"""Schema migrations (Alembic, scripts in `migrations/versions`), applied by `videoforge db
upgrade` and, for an embedded SQLite database, on first use."""

from __future__ import annotations

import asyncio
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import text
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

from videoforge.adapters.sql.database import check_schema_name, make_engine
from videoforge.adapters.sql.schema import metadata

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


LEGACY_SCHEMA = "public"
"""Where videoforge's tables were before they had a schema of their own (the server's default)."""


def _regclass(connection: Connection, schema: str, table: str) -> bool:
    return connection.execute(text("SELECT to_regclass(:name)"), {"name": f'"{schema}"."{table}"'}).scalar() is not None


def _adopt_legacy_tables(connection: Connection, schema: str) -> list[str]:
    """Move videoforge's tables of a database migrated before the schema setting (in `public`,
    recognised by `video_jobs` and an `alembic_version` at one of videoforge's own revisions)
    into `schema`, with their rows and indexes. A host's tables and its own alembic_version,
    at a revision that is not videoforge's, are left where they are."""
    if _regclass(connection, schema, "alembic_version") or not (
            _regclass(connection, LEGACY_SCHEMA, "alembic_version")
            and _regclass(connection, LEGACY_SCHEMA, "video_jobs")):
        return []
    ours = {script.revision for script in ScriptDirectory.from_config(alembic_config()).walk_revisions()}
    versions = set(connection.execute(text(f'SELECT version_num FROM "{LEGACY_SCHEMA}".alembic_version')).scalars())
    if not versions or not versions <= ours:
        return []
    moved = [table.name for table in metadata.sorted_tables if _regclass(connection, LEGACY_SCHEMA, table.name)]
    for name in [*moved, "alembic_version"]:
        connection.execute(text(f'ALTER TABLE "{LEGACY_SCHEMA}"."{name}" SET SCHEMA "{schema}"'))
    return moved


def prepare_schema(connection: Connection, schema: str) -> None:
    """Create videoforge's PostgreSQL schema if missing and bring in the tables of an older install."""
    connection.execute(text(f'CREATE SCHEMA IF NOT EXISTS "{check_schema_name(schema)}"'))
    _adopt_legacy_tables(connection, schema)


async def upgrade_engine(engine: AsyncEngine, revision: str = "head", *, schema: str | None = None) -> None:
    """Bring the database of `engine` to `revision`, in one transaction (a write one on
    SQLite, so that two processes starting together migrate one after the other). On
    PostgreSQL, `schema` (the engine's search_path, see `make_engine`) is created first."""

    def run(connection: Connection) -> None:
        if schema and connection.dialect.name == "postgresql":
            prepare_schema(connection, schema)
        config = alembic_config()
        config.attributes["connection"] = connection
        command.upgrade(config, revision)

    async with engine.connect() as conn:
        await conn.execution_options(videoforge_write=True)
        async with conn.begin():
            await conn.run_sync(run)


async def upgrade_async(url: str, revision: str = "head", *, schema: str | None = None
                        ) -> tuple[str | None, str | None]:
    """Upgrade the database at `url` (on PostgreSQL, in `schema`); returns the revisions before and after."""
    engine = make_engine(url, schema=schema)
    try:
        async with engine.connect() as conn:
            before = await conn.run_sync(current)
        await upgrade_engine(engine, revision, schema=schema)
        async with engine.connect() as conn:
            after = await conn.run_sync(current)
    finally:
        await engine.dispose()
    return before, after


def upgrade(url: str, revision: str = "head", *, schema: str | None = None) -> tuple[str | None, str | None]:
    """Upgrade the database at `url` (for commands; not from inside a running event loop)."""
    return asyncio.run(upgrade_async(url, revision, schema=schema))
