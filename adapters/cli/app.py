"""The `videoforge` command. A driving adapter: it builds requests from options and calls the
use cases it is given; `bootstrap.cli` wires it to the container."""

import asyncio
import json
import mimetypes
import sys
from collections.abc import Awaitable, Callable
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from videoforge.application.errors import JobFailedError, JobNotCancellableError, JobNotFinishedError
from videoforge.application.ports import AssetNotFoundError, JobNotFoundError
from videoforge.application.use_cases import (
    CancelJob,
    EstimateCost,
    GenerateVideo,
    GetAsset,
    GetJob,
    GetUsage,
    ListAssets,
    ListJobs,
    ListModels,
    ReconcileJob,
    ResumeJobs,
)
from videoforge.domain import (
    DomainError,
    InvalidRequestError,
    MediaInput,
    MediaKind,
    OperationType,
    VideoJob,
    VideoRequest,
)
from videoforge.domain.media import sniff_content_type

EXIT_USER, EXIT_FAILURE = 2, 1


@dataclass(frozen=True)
class CliUseCases:
    generate: Callable[[], GenerateVideo]
    estimate: Callable[[], EstimateCost]
    list_models: Callable[[], ListModels]
    list_jobs: Callable[[], ListJobs]
    get_job: Callable[[], GetJob]
    resume: Callable[[], ResumeJobs]
    cancel: Callable[[], CancelJob]
    reconcile: Callable[[], ReconcileJob]
    list_assets: Callable[[], ListAssets]
    get_asset: Callable[[], GetAsset]
    usage: Callable[[], GetUsage]


UseCasesOpener = Callable[[], AbstractAsyncContextManager[CliUseCases]]
USER_ERRORS: tuple[type[Exception], ...] = (DomainError, JobNotFoundError, AssetNotFoundError, JobNotCancellableError)


class UserError(Exception):
    """Something the user can fix: one line on stderr, exit code 2."""


