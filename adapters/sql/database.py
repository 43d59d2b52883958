from __future__ import annotations

import asyncio
import contextvars
import logging
import re
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Table, event
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, IntegrityError, SQLAlchemyError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine

_WRITE = "videoforge_write"
log = logging.getLogger("videoforge.sql")
# The server has no connection for us right now ("too many clients", a role's connection limit:
# SQLSTATE 53300), or the pool had none within its timeout: busy, not broken. Asked again a few
# times, then the port's error says it may be retried (`retryable`), never a failed request.
_BUSY = re.compile(r"too many (clients|connections)|53300|QueuePool limit|remaining connection slots", re.I)
_BUSY_ATTEMPTS = (0.05, 0.2, 0.5, 1.0)
_SCHEMA_MISSING = re.compile(r'no such (table|column)|(relation|column) "[^"]+" (of relation "[^"]+" )?does not exist')

class _Unit:
    """The transaction of a `Database.together` block, begun by the first transaction inside it."""

    def __init__(self, db: Database, error: type[Exception], what: str):
        self.db, self._error, self._what = db, error, what
        self._transaction: Any = None
        self._conn: AsyncConnection | None = None

    async def connection(self) -> AsyncConnection:
        if self._conn is None:
            transaction = self.db._own_transaction(self._error, self._what, True, False, True)
            self._conn = await transaction.__aenter__()
            self._transaction = transaction
        return self._conn

    async def end(self, kind: Any, error: BaseException | None, traceback: Any) -> bool:
        """Commits (no error) or rolls back; True when `error` was handled (never: it goes on)."""
        if self._transaction is None:
            return False
        return bool(await self._transaction.__aexit__(kind, error, traceback))


# The unit of work the current task is in (`Database.together`), if any.
_UNIT: contextvars.ContextVar[_Unit | None] = contextvars.ContextVar("videoforge_sql_unit", default=None)

Migrate = Callable[[AsyncEngine], Awaitable[None]]
"""Brings the database of an engine to the latest schema (`migrate.upgrade_engine`)."""


_SCHEMA_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,62}")


def check_schema_name(schema: str) -> str:
    """A PostgreSQL schema name videoforge may use: an unquoted identifier of at most 63 characters."""
    if not _SCHEMA_NAME.fullmatch(schema):
        raise ValueError(f"schema name {schema!r} is not allowed (letters, digits and _, not starting "
                         "with a digit, at most 63 characters)")
    return schema


def _one_hop_sqlite() -> Any:
    """The one-hop SQLite driver where the installed SQLAlchemy (2.1's aiosqlite adapter) and
    aiosqlite have what it builds on; None (SQLAlchemy's own driver) otherwise, e.g. on 2.0."""
    try:
        from videoforge.adapters.sql import sqlite_driver
    except ImportError:
        return None
    return sqlite_driver.dbapi() if sqlite_driver.available() else None


