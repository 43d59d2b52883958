"""The `videoforge` command. A driving adapter: it builds requests from options and calls the
use cases it is given; `bootstrap.cli` wires it to the container."""

from collections.abc import Callable
from typing import Annotated

import typer

from videoforge.adapters.cli.billing import BillingCommands
from videoforge.adapters.cli.generation import GenerationCommands
from videoforge.adapters.cli.jobs import JobCommands
from videoforge.adapters.cli.library import LibraryCommands
from videoforge.adapters.cli.plans import PlanCommands
from videoforge.adapters.cli.runner import EXIT_USER, CommandRunner, UseCasesOpener, fail


def build_cli(open_use_cases: UseCasesOpener, *, user_errors: tuple[type[Exception], ...] = (),
              serve: Callable[[str, int], None] | None = None,
              worker: Callable[[int | None], None] | None = None, version: str | None = None) -> typer.Typer:
    """The command over the use cases `open_use_cases` opens, once per command. `user_errors`
    are more errors the user can fix (exit 2); `serve`, when given, runs the HTTP API, and
    `worker` a worker of the job queue."""
    app = typer.Typer(name="videoforge", help="Generate AI video through one pipeline.", no_args_is_help=True,
                      pretty_exceptions_enable=False, add_completion=False)
    if version is not None:
        app.callback()(version_option(version))
    run = CommandRunner(open_use_cases, user_errors)
    library = LibraryCommands(run)
    GenerationCommands(run).register(app)
    app.command("usage")(library.usage)
    billing = BillingCommands(run)
    app.command("providers")(billing.providers)
    app.add_typer(billing.group(), name="billing")
    if serve is not None:
        app.command("serve")(serve_command(serve, run.user_errors))
    if worker is not None:
        app.command("worker")(worker_command(worker, run.user_errors))
    app.add_typer(JobCommands(run).group(), name="jobs")
    app.add_typer(library.assets_group(), name="assets")
    app.add_typer(PlanCommands(run).group(), name="plans")
    return app


def version_option(version: str) -> Callable[..., None]:
    def show(value: bool) -> None:
        if value:
            typer.echo(f"videoforge {version}")
            raise typer.Exit()

    def root(show_version: Annotated[bool, typer.Option("--version", callback=show, is_eager=True,
                                                        help="Print the version and exit.")] = False) -> None:
        """Generate AI video through one pipeline."""

    return root


def serve_command(serve: Callable[[str, int], None], user_errors: tuple[type[Exception], ...]) -> Callable[..., None]:
    def serve_api(host: str = "127.0.0.1", port: int = 8000) -> None:
        """Run the HTTP API (resumes unfinished jobs at start-up)."""
        try:
            serve(host, port)
        except user_errors as e:
            fail(e, EXIT_USER)

    return serve_api


def worker_command(worker: Callable[[int | None], None],
                   user_errors: tuple[type[Exception], ...]) -> Callable[..., None]:
    def run_worker(concurrency: int | None = typer.Option(
            None, min=2, help="Jobs held at once (default VIDEOFORGE_WORKER_CONCURRENCY, 200).")) -> None:
        """Run the jobs of the queue (VIDEOFORGE_QUEUE=pgqueuer) until SIGTERM: jobs still running
        after VIDEOFORGE_WORKER_SHUTDOWN_GRACE seconds are handed back to the queue."""
        try:
            worker(concurrency)
        except user_errors as e:
            fail(e, EXIT_USER)

    return run_worker
