"""Fixtures of the end-to-end tests that start videoforge processes."""

from __future__ import annotations

import pytest

from tests.integration.conftest import close_database, open_database


@pytest.fixture
async def queue_database(tmp_path):
    """A PostgreSQL schema of its own, not yet migrated (the processes run `videoforge db upgrade`)."""
    database = await open_database("postgres", tmp_path, migrate=False)
    try:
        yield database
    finally:
        await close_database(database)