def build_cli(open_use_cases: UseCasesOpener, *, user_errors: tuple[type[Exception], ...] = (),
              serve: Callable[[str, int], None] | None = None) -> typer.Typer:
    app = typer.Typer(name="videoforge", help="Generate AI video through one pipeline.", no_args_is_help=True,
                      pretty_exceptions_enable=False, add_completion=False)
    jobs_app = typer.Typer(help="Jobs: list, show, resume, cancel.", no_args_is_help=True)
    assets_app = typer.Typer(help="Your video library.", no_args_is_help=True)
    app.add_typer(jobs_app, name="jobs")
    app.add_typer(assets_app, name="assets")
    out = Console(width=None if sys.stdout.isatty() else 160)
    expected = USER_ERRORS + tuple(user_errors)

    def run_and_show(work: Callable[[CliUseCases], Awaitable[Any]], as_json: bool,
                     show: Callable[[Any], None]) -> None:
        """Run `work` on freshly opened use cases; print its result as JSON or through `show`.
        User errors exit 2 with one line on stderr, other failures 1; never a traceback."""
        async def main() -> Any:
            async with open_use_cases() as use_cases:
                return await work(use_cases)

        try:
            result = asyncio.run(main())
        except (UserError, *expected) as e:
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

    JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")]
    UserOpt = Annotated[str, typer.Option("--user", help="The user the video is for and billed to.")]

    @app.command()
    def generate(
        prompt: Annotated[str | None, typer.Option(help="What the video shows.")] = None,
        image: Annotated[Path | None, typer.Option(help="Input image (image-to-video, avatar).")] = None,
        audio: Annotated[Path | None, typer.Option(help="Input audio (avatar).")] = None,
        video: Annotated[Path | None, typer.Option(help="Input video (enhance, extend).")] = None,
        operation: Annotated[str | None, typer.Option(help="Inferred from the inputs when not given.")] = None,
        model: Annotated[str | None, typer.Option(help="A model id or alias (see `videoforge models`).")] = None,
        duration: Annotated[int | None, typer.Option(help="Seconds (extend: seconds added).")] = None,
        resolution: Annotated[str | None, typer.Option()] = None,
        aspect_ratio: Annotated[str | None, typer.Option("--aspect-ratio")] = None,
        negative_prompt: Annotated[str | None, typer.Option("--negative-prompt")] = None,
        seed: Annotated[int | None, typer.Option()] = None,
        user: UserOpt = "cli-user",
        idempotency_key: Annotated[str | None, typer.Option("--idempotency-key")] = None,
        as_json: JsonOpt = False,
    ) -> None:
        """Generate a video and store it in the library."""
        async def work(uc: CliUseCases) -> dict[str, Any]:
            request = build_request(operation, user, prompt, image, audio, video, model=model, duration=duration,
                                    resolution=resolution, aspect_ratio=aspect_ratio,
                                    negative_prompt=negative_prompt, seed=seed, idempotency_key=idempotency_key)
            with ProgressBar(enabled=not as_json) as progress:
                result = await uc.generate()(request, progress)
            return {"job_id": result.job_id, "asset_id": result.asset_id, "file": result.file_url,
                    "path": result.file_path, "model": result.model_name, "cost": usd(result.cost),
                    "duration": result.duration, "width": result.width, "height": result.height,
                    "size": result.file_size}

        def show(r: dict[str, Any]) -> None:
            out.print(f"Saved {r['file']}")
            out.print(f"  asset {r['asset_id']}, {r['width']}x{r['height']}, {r['duration']:g} s, "
                      f"{r['size']} bytes, {r['model']}, ${r['cost']}")

        run_and_show(work, as_json, show)

    @app.command()
    def estimate(
        prompt: Annotated[str | None, typer.Option()] = None,
        image: Annotated[Path | None, typer.Option()] = None,
        audio: Annotated[Path | None, typer.Option()] = None,
        video: Annotated[Path | None, typer.Option()] = None,
        operation: Annotated[str | None, typer.Option()] = None,
        model: Annotated[str | None, typer.Option()] = None,
        duration: Annotated[int | None, typer.Option()] = None,
        resolution: Annotated[str | None, typer.Option()] = None,
        user: UserOpt = "cli-user",
        as_json: JsonOpt = False,
    ) -> None:
        """What a generation would cost, and whether the user's plan allows it now."""
        async def work(uc: CliUseCases) -> dict[str, Any]:
            request = build_request(operation, user, prompt or "(estimate)", image, audio, video, model=model,
                                    duration=duration, resolution=resolution)
            e = await uc.estimate()(request)
            return {"model": e.model.id, "cost": usd(e.cost), "billed_seconds": e.billed_seconds,
                    "resolution": e.resolution, "duration": e.duration, "allowed": e.allowed,
                    "reason": e.quota.reason, "price_verified": e.model.verified}

        run_and_show(work, as_json, lambda r: out.print(
            f"{r['model']}: ${r['cost']} for {r['billed_seconds']:g} s at {r['resolution']}"
            + ("" if r["allowed"] else f"; refused now: {r['reason']}")))

    @app.command()
    def models(operation: Annotated[str | None, typer.Option()] = None, as_json: JsonOpt = False) -> None:
        """The models that can run here, with their options and prices."""
        async def work(uc: CliUseCases) -> list[dict[str, Any]]:
            return [m.summary() for m in await uc.list_models()(operation)]

        def show(rows: list[dict[str, Any]]) -> None:
            table = Table("model", "operation", "durations (s)", "resolutions", "price")
            for r in rows:
                table.add_row(r["id"], r["operation"], _durations(r["durations"]), ", ".join(r["resolutions"]),
                              r["pricing"] + ("" if r["price_verified"] else " (unverified)"))
            out.print(table)

        run_and_show(work, as_json, show)

    @jobs_app.command("list")
    def jobs_list(user: UserOpt = "cli-user", limit: int = 20, as_json: JsonOpt = False) -> None:
        """The user's jobs, newest first."""
        async def work(uc: CliUseCases) -> list[dict[str, Any]]:
            return [job_json(j) for j in await uc.list_jobs()(user, limit=limit)]

        def show(rows: list[dict[str, Any]]) -> None:
            table = Table("job", "status", "progress", "model", "created", "message")
            for r in rows:
                table.add_row(r["id"], r["status"], f"{r['progress']}%", r["model"], r["created_at"][:19],
                              r["message"])
            out.print(table)

        run_and_show(work, as_json, show)

    @jobs_app.command("show")
    def jobs_show(job_id: str, user: UserOpt = "cli-user", as_json: JsonOpt = False) -> None:
        """One job in full."""
        async def work(uc: CliUseCases) -> dict[str, Any]:
            return job_json(await uc.get_job()(job_id, user))

        run_and_show(work, as_json, lambda r: out.print_json(data=r))

    @jobs_app.command("resume")
    def jobs_resume(as_json: JsonOpt = False) -> None:
        """Finish every unfinished job (never resubmitting one the provider has)."""
        async def work(uc: CliUseCases) -> dict[str, Any]:
            report = await uc.resume()()
            return {"finished": report.finished, "awaiting_reconciliation": report.awaiting_reconciliation,
                    "still_unfinished": report.errors}

        run_and_show(work, as_json, lambda r: out.print_json(data=r))

    @jobs_app.command("cancel")
    def jobs_cancel(job_id: str, user: UserOpt = "cli-user", as_json: JsonOpt = False) -> None:
        """Cancel a job and free its reservation."""
        async def work(uc: CliUseCases) -> dict[str, Any]:
            return job_json(await uc.cancel()(job_id, user))

        run_and_show(work, as_json, lambda r: out.print(f"job {r['id']}: {r['status']}"))

    @jobs_app.command("reconcile")
    def jobs_reconcile(job_id: str,
                       provider_job_id: Annotated[str | None, typer.Option(
                           "--provider-job-id", help="The provider's task for this job, found on its side.")] = None,
                       not_created: Annotated[bool, typer.Option(
                           "--not-created", help="The provider has no task for this job.")] = False,
                       as_json: JsonOpt = False) -> None:
        """Settle an unknown outcome: the provider has the task (it is then followed), or it has none."""
        async def work(uc: CliUseCases) -> dict[str, Any]:
            if bool(provider_job_id) == not_created:
                raise UserError("give exactly one of --provider-job-id or --not-created")
            job = await uc.reconcile()(job_id, provider_job_id)
            if provider_job_id:
                await uc.resume()()
                job = await uc.get_job()(job_id, job.user_id)
            return job_json(job)

        run_and_show(work, as_json, lambda r: out.print(f"job {r['id']}: {r['status']}"))

    @assets_app.command("list")
    def assets_list(user: UserOpt = "cli-user", limit: int = 20, as_json: JsonOpt = False) -> None:
        """The user's videos, newest first."""
        async def work(uc: CliUseCases) -> list[dict[str, Any]]:
            return [asset_json(a) for a in await uc.list_assets()(user, limit=limit)]

        def show(rows: list[dict[str, Any]]) -> None:
            table = Table("asset", "created", "size", "duration", "model", "cost", "file")
            for r in rows:
                table.add_row(r["id"], r["created_at"][:19], f"{r['width']}x{r['height']}", f"{r['duration']} s",
                              r["model"], f"${r['cost']}", r["file_url"])
            out.print(table)

        run_and_show(work, as_json, show)

    @assets_app.command("show")
    def assets_show(asset_id: str, user: UserOpt = "cli-user", as_json: JsonOpt = False) -> None:
        """One asset in full."""
        async def work(uc: CliUseCases) -> dict[str, Any]:
            return asset_json(await uc.get_asset()(asset_id, user))

        run_and_show(work, as_json, lambda r: out.print_json(data=r))

    @app.command()
    def usage(user: UserOpt = "cli-user", as_json: JsonOpt = False) -> None:
        """The user's usage this billing period and the plan's limits."""
        async def work(uc: CliUseCases) -> dict[str, Any]:
            report = await uc.usage()(user)
            s, q = report.summary, report.quota
            return {"period": s.period, "video_calls": s.video_calls, "video_cost": usd(s.video_cost),
                    "total_calls": s.total_calls, "total_cost": usd(s.total_cost),
                    "plan": q.plan.name, "video_calls_limit": q.plan.video_calls_limit,
                    "monthly_cost_limit": usd(q.plan.monthly_cost_limit),
                    "reserved_calls": q.usage.reserved_calls}

        run_and_show(work, as_json, lambda r: out.print(
            f"{r['period']}: {r['video_calls']} video(s), ${r['video_cost']} (plan {r['plan']}: "
            f"{r['video_calls_limit'] or 'unlimited'} videos, ${r['monthly_cost_limit']})"))

    if serve is not None:
        @app.command("serve")
        def serve_command(host: str = "127.0.0.1", port: int = 8000) -> None:
            """Run the HTTP API (resumes unfinished jobs at start-up)."""
            try:
                serve(host, port)
            except expected as e:
                fail(e, EXIT_USER)

    return app


