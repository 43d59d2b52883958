"""The `sql` backend as the container builds it: the default, an SQLite file in the data dir,
migrated on first use, its engine disposed on shutdown."""

from __future__ import annotations

import sqlite3

import pytest

from tests.conftest import settings_for_tests
from tests.contracts.builders import text_request
from videoforge.adapters.fakes import InMemoryStorage
from videoforge.adapters.sql import SqlAssetLibrary, SqlJobRepository, SqlQuotaGuard, SqlUsageMeter
from videoforge.adapters.sql.migrate import head
from videoforge.application.use_cases import GenerateVideo
from videoforge.bootstrap import ConfigurationError, Settings, build_container, open_container


def test_sql_on_sqlite_in_the_data_dir_is_the_default(monkeypatch, tmp_path):
    monkeypatch.delenv("VIDEOFORGE_BACKEND", raising=False)
    monkeypatch.delenv("VIDEOFORGE_DATABASE_URL", raising=False)
    monkeypatch.setenv("VIDEOFORGE_DATA_DIR", str(tmp_path / "data"))
    settings = Settings()
    assert settings.backend == "sql"
    assert settings.database_url == f"sqlite+aiosqlite:///{tmp_path / 'data' / 'videoforge.db'}"
    monkeypatch.setenv("VIDEOFORGE_DATABASE_URL", "postgresql+asyncpg://vf@db.internal/videoforge")
    assert Settings().database_url == "postgresql+asyncpg://vf@db.internal/videoforge"
    monkeypatch.setenv("VIDEOFORGE_BACKEND", "memory")
    assert Settings().backend == "memory"


async def test_a_new_embedded_database_is_created_and_migrated_on_first_use(tmp_path):
    data_dir = tmp_path / "not" / "there" / "yet"
    container = build_container(settings_for_tests(backend="sql", data_dir=data_dir, poll_interval=0.001))
    async with open_container(container=container):
        generate = container.generate_video()
        assert isinstance(generate, GenerateVideo)  # a use case, not a coroutine
        assert isinstance(container.job_repository(), SqlJobRepository)
        assert isinstance(container.asset_library(), SqlAssetLibrary)
        assert isinstance(container.usage_meter(), SqlUsageMeter)
        assert isinstance(container.quota_guard(), SqlQuotaGuard)
        assert isinstance(container.storage(), InMemoryStorage)  # until the filesystem storage lands
        result = await generate(text_request())
        engine = container.sql_engine()
    assert not container.sql_engine.initialized and engine.pool.checkedout() == 0
    with sqlite3.connect(data_dir / "videoforge.db") as db:
        assert db.execute("SELECT version_num FROM alembic_version").fetchone() == (head(),)
        assert db.execute("SELECT id, status FROM video_jobs").fetchall() == [(result.job_id, "completed")]


async def test_jobs_survive_the_process_on_the_sql_backend(tmp_path):
    settings = settings_for_tests(backend="sql", data_dir=tmp_path, poll_interval=0.001)
    async with open_container(settings) as container:
        result = await container.generate_video()(text_request())
    async with open_container(settings) as container:
        job = await container.get_job()(result.job_id, "u1")
        asset = await container.asset_library().get(result.asset_id)
    assert job.status.value == "completed" and asset.job_id == result.job_id


async def test_the_memory_backend_stays_selectable(tmp_path):
    container = build_container(settings_for_tests(backend="memory", data_dir=tmp_path, poll_interval=0.001))
    async with open_container(container=container):
        await container.generate_video()(text_request())
        assert type(container.job_repository()).__name__ == "InMemoryJobRepository"
    assert not (tmp_path / "videoforge.db").exists()


async def test_a_database_url_without_an_async_driver_is_a_configuration_error_on_first_use(tmp_path):
    # Refused when the database is first used, so that a command that needs none (`videoforge
    # models`) neither imports nor checks it.
    for url, says in [("postgresql://vf@db/videoforge", "psycopg"), ("nonsense", "Could not parse")]:
        container = build_container(settings_for_tests(backend="sql", data_dir=tmp_path, database_url=url))
        async with open_container(container=container):
            with pytest.raises(ConfigurationError, match=f"VIDEOFORGE_DATABASE_URL is not a usable .*{says}"):
                await container.generate_video()(text_request())



async def test_the_memory_backend_neither_checks_nor_opens_a_database(tmp_path):
    container = build_container(settings_for_tests(backend="memory", database_url="nonsense", data_dir=tmp_path))
    async with open_container(container=container):
        assert container.sql_engine() is None
        await container.generate_video()(text_request())


async def test_the_pool_settings_reach_the_postgresql_engine(tmp_path):
    settings = settings_for_tests(backend="sql", data_dir=tmp_path, database_url="postgresql+asyncpg://vf@127.0.0.1:1/x",
                                  db_schema="media_jobs", db_pool_size=3, db_max_overflow=2, db_pool_timeout=7.5)
    container = build_container(settings)
    async with open_container(container=container):  # connects nothing
        engine = container.sql_engine()
        assert (engine.pool.size(), engine.pool._max_overflow, engine.pool.timeout()) == (3, 2, 7.5)


def test_a_schema_name_that_is_not_an_identifier_is_refused():
    with pytest.raises(ValueError, match="db_schema"):
        Settings(db_schema='x"; DROP TABLE y')
