"""Real databases for the SQL adapters: a fresh SQLite file per test, and a fresh schema per
test in the PostgreSQL of VIDEOFORGE_TEST_POSTGRES_URL. Without that variable the PostgreSQL
runs are skipped, saying why, except in CI (CI=true), where they fail."""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from videoforge.adapters.sql import make_engine
from videoforge.adapters.sql.migrate import upgrade_engine

POSTGRES_URL = os.environ.get("VIDEOFORGE_TEST_POSTGRES_URL")
IN_CI = os.environ.get("CI", "").lower() == "true"
BACKENDS = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


@dataclass
class IsolatedDatabase:
    """An isolated database: `engine()` gives a new engine (a new pool: like another process)."""

    kind: str
    url: str
    connect_args: dict = field(default_factory=dict)
    engines: list[AsyncEngine] = field(default_factory=list)
    schema: str | None = None

    def engine(self, **options) -> AsyncEngine:
        if self.connect_args:
            options.setdefault("connect_args", self.connect_args)
        engine = make_engine(self.url, **options)
        self.engines.append(engine)
        return engine

    async def dispose(self) -> None:
        for engine in self.engines:
            await engine.dispose()


def postgres_url() -> str:
    if POSTGRES_URL:
        return POSTGRES_URL
    if IN_CI:
        pytest.fail("CI=true but VIDEOFORGE_TEST_POSTGRES_URL is not set: the PostgreSQL runs are required in CI")
    pytest.skip("PostgreSQL tests skipped: set VIDEOFORGE_TEST_POSTGRES_URL "
                "(e.g. postgresql+asyncpg://postgres@127.0.0.1:5432/test) to run them")


async def _postgres_schema(url: str) -> str:
    schema = f"vf_test_{uuid.uuid4().hex[:12]}"
    admin = make_engine(url)
    try:
        async with admin.begin() as conn:
            await conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    except Exception as e:  # noqa: BLE001 - any failure to reach the server fails the run, with the cause
        pytest.fail(f"PostgreSQL at VIDEOFORGE_TEST_POSTGRES_URL is not usable: {type(e).__name__}: {e}")
    finally:
        await admin.dispose()
    return schema


async def _drop_schema(url: str, schema: str) -> None:
    admin = make_engine(url)
    try:
        async with admin.begin() as conn:
            await conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
    finally:
        await admin.dispose()


async def open_database(kind: str, tmp_path: Path, *, migrate: bool = True) -> IsolatedDatabase:
    if kind == "sqlite":
        database = IsolatedDatabase(kind, f"sqlite+aiosqlite:///{tmp_path / 'videoforge.db'}")
    else:
        url = postgres_url()
        schema = await _postgres_schema(url)
        database = IsolatedDatabase(kind, url, {"server_settings": {"search_path": schema}})
        database.schema = schema
    if migrate:
        await upgrade_engine(database.engine())
    return database


async def close_database(database: IsolatedDatabase) -> None:
    await database.dispose()
    if database.kind == "postgres":
        await _drop_schema(database.url, database.schema)


@pytest.fixture(params=BACKENDS)
async def database(request, tmp_path) -> AsyncIterator[IsolatedDatabase]:
    """A migrated, empty database of each kind."""
    database = await open_database(request.param, tmp_path)
    try:
        yield database
    finally:
        await close_database(database)


@pytest.fixture
def engine(database) -> AsyncEngine:
    return database.engine()