class ProgressBar:
    """A Rich bar on stderr that appears with the first progress report, so that a refused
    request prints nothing but its one-line error."""

    def __init__(self, enabled: bool):
        self._enabled = enabled
        self._progress = Progress(TextColumn("{task.description:<40}"), BarColumn(),
                                  TextColumn("{task.percentage:>3.0f}%"), TimeElapsedColumn(),
                                  console=Console(stderr=True))
        self._task = None

    def __enter__(self) -> "ProgressBar":
        return self

    def __call__(self, percent: float, message: str) -> None:
        if not self._enabled:
            return
        if self._task is None:
            self._progress.start()
            self._task = self._progress.add_task(message, total=100)
        self._progress.update(self._task, completed=percent, description=message[:40])

    def __exit__(self, *exc: object) -> None:
        if self._task is not None:
            self._progress.stop()


def fail(error: BaseException, code: int) -> None:
    message = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
    print(f"videoforge: {message}", file=sys.stderr)
    raise typer.Exit(code)


def failure_json(error: JobFailedError | JobNotFinishedError) -> dict[str, Any]:
    return {"error": str(error), "code": getattr(error, "code", "not_finished"), "job": job_json(error.job)}


def build_request(operation: str | None, user: str, prompt: str | None, image: Path | None, audio: Path | None,
                  video: Path | None, **fields: Any) -> VideoRequest:
    """Everything the user typed, checked before anything is opened or reserved."""
    inputs = {kind.value: media_file(kind, path) for kind, path in
              ((MediaKind.IMAGE, image), (MediaKind.AUDIO, audio), (MediaKind.VIDEO, video)) if path is not None}
    op = OperationType.parse(operation) if operation else infer_operation(inputs, fields.get("duration"))
    return VideoRequest(operation=op, user_id=user, prompt=prompt, source_module="cli", **inputs,
                        **{k: v for k, v in fields.items() if v is not None})


