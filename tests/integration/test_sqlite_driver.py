"""The SQLite driver of adapters/sql/sqlite_driver.py: one thread hop per statement (BEGIN and
COMMIT included, no rollback after a commit), and the same transactions as SQLAlchemy's own
aiosqlite adapter, failures included."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from videoforge.adapters.sql import make_engine
from videoforge.adapters.sql.database import Database
from videoforge.adapters.sql.sqlite_driver import OneHopConnection


class Hops:
    """Results handed back to the event loop from another thread (aiosqlite's answers)."""

    def __init__(self) -> None:
        self.count = 0
        self._loop = asyncio.get_running_loop()
        self._real = self._loop.call_soon_threadsafe

        def counting(*args, **kwargs):
            self.count += 1
            return self._real(*args, **kwargs)

        self._loop.call_soon_threadsafe = counting

    def close(self) -> None:
        del self._loop.call_soon_threadsafe


@pytest.fixture
async def database(tmp_path):
    engine = make_engine(f"sqlite+aiosqlite:///{tmp_path / 'vf.db'}")
    db = Database(engine)
    async with db.transaction(RuntimeError, "creating") as conn:
        await conn.execute(text("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)"))
    yield db
    await engine.dispose()


async def test_the_engine_uses_the_one_hop_driver(database):
    async with database.transaction(RuntimeError, "reading", write=False) as conn:
        raw = await conn.get_raw_connection()
        assert isinstance(raw.dbapi_connection, OneHopConnection)


@pytest.mark.parametrize(("statements", "hops"), [(0, 2), (1, 3), (3, 5)])
async def test_a_transaction_costs_one_hop_per_statement_and_one_for_its_begin_and_its_commit(
        database, statements, hops):
    counted = Hops()
    try:
        async with database.transaction(RuntimeError, "writing") as conn:
            for i in range(statements):
                await conn.execute(text("INSERT INTO t (v) VALUES (:v)"), {"v": f"row {i}"})
    finally:
        counted.close()
    assert counted.count == hops  # no rollback after the COMMIT
    async with database.transaction(RuntimeError, "reading", write=False) as conn:
        assert await conn.scalar(text("SELECT count(*) FROM t")) == statements


async def test_a_failed_statement_rolls_its_transaction_back_and_the_next_one_writes(database):
    async with database.transaction(RuntimeError, "writing") as conn:
        await conn.execute(text("INSERT INTO t (id, v) VALUES (1, 'kept')"))
    with pytest.raises(IntegrityError):
        async with database.transaction(RuntimeError, "writing", conflicts=True) as conn:
            await conn.execute(text("INSERT INTO t (id, v) VALUES (2, 'undone')"))
            await conn.execute(text("INSERT INTO t (id, v) VALUES (1, 'taken')"))
    async with database.transaction(RuntimeError, "writing") as conn:  # no transaction left open
        await conn.execute(text("INSERT INTO t (id, v) VALUES (3, 'after')"))
    async with database.transaction(RuntimeError, "reading", write=False) as conn:
        assert (await conn.execute(text("SELECT id FROM t ORDER BY id"))).scalars().all() == [1, 3]
