"""`videoforge db upgrade`: exit 0 when done, 2 for bad usage or configuration, 1 when the
database fails; errors are one line on stderr and never show a password."""

from __future__ import annotations

import asyncio
import sqlite3
import uuid
from importlib.metadata import entry_points

import pytest
from sqlalchemy import text
from typer.testing import CliRunner

from tests.integration.conftest import postgres_url
from videoforge.adapters.sql import make_engine
from videoforge.adapters.sql.migrate import head
from videoforge.bootstrap.cli import build_app

runner = CliRunner()


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch, tmp_path):
    for name in ("VIDEOFORGE_DATABASE_URL", "VIDEOFORGE_BACKEND"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("VIDEOFORGE_DATA_DIR", str(tmp_path / "data"))


def test_the_console_script_is_installed():
    [script] = [e for e in entry_points(group="console_scripts") if e.name == "videoforge"]
    assert script.value == "videoforge.bootstrap.cli:main"


def test_upgrade_creates_the_embedded_database_then_has_nothing_to_do(tmp_path):
    first = runner.invoke(build_app(), ["db", "upgrade"])
    assert first.exit_code == 0, first.output
    assert f"upgraded from an empty database to revision {head()}" in first.stdout
    with sqlite3.connect(tmp_path / "data" / "videoforge.db") as db:
        assert db.execute("SELECT version_num FROM alembic_version").fetchone() == (head(),)
    again = runner.invoke(build_app(), ["db", "upgrade"])
    assert again.exit_code == 0 and f"already at revision {head()}" in again.stdout


def test_an_unreachable_database_fails_with_one_line_and_no_password(monkeypatch):
    monkeypatch.setenv("VIDEOFORGE_DATABASE_URL", "postgresql+asyncpg://vf:s3cret@127.0.0.1:1/videoforge")
    result = runner.invoke(build_app(), ["db", "upgrade"])
    assert result.exit_code == 1
    assert result.stderr.count("\n") == 1 and result.stderr.startswith("videoforge: db upgrade of ")
    assert "s3cret" not in result.stderr and "***" in result.stderr


@pytest.mark.parametrize("url,args,says", [
    ("not a url", ["db", "upgrade"], "VIDEOFORGE_DATABASE_URL is not a usable database URL"),
    ("postgresql+psycopg2://vf@localhost/videoforge", ["db", "upgrade"], "not a usable database URL"),
    (None, ["db", "upgrade", "9999"], "Can't locate revision"),
])
def test_bad_usage_exits_2_with_one_line(monkeypatch, url, args, says):
    if url:
        monkeypatch.setenv("VIDEOFORGE_DATABASE_URL", url)
    result = runner.invoke(build_app(), args)
    assert result.exit_code == 2 and says in result.stderr and result.stderr.count("\n") == 1


def test_a_bad_setting_exits_2_naming_it(monkeypatch):
    monkeypatch.setenv("VIDEOFORGE_BACKEND", "mongo")
    result = runner.invoke(build_app(), ["db", "upgrade"])
    assert result.exit_code == 2 and result.stderr.startswith("videoforge: VIDEOFORGE_BACKEND:")


@pytest.mark.postgres
def test_upgrade_of_a_postgresql_database(monkeypatch):
    server = postgres_url()
    name = f"vf_cli_{uuid.uuid4().hex[:10]}"
    asyncio.run(_admin(server, f'CREATE DATABASE "{name}"'))
    try:
        url = server.rsplit("/", 1)[0] + "/" + name
        monkeypatch.setenv("VIDEOFORGE_DATABASE_URL", url)
        result = runner.invoke(build_app(), ["db", "upgrade"])
        assert result.exit_code == 0, result.output
        assert f"to revision {head()}" in result.stdout
        assert asyncio.run(_scalar(url, "SELECT count(*) FROM videoforge.video_jobs")) == 0
    finally:
        asyncio.run(_admin(server, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


async def _admin(url: str, statement: str) -> None:
    engine = make_engine(url, isolation_level="AUTOCOMMIT")
    try:
        async with engine.connect() as conn:
            await conn.execute(text(statement))
    finally:
        await engine.dispose()


async def _scalar(url: str, query: str):
    engine = make_engine(url)
    try:
        async with engine.connect() as conn:
            return await conn.scalar(text(query))
    finally:
        await engine.dispose()