def infer_operation(inputs: dict[str, MediaInput], duration: int | None) -> OperationType:
    if "audio" in inputs and "image" in inputs:
        return OperationType.AVATAR
    if "video" in inputs:
        return OperationType.EXTEND if duration else OperationType.ENHANCE
    if "image" in inputs:
        return OperationType.IMAGE_TO_VIDEO
    return OperationType.TEXT_TO_VIDEO


def media_file(kind: MediaKind, path: Path) -> MediaInput:
    if not path.is_file():
        raise InvalidRequestError(kind.value, f"no such file: {path}", value=str(path))
    size = path.stat().st_size
    if size == 0:
        raise InvalidRequestError(kind.value, f"the file is empty: {path}", value=str(path))
    with path.open("rb") as f:
        head = f.read(64)
    by_name = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    return MediaInput.from_path(kind, str(path.resolve()), sniff_content_type(head, by_name), size)


def job_json(job: VideoJob) -> dict[str, Any]:
    return {"id": job.id, "user_id": job.user_id, "status": job.status.value, "progress": job.progress,
            "message": job.message, "model": job.model, "provider": job.provider,
            "estimated_cost": usd(job.estimated_cost),
            "actual_cost": usd(job.actual_cost) if job.actual_cost else None,
            "provider_job_id": job.provider_job_id, "asset_id": job.asset_id,
            "error": {"code": job.error.code, "message": job.error.message} if job.error else None,
            "created_at": job.created_at.isoformat(), "updated_at": job.updated_at.isoformat()}


def asset_json(asset) -> dict[str, Any]:
    return {"id": asset.id, "job_id": asset.job_id, "file_url": asset.file_url, "storage_key": asset.storage_key,
            "file_size": asset.file_size, "sha256": asset.sha256, "duration": asset.duration, "width": asset.width,
            "height": asset.height, "fps": asset.fps, "codec": asset.codec, "has_audio": asset.has_audio,
            "model": asset.model, "provider": asset.provider, "cost": usd(asset.cost),
            "source_module": asset.source_module, "prompt": asset.prompt, "created_at": asset.created_at.isoformat()}


def _durations(values: list[int]) -> str:
    if not values:
        return "from input"
    if len(values) > 3 and values == list(range(values[0], values[-1] + 1)):
        return f"{values[0]}-{values[-1]}"
    return ", ".join(map(str, values))


def usd(cost) -> str:
    """Dollars as plain digits: 0.2, 500 (never 5E+2)."""
    return f"{cost.usd.normalize():f}"
