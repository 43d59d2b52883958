from __future__ import annotations

from contextlib import AbstractAsyncContextManager

from sqlalchemy.ext.asyncio import AsyncEngine

from videoforge.adapters.sql.database import Database
from videoforge.application.ports.jobs import JobRepositoryError
from videoforge.application.ports.unit_of_work import UnitOfWork


class SqlUnitOfWork(UnitOfWork):
    """The SQL adapters' writes inside the block share one write transaction (BEGIN IMMEDIATE on
    SQLite); an insert that may meet its own earlier row (the asset, the usage record of a job
    delivered again) runs in a savepoint of it."""

    def __init__(self, engine: AsyncEngine | Database):
        self._db = Database.of(engine)

    def __call__(self) -> AbstractAsyncContextManager[None]:
        return self._db.together(JobRepositoryError, "writing a job's results")
