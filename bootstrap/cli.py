"""The `videoforge` console script: the CLI adapter wired to a container built from the
environment, plus `db upgrade`. Exit codes: 0 done, 2 bad usage or configuration, 1 failure;
errors are one line on stderr."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import asyncpg
import typer
from alembic.util import CommandError
from pydantic import ValidationError
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

from videoforge.adapters.cli.app import build_cli
from videoforge.adapters.sql import describe, is_embedded
from videoforge.adapters.sql.migrate import upgrade
from videoforge.application.use_cases import UseCases
from videoforge.bootstrap.catalog import ConfigurationError
from videoforge.bootstrap.container import check_database_url, use_cases_of
from videoforge.bootstrap.queue import QueueNotInstalledError, install_configured_queue, run_worker
from videoforge.bootstrap.runtime import open_container
from videoforge.bootstrap.settings import Settings

USAGE, FAILURE = 2, 1


def fail(code: int, message: str) -> typer.Exit:
    typer.echo(f"videoforge: {message}", err=True)
    return typer.Exit(code)


def load_settings() -> Settings:
    try:
        return Settings()
    except ValidationError as e:
        first = e.errors()[0]
        field = "VIDEOFORGE_" + "_".join(str(part) for part in first["loc"]).upper()
        raise ConfigurationError(f"{field}: {first['msg']}") from None


@asynccontextmanager
async def open_use_cases() -> AsyncIterator[UseCases]:
    """The use cases of a container opened from the environment, for one command."""
    async with open_container(load_settings()) as container:
        yield use_cases_of(container)


def serve(host: str, port: int) -> None:
    import uvicorn

    from videoforge.bootstrap.http import build_app

    uvicorn.run(build_app(load_settings()), host=host, port=port, log_level="info")


def worker(concurrency: int | None) -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("httpx").setLevel(logging.WARNING)  # a line per provider request is too much
    try:
        asyncio.run(run_worker(load_settings(), concurrency))
    except QueueNotInstalledError as e:
        raise ConfigurationError(str(e)) from None


db = typer.Typer(help="The database of jobs, assets, usage and quota.", no_args_is_help=True)


@db.command("upgrade")
def db_upgrade(revision: str = typer.Argument("head", help="The revision to reach (default: the latest).")) -> None:
    """Bring the database of VIDEOFORGE_DATABASE_URL to the latest schema (rows are kept). On
    PostgreSQL, everything lives in the schema VIDEOFORGE_DB_SCHEMA (default videoforge), created
    here; the tables of an install older than that setting move there from public."""
    try:
        settings = load_settings()
        url = settings.database_url
        check_database_url(url)
    except ConfigurationError as e:
        raise fail(USAGE, str(e)) from None
    shown = make_url(url).render_as_string(hide_password=True)
    where = "" if is_embedded(url) else f" (schema {settings.db_schema})"
    try:
        if is_embedded(url) and make_url(url).database:
            Path(make_url(url).database).parent.mkdir(parents=True, exist_ok=True)
        before, after = upgrade(url, revision, schema=settings.db_schema)
    except CommandError as e:
        raise fail(USAGE, f"db upgrade: {e}") from None
    except (SQLAlchemyError, OSError) as e:
        raise fail(FAILURE, f"db upgrade of {shown} failed: {describe(e)}") from None
    if before == after:
        typer.echo(f"{shown}{where}: already at revision {after}")
    else:
        typer.echo(f"{shown}{where}: upgraded from {before or 'an empty database'} to revision {after}")
    upgrade_queue(settings, shown)


def upgrade_queue(settings: Settings, shown: str) -> None:
    """With VIDEOFORGE_QUEUE=pgqueuer, the job queue's tables too (in the same schema)."""
    try:
        changed = asyncio.run(install_configured_queue(settings))
    except ConfigurationError as e:
        raise fail(USAGE, str(e)) from None
    except (OSError, asyncpg.PostgresError) as e:
        raise fail(FAILURE, f"db upgrade of the job queue in {shown} failed: {type(e).__name__}: {e}") from None
    if changed is not None:
        typer.echo(f"{shown}: job queue (pgqueuer) {'installed or upgraded' if changed else 'already up to date'}")


def build_app() -> typer.Typer:
    app = build_cli(open_use_cases, user_errors=(ConfigurationError,), serve=serve, worker=worker)
    app.add_typer(db, name="db")
    return app


def main() -> None:
    build_app()()


if __name__ == "__main__":
    main()
