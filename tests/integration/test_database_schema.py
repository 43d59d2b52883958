"""videoforge inside a host's PostgreSQL database: everything of its own in its schema
(VIDEOFORGE_DB_SCHEMA, default `videoforge`), created by `videoforge db upgrade`; the host's
tables of the same names and its own `alembic_version` are never read or touched; an install
older than the setting (tables in `public`) moves into the schema with its rows."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterator

import pytest
from dependency_injector import providers
from sqlalchemy import text
from typer.testing import CliRunner

from tests.conftest import settings_for_tests
from tests.contracts.builders import text_request
from tests.integration.conftest import postgres_url
from videoforge.adapters.fakes import FakeClock, FakeMediaProbe, FakeVideoProvider, Outcome
from videoforge.adapters.sql import make_engine
from videoforge.adapters.sql.migrate import head, upgrade_async
from videoforge.bootstrap import build_container, open_container
from videoforge.bootstrap.cli import build_app

pytestmark = pytest.mark.postgres
runner = CliRunner()
HOST_TABLES = ("user_subscriptions", "content_assets", "api_usage_logs", "usage_summaries")


async def _admin(url: str, statement: str) -> None:
    engine = make_engine(url, isolation_level="AUTOCOMMIT")
    try:
        async with engine.connect() as conn:
            await conn.execute(text(statement))
    finally:
        await engine.dispose()


async def _execute(url: str, *statements: str) -> list:
    engine = make_engine(url)
    try:
        results = []
        async with engine.begin() as conn:
            for statement in statements:
                result = await conn.execute(text(statement))
                results.append(result.all() if result.returns_rows else None)
        return results
    finally:
        await engine.dispose()


@pytest.fixture
def database_url(monkeypatch, tmp_path) -> Iterator[str]:
    """A database of its own (a host's database has its own public schema)."""
    server = postgres_url()
    name = f"vf_host_{uuid.uuid4().hex[:10]}"
    asyncio.run(_admin(server, f'CREATE DATABASE "{name}"'))
    url = server.rsplit("/", 1)[0] + "/" + name
    for variable in ("VIDEOFORGE_BACKEND", "VIDEOFORGE_DB_SCHEMA"):
        monkeypatch.delenv(variable, raising=False)
    monkeypatch.setenv("VIDEOFORGE_DATABASE_URL", url)
    monkeypatch.setenv("VIDEOFORGE_DATA_DIR", str(tmp_path / "data"))
    try:
        yield url
    finally:
        asyncio.run(_admin(server, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


async def _run_a_job(url: str, tmp_path, **settings) -> str:
    container = build_container(settings_for_tests(backend="sql", data_dir=tmp_path, database_url=url,
                                                   user_plans={"u1": "pro"}, **settings))
    provider = FakeVideoProvider()
    provider.script(Outcome.succeed(after_polls=1, billed_seconds=4))
    container.video_providers.override(providers.Object({"wavespeed": provider}))
    container.clock.override(providers.Object(FakeClock()))
    container.media_probe.override(providers.Object(FakeMediaProbe()))
    async with open_container(container=container):
        return (await container.generate_video()(text_request())).job_id


async def _jobs(container_url: str, tmp_path) -> list[str]:
    container = build_container(settings_for_tests(backend="sql", data_dir=tmp_path, database_url=container_url))
    async with open_container(container=container):
        return [job.id for job in await container.job_repository().list_for_user("u1")]


def _host_database(url: str) -> None:
    creates = [f"CREATE TABLE public.{t} (id integer PRIMARY KEY, note text)" for t in HOST_TABLES]
    inserts = [f"INSERT INTO public.{t} VALUES (1, 'host row of {t}')" for t in HOST_TABLES]
    asyncio.run(_execute(url, "CREATE TABLE public.alembic_version (version_num varchar(32) PRIMARY KEY)",
                         "INSERT INTO public.alembic_version VALUES ('hostrev_9f3a')", *creates, *inserts))


def test_upgrade_and_a_job_leave_the_host_tables_and_version_untouched(database_url, tmp_path):
    _host_database(database_url)
    result = runner.invoke(build_app(), ["db", "upgrade"])
    assert result.exit_code == 0, result.output
    assert f"(schema videoforge): upgraded from an empty database to revision {head()}" in result.stdout
    job_id = asyncio.run(_run_a_job(database_url, tmp_path))
    assigned = runner.invoke(build_app(), ["plans", "set", "u1", "basic"])
    assert assigned.exit_code == 0, assigned.output

    host = asyncio.run(_execute(database_url, "SELECT version_num FROM public.alembic_version",
                                *[f"SELECT id, note FROM public.{t}" for t in HOST_TABLES]))
    assert host[0] == [("hostrev_9f3a",)]
    assert host[1:] == [[(1, f"host row of {t}")] for t in HOST_TABLES]
    ours = asyncio.run(_execute(
        database_url, "SELECT version_num FROM videoforge.alembic_version", "SELECT id FROM videoforge.video_jobs",
        "SELECT count(*) FROM videoforge.content_assets", "SELECT count(*) FROM videoforge.api_usage_logs",
        "SELECT DISTINCT schemaname FROM pg_indexes WHERE tablename = 'video_jobs'",
        "SELECT user_id, video_calls FROM videoforge.usage_summaries",
        "SELECT user_id, plan, assigned_by FROM videoforge.user_subscriptions"))
    assert ours == [[(head(),)], [(job_id,)], [(1,)], [(1,)], [("videoforge",)], [("u1", 1)],
                    [("u1", "basic", "cli")]]


def test_the_schema_is_a_setting(database_url, tmp_path, monkeypatch):
    monkeypatch.setenv("VIDEOFORGE_DB_SCHEMA", "media_jobs")
    result = runner.invoke(build_app(), ["db", "upgrade"])
    assert result.exit_code == 0 and "(schema media_jobs)" in result.stdout, result.output
    job_id = asyncio.run(_run_a_job(database_url, tmp_path, db_schema="media_jobs"))
    [jobs, public] = asyncio.run(_execute(
        database_url, "SELECT id FROM media_jobs.video_jobs",
        "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'"))
    assert jobs == [(job_id,)] and public == [(0,)]


def test_a_bad_schema_name_is_refused_naming_the_setting(database_url, monkeypatch):
    monkeypatch.setenv("VIDEOFORGE_DB_SCHEMA", 'x"; DROP TABLE y')
    result = runner.invoke(build_app(), ["db", "upgrade"])
    assert result.exit_code == 2 and "VIDEOFORGE_DB_SCHEMA" in result.stderr


def test_an_install_from_before_the_schema_moves_into_it_with_its_rows(database_url, tmp_path):
    asyncio.run(upgrade_async(database_url))  # as released before: everything in public
    old_job = asyncio.run(_run_a_job(database_url, tmp_path / "old", db_schema="public"))
    asyncio.run(_execute(database_url, "CREATE TABLE public.host_orders (id integer)"))

    result = runner.invoke(build_app(), ["db", "upgrade"])
    assert result.exit_code == 0, result.output
    [public, version] = asyncio.run(_execute(
        database_url, "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'",
        "SELECT version_num FROM videoforge.alembic_version"))
    assert public == [("host_orders",)] and version == [(head(),)]
    assert asyncio.run(_jobs(database_url, tmp_path)) == [old_job]
    new_job = asyncio.run(_run_a_job(database_url, tmp_path / "new"))
    assert set(asyncio.run(_jobs(database_url, tmp_path))) == {old_job, new_job}
