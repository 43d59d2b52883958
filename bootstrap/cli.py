"""The `videoforge` console script: the CLI adapter wired to a container built from the environment."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from pydantic import ValidationError

from adapters.cli.app import CliUseCases, build_cli
from bootstrap.catalog import ConfigurationError
from bootstrap.container import Container
from bootstrap.runtime import open_container
from bootstrap.settings import Settings


def cli_use_cases(c: Container) -> CliUseCases:
    return CliUseCases(generate=c.generate_video, estimate=c.estimate_cost, list_models=c.list_models,
                       list_jobs=c.list_jobs, get_job=c.get_job, resume=c.resume_jobs, cancel=c.cancel_job,
                       list_assets=c.list_assets, get_asset=c.get_asset, usage=c.get_usage)


@asynccontextmanager
async def open_cli_use_cases() -> AsyncIterator[CliUseCases]:
    async with open_container(Settings()) as container:
        yield cli_use_cases(container)


def serve(host: str, port: int) -> None:
    import uvicorn

    from bootstrap.http import build_app

    uvicorn.run(build_app(Settings()), host=host, port=port, log_level="info")


def main() -> None:
    build_cli(open_cli_use_cases, user_errors=(ConfigurationError, ValidationError), serve=serve)()


if __name__ == "__main__":
    main()
