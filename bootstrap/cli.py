"""The `videoforge` command. Exit codes: 0 done, 2 bad usage or configuration, 1 failure;
errors are one line on stderr."""

from __future__ import annotations

from pathlib import Path

import typer
from alembic.util import CommandError
from pydantic import ValidationError
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

from adapters.sql import describe, is_embedded
from adapters.sql.migrate import upgrade
from bootstrap.catalog import ConfigurationError
from bootstrap.container import check_database_url
from bootstrap.settings import Settings

app = typer.Typer(name="videoforge", help="One pipeline for every AI video generation.", no_args_is_help=True,
                  add_completion=False, pretty_exceptions_enable=False)
db = typer.Typer(help="The database of jobs, assets, usage and quota.", no_args_is_help=True)
app.add_typer(db, name="db")

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
        raise fail(USAGE, f"{field}: {first['msg']}") from None


@db.command("upgrade")
def db_upgrade(revision: str = typer.Argument("head", help="The revision to reach (default: the latest).")) -> None:
    """Bring the database of VIDEOFORGE_DATABASE_URL to the latest schema (rows are kept)."""
    settings = load_settings()
    url = settings.database_url
    try:
        check_database_url(url)
    except ConfigurationError as e:
        raise fail(USAGE, str(e)) from None
    shown = make_url(url).render_as_string(hide_password=True)
    try:
        if is_embedded(url) and make_url(url).database:
            Path(make_url(url).database).parent.mkdir(parents=True, exist_ok=True)
        before, after = upgrade(url, revision)
    except CommandError as e:
        raise fail(USAGE, f"db upgrade: {e}") from None
    except (SQLAlchemyError, OSError) as e:
        raise fail(FAILURE, f"db upgrade of {shown} failed: {describe(e)}") from None
    if before == after:
        typer.echo(f"{shown}: already at revision {after}")
    else:
        typer.echo(f"{shown}: upgraded from {before or 'an empty database'} to revision {after}")


def main() -> None:
    app()


if __name__ == "__main__":
    main()
