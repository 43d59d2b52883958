"""The `videoforge` console script: the CLI adapter wired to a container built from the
environment, plus `db upgrade`. Exit codes: 0 done, 2 bad usage or configuration, 1 failure;
errors are one line on stderr.

A command imports what it needs when it runs: `--help` imports no container, `models` no
database driver, SQLAlchemy, Alembic, PyAV or FastAPI (tests/unit/test_cli_imports.py)."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from videoforge.adapters.cli.app import build_cli
from videoforge.bootstrap.catalog import ConfigurationError

if TYPE_CHECKING:
    from videoforge.application.use_cases import UseCases
    from videoforge.bootstrap.settings import Settings

USAGE, FAILURE = 2, 1
# dependency-injector's wiring module imports these, when installed, only to recognise their
# markers; videoforge uses no wiring, and they cost a CLI command a third of a second.
WIRING_ONLY = ("fastapi", "starlette")


@contextmanager
def hidden(names: tuple[str, ...]) -> Iterator[None]:
    """Imports in the block find none of `names` not yet imported (an import of one fails as if
    it were not installed); afterwards they import normally (`serve` imports FastAPI)."""
    hide = [name for name in names if name not in sys.modules]
    sys.modules.update(dict.fromkeys(hide))
    try:
        yield
    finally:
        for name in hide:
            if sys.modules.get(name, ...) is None:
                del sys.modules[name]


def fail(code: int, message: str) -> typer.Exit:
    typer.echo(f"videoforge: {message}", err=True)
    return typer.Exit(code)


def load_settings() -> Settings:
    from pydantic import ValidationError

    from videoforge.bootstrap.settings import Settings

    try:
        return Settings()
    except ValidationError as e:
        first = e.errors()[0]
        field = "VIDEOFORGE_" + "_".join(str(part) for part in first["loc"]).upper()
        raise ConfigurationError(f"{field}: {first['msg']}") from None


@asynccontextmanager
async def open_use_cases() -> AsyncIterator[UseCases]:
    """The use cases of a container opened from the environment, for one command."""
    with hidden(WIRING_ONLY):
        from videoforge.bootstrap.container import use_cases_of
        from videoforge.bootstrap.runtime import open_container
    async with open_container(load_settings()) as container:
        yield use_cases_of(container)


def serve(host: str, port: int) -> None:
    import uvicorn

    from videoforge.bootstrap.http import build_app
    from videoforge.bootstrap.logs import configure_logging
    from videoforge.bootstrap.tracing import log_trace_ids, name_service

    settings = load_settings()
    name_service("videoforge-api")
    # uvicorn's records too: it configures no logging of its own (log_config=None)
    configure_logging(settings, trace_ids=log_trace_ids(settings.tracing))
    uvicorn.run(build_app(settings), host=host, port=port, log_config=None, log_level=settings.log_level.lower())


def worker(concurrency: int | None) -> None:
    from videoforge.bootstrap.logs import configure_logging
    from videoforge.bootstrap.queue import QueueNotInstalledError, run_worker
    from videoforge.bootstrap.tracing import log_trace_ids, name_service

    settings = load_settings()
    name_service("videoforge-worker")
    configure_logging(settings, trace_ids=log_trace_ids(settings.tracing))
    try:
        asyncio.run(run_worker(settings, concurrency))
    except QueueNotInstalledError as e:
        raise ConfigurationError(str(e)) from None


db = typer.Typer(help="The database of jobs, assets, usage and quota.", no_args_is_help=True)


@db.command("upgrade")
def db_upgrade(revision: str = typer.Argument("head", help="The revision to reach (default: the latest).")) -> None:
    """Bring the database of VIDEOFORGE_DATABASE_URL to the latest schema (rows are kept). On
    PostgreSQL, everything lives in the schema VIDEOFORGE_DB_SCHEMA (default videoforge), created
    here; the tables of an install older than that setting move there from public."""
    from alembic.util import CommandError
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import SQLAlchemyError

    from videoforge.adapters.sql import describe, is_embedded
    from videoforge.adapters.sql.migrate import upgrade
    from videoforge.bootstrap.container import check_database_url

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
    import asyncpg

    from videoforge.bootstrap.queue import install_configured_queue

    try:
        changed = asyncio.run(install_configured_queue(settings))
    except ConfigurationError as e:
        raise fail(USAGE, str(e)) from None
    except (OSError, asyncpg.PostgresError) as e:
        raise fail(FAILURE, f"db upgrade of the job queue in {shown} failed: {type(e).__name__}: {e}") from None
    if changed is not None:
        typer.echo(f"{shown}: job queue (pgqueuer) {'installed or upgraded' if changed else 'already up to date'}")


def installed_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("videoforge")
    except PackageNotFoundError:
        return "(not installed)"


def build_app() -> typer.Typer:
    app = build_cli(open_use_cases, user_errors=(ConfigurationError,), serve=serve, worker=worker,
                    version=installed_version())
    app.add_typer(db, name="db")
    return app


def main() -> None:
    build_app()()


if __name__ == "__main__":
    main()
