"""SQLAlchemy's aiosqlite driver with one thread hop per statement.

aiosqlite runs each call of the sqlite3 API in its connection's thread, one hop each way, and
SQLAlchemy's adapter makes four such calls per statement that returns rows (create a cursor,
execute, fetch all, close) and three per other statement; the pool's reset on return adds a
rollback after every commit. Here a statement is one call in the connection's thread (cursor,
execute, fetch, close together), and the reset's rollback is skipped when the connection holds
no transaction. Same SQL, same transactions, same errors; about a third of the hops per job
(`benchmarks/job_cost.py`).

It relies on two internals of aiosqlite (`Connection._execute`, which queues a function for the
connection's thread, and `Connection._conn`, the sqlite3 connection); `available()` says
whether the installed aiosqlite has them and SQLAlchemy's adapter (2.1) calls the hooks overridden
here; `make_engine` uses the stock driver otherwise, and when this module cannot be imported
(SQLAlchemy 2.0 has no `sqlalchemy.util.concurrency.await_`)."""

from __future__ import annotations

import collections
import sqlite3
from typing import Any

import aiosqlite
from sqlalchemy.dialects.sqlite.aiosqlite import (
    AsyncAdapt_aiosqlite_connection,
    AsyncAdapt_aiosqlite_cursor,
    AsyncAdapt_aiosqlite_dbapi,
)
from sqlalchemy.util import EMPTY_DICT
from sqlalchemy.util.concurrency import await_


def available() -> bool:
    """Whether aiosqlite's internals and SQLAlchemy's adapter hooks this driver overrides are there
    (SQLAlchemy 2.0's adapter has no `_execute_async`: it would never call ours)."""
    return (callable(getattr(aiosqlite.Connection, "_execute", None)) and hasattr(aiosqlite.Connection, "_conn")
            and callable(getattr(AsyncAdapt_aiosqlite_cursor, "_execute_async", None))
            and callable(getattr(AsyncAdapt_aiosqlite_cursor, "_executemany_async", None)))


class _Outcome:
    """What SQLAlchemy reads of a cursor once its statement ran (the sqlite3 cursor is closed)."""

    __slots__ = ("arraysize", "description", "lastrowid", "rowcount")

    def __init__(self, cursor: sqlite3.Cursor):
        self.description, self.rowcount, self.lastrowid = cursor.description, cursor.rowcount, cursor.lastrowid
        self.arraysize = cursor.arraysize

    def close(self) -> None:
        pass


def _run(connection: sqlite3.Connection, many: bool, operation: str, parameters: Any):
    """In the connection's thread: the statement, its rows, and whether a transaction is open."""
    cursor = connection.cursor()
    try:
        if many:
            cursor.executemany(operation, parameters)
        elif parameters is None:
            cursor.execute(operation)
        else:
            cursor.execute(operation, parameters)
        rows = cursor.fetchall() if cursor.description else None
        return _Outcome(cursor), rows, connection.in_transaction
    finally:
        cursor.close()


class OneHopCursor(AsyncAdapt_aiosqlite_cursor):
    __slots__ = ()
    _awaitable_cursor_close = False

    def __init__(self, adapt_connection: OneHopConnection):
        self._adapt_connection = adapt_connection
        self._connection = adapt_connection._connection
        self._cursor = None  # the _Outcome of the last statement
        self._soft_closed_memoized = EMPTY_DICT
        self._rows = collections.deque()

    @property
    def description(self) -> Any:
        return self._cursor.description if self._cursor is not None else None

    async def _execute_async(self, operation: Any, parameters: Any) -> Any:
        return await self._one_hop(False, operation, parameters)

    async def _executemany_async(self, operation: Any, seq_of_parameters: Any) -> Any:
        return await self._one_hop(True, operation, seq_of_parameters)

    async def _one_hop(self, many: bool, operation: Any, parameters: Any) -> Any:
        adapt = self._adapt_connection
        async with adapt._execute_mutex:
            outcome, rows, in_transaction = await self._connection._execute(
                _run, self._connection._conn, many, operation, parameters)
        self._cursor = outcome
        adapt.in_transaction = in_transaction
        if rows is not None:
            self._rows = collections.deque(rows)
        return outcome

    def close(self) -> None:
        self._rows.clear()


class OneHopConnection(AsyncAdapt_aiosqlite_connection):
    __slots__ = ("in_transaction",)
    _cursor_cls = OneHopCursor

    def __init__(self, dbapi: Any, connection: Any):
        super().__init__(dbapi, connection)
        self.in_transaction = True  # not known yet: a rollback is sent

    def commit(self) -> None:
        super().commit()
        self.in_transaction = False

    def rollback(self) -> None:
        if self.in_transaction:  # the pool's reset after a commit has nothing to roll back
            super().rollback()
            self.in_transaction = False


class OneHopDBAPI(AsyncAdapt_aiosqlite_dbapi):
    def connect(self, *arg: Any, **kw: Any) -> OneHopConnection:
        connection = aiosqlite.connect(*arg, **kw)
        connection._thread.daemon = True  # as SQLAlchemy's own adapter does
        return OneHopConnection(self, await_(connection))


def dbapi() -> OneHopDBAPI:
    return OneHopDBAPI(aiosqlite, sqlite3)