def make_engine(url: str, *, schema: str | None = None, pool: dict[str, Any] | None = None,
                **options: Any) -> AsyncEngine:
    """An async engine for `url` (`sqlite+aiosqlite:///path` or `postgresql+asyncpg://...`).
    Connects nothing yet. On PostgreSQL, `schema` becomes the connections' whole search_path:
    every table, index and the Alembic version table are found and created there, and nothing
    of the host's schemas (public) is seen; `pool` gives pool_size, max_overflow, pool_timeout.
    On SQLite, write transactions start with BEGIN IMMEDIATE, which serialises writers across
    connections and processes; readers go on meanwhile (WAL)."""
    parsed = make_url(url)
    options.setdefault("hide_parameters", True)  # prompts and user data stay out of error messages
    if parsed.get_backend_name() != "sqlite":
        options.setdefault("pool_pre_ping", True)
        if schema and parsed.get_backend_name() == "postgresql":
            options.setdefault("connect_args", {"server_settings": {"search_path": check_schema_name(schema)}})
        return create_async_engine(parsed, **{**(pool or {}), **options})
    options.setdefault("connect_args", {"timeout": 30})
    if parsed.get_driver_name() == "aiosqlite" and (one_hop := _one_hop_sqlite()) is not None:
        options.setdefault("module", one_hop)  # one thread hop per statement
    engine = create_async_engine(parsed, **options)

    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection, _record) -> None:
        dbapi_connection.isolation_level = None  # we emit BEGIN ourselves, below
        cursor = dbapi_connection.cursor()
        for pragma in ("journal_mode=WAL", "synchronous=NORMAL", "foreign_keys=ON", "busy_timeout=30000"):
            cursor.execute(f"PRAGMA {pragma}")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(connection) -> None:
        immediate = connection.get_execution_options().get(_WRITE, False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    return engine


def is_embedded(url: str) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


def describe(error: BaseException) -> str:
    """The driver's own message, first line only: no SQL text, no parameters, no URL."""
    cause = error.orig if isinstance(error, DBAPIError) and error.orig is not None else error
    text = str(cause).strip().splitlines()[0] if str(cause).strip() else type(cause).__name__
    return f"{type(cause).__name__}: {text[:300]}"


class Database:
    """An engine plus what every SQL adapter needs around it: one transaction per port call,
    database errors translated into the port's own error, and, given `migrate` (bootstrap gives
    it for an embedded SQLite file), the schema brought to the latest revision on first use."""

    def __init__(self, engine: AsyncEngine, *, migrate: Migrate | None = None):
        self.engine = engine
        self.dialect = engine.dialect.name
        self._migrate = migrate
        self._ready = migrate is None
        self._lock = asyncio.Lock()

    @classmethod
    def of(cls, engine: AsyncEngine | Database) -> Database:
        return engine if isinstance(engine, Database) else cls(engine)

    @property
    def postgres(self) -> bool:
        return self.dialect == "postgresql"

    def upsert(self, table: Table):
        """INSERT with ON CONFLICT clauses (both databases speak them)."""
        return (postgresql.insert if self.postgres else sqlite.insert)(table)

    async def _ensure_ready(self, error: type[Exception]) -> None:
        if self._ready:
            return
        async with self._lock:
            if self._ready:
                return
            try:
                database = self.engine.url.database
                if database and database != ":memory:":
                    await asyncio.to_thread(Path(database).parent.mkdir, parents=True, exist_ok=True)
                await self._migrate(self.engine)
            except (SQLAlchemyError, OSError) as e:
                raise error(f"the database schema could not be brought up to date: {describe(e)}") from e
            self._ready = True

    @asynccontextmanager
    async def transaction(self, error: type[Exception], what: str, *, write: bool = True,
                          conflicts: bool = False, patient: bool = True) -> AsyncIterator[AsyncConnection]:
        """One transaction, committed when the block ends and rolled back on any exception.
        A database failure becomes `error("<what>: ...")`; with `conflicts`, an IntegrityError
        (a unique constraint) is left for the caller to handle. Inside `together()` the block
        runs in the unit's transaction instead (a savepoint when it may conflict). `patient` (the
        default): when the pool has no free connection within its timeout, wait again rather
        than fail: at any concurrency no request and no submitted job fails for want of a
        connection; they queue for the pool."""
        unit = _UNIT.get()
        if unit is not None and unit.db is self:
            conn = await unit.connection()
            async with self._translated(error, what, conflicts), self._inside(conn, conflicts) as inside:
                yield inside
            return
        async with self._own_transaction(error, what, write, conflicts, patient) as conn:
            yield conn

    @asynccontextmanager
    async def _own_transaction(self, error: type[Exception], what: str, write: bool, conflicts: bool,
                               patient: bool) -> AsyncIterator[AsyncConnection]:
        await self._ensure_ready(error)
        async with self._translated(error, what, conflicts), self._connection(what, patient) as conn:
            if write:
                await conn.execution_options(**{_WRITE: True})
            async with conn.begin():
                yield conn

    @asynccontextmanager
    async def together(self, error: type[Exception], what: str) -> AsyncIterator[None]:
        """A unit of work: the transactions the adapters over this database open inside the block
        (in this task) are one write transaction, committed when the block ends. The transaction
        begins with the first of them, so work before it (a plan asked of a host's service) holds
        no lock. It waits for a connection as long as it takes (`patient`): it holds a job's
        results."""
        unit = _Unit(self, error, what)
        token = _UNIT.set(unit)
        try:
            yield
        except BaseException as e:
            _UNIT.reset(token)
            if not await unit.end(type(e), e, e.__traceback__):
                raise
        else:
            _UNIT.reset(token)
            await unit.end(None, None, None)

    @staticmethod
    @asynccontextmanager
    async def _inside(conn: AsyncConnection, savepoint: bool) -> AsyncIterator[AsyncConnection]:
        if not savepoint:
            yield conn
            return
        async with conn.begin_nested():  # a unique conflict rolls back to here, not the whole unit
            yield conn

    @staticmethod
    @asynccontextmanager
    async def _translated(error: type[Exception], what: str, conflicts: bool) -> AsyncIterator[None]:
        try:
            yield
        except IntegrityError as e:
            if conflicts:
                raise
            raise error(f"{what}: the database refused the write: {describe(e)}") from e
        except (SQLAlchemyError, OSError) as e:
            message = f"{what}: database error: {describe(e)}"
            if _SCHEMA_MISSING.search(message):
                message += " (the schema is missing or old: run `videoforge db upgrade`)"
            failure = error(message)
            failure.retryable = bool(_BUSY.search(message))  # type: ignore[attr-defined]
            raise failure from e

    @asynccontextmanager
    async def _connection(self, what: str, patient: bool) -> AsyncIterator[AsyncConnection]:
        conn = await self._connect(what, patient)
        try:
            yield conn
        finally:
            await conn.close()

    async def _connect(self, what: str, patient: bool) -> AsyncConnection:
        """A connection, asked again (with a pause) while the server is busy; `patient`: while the
        pool has none free within its timeout, asked again without end."""
        waits = 0
        while True:
            try:
                return await self._connect_when_server_has_room()
            except PoolTimeoutError:
                if not patient:
                    raise
                waits += 1
                log.warning("%s: every database connection is busy; waiting again (%d)", what, waits)

    async def _connect_when_server_has_room(self) -> AsyncConnection:
        for pause in _BUSY_ATTEMPTS:
            try:
                return await self.engine.connect()
            except PoolTimeoutError:
                raise
            except (SQLAlchemyError, OSError) as e:
                if not _BUSY.search(describe(e)) and not _BUSY.search(str(e)):
                    raise
                await asyncio.sleep(pause)
        return await self.engine.connect()
