import asyncio
import json
import sys
from collections.abc import Awaitable, Callable
from contextlib import AbstractAsyncContextManager
from typing import Annotated, Any

import typer
from rich.console import Console

from videoforge.adapters.cli.output import failure_json
from videoforge.application.errors import JobFailedError, JobNotCancellableError, JobNotFinishedError
from videoforge.application.ports import AssetNotFoundError, JobNotFoundError
from videoforge.application.use_cases import UseCases
from videoforge.domain import DomainError

EXIT_USER, EXIT_FAILURE = 2, 1
USER_ERRORS: tuple[type[Exception], ...] = (DomainError, JobNotFoundError, AssetNotFoundError, JobNotCancellableError)

UseCasesOpener = Callable[[], AbstractAsyncContextManager[UseCases]]
"""Opens the use cases for one command and closes what they hold (clients, pools) afterwards."""
Work = Callable[[UseCases], Awaitable[Any]]

JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")]
UserOpt = Annotated[str, typer.Option("--user", help="The user the video is for and billed to.")]


class UserError(Exception):
    """Something the user can fix: one line on stderr, exit code 2."""


class CommandRunner:
    """Runs a command's work on freshly opened use cases and prints its result, as JSON or through
    the command's own `show`. User errors exit 2 with one line on stderr, other failures 1; never
    a traceback."""

    def __init__(self, open_use_cases: UseCasesOpener, user_errors: tuple[type[Exception], ...] = ()):
        self._open = open_use_cases
        self.user_errors = USER_ERRORS + tuple(user_errors)
        self.out = Console(width=None if sys.stdout.isatty() else 160)

    def __call__(self, work: Work, as_json: bool, show: Callable[[Any], None]) -> None:
        try:
            result = asyncio.run(self._run(work))
        except (UserError, *self.user_errors) as e:
            fail(e, EXIT_USER)
        except (JobFailedError, JobNotFinishedError) as e:
            if as_json:
                print(json.dumps(failure_json(e), default=str))
            fail(e, EXIT_FAILURE)
        except Exception as e:  # noqa: BLE001 - one line, never a traceback
            fail(e, EXIT_FAILURE)
        if as_json:
            print(json.dumps(result, default=str, indent=2))
        else:
            show(result)

    def show_json(self, result: Any) -> None:
        self.out.print_json(data=result)

    async def _run(self, work: Work) -> Any:
        async with self._open() as use_cases:
            return await work(use_cases)


def fail(error: BaseException, code: int) -> None:
    message = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
    print(f"videoforge: {message}", file=sys.stderr)
    raise typer.Exit(code)
