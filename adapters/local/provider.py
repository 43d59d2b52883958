from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import re
import shutil
import threading
import time
import uuid
from collections.abc import AsyncIterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from videoforge.adapters.local import render, tools
from videoforge.application.ports.media import MediaSource
from videoforge.application.ports.provider import (
    ProviderOutput,
    ProviderOutputError,
    ProviderRejectedError,
    ProviderState,
    ProviderStatus,
    ProviderTask,
    VideoProvider,
)
from videoforge.application.sources import local_file
from videoforge.domain.job import ErrorCode
from videoforge.domain.media import MediaKind
from videoforge.domain.models_local import LOCAL_MODELS
from videoforge.domain.operations import OperationType

_OPERATIONS: dict[str, OperationType] = {spec.id: spec.operation for spec in LOCAL_MODELS}  # model -> renderer
# What each renderer cannot work without: its input files, and a length where no input gives one.
_INPUTS: dict[OperationType, tuple[MediaKind, ...]] = {
    OperationType.TEXT_TO_VIDEO: (),
    OperationType.IMAGE_TO_VIDEO: (MediaKind.IMAGE,),
    OperationType.AVATAR: (MediaKind.IMAGE, MediaKind.AUDIO),
    OperationType.ENHANCE: (MediaKind.VIDEO,),
    OperationType.EXTEND: (MediaKind.VIDEO,),
    OperationType.ADD_AUDIO: (MediaKind.VIDEO,),
    OperationType.EDIT: (MediaKind.VIDEO,),
    OperationType.REMOVE_BACKGROUND: (MediaKind.VIDEO,),
}
_COLOURS = {"green": (0, 177, 64), "blue": (0, 71, 187), "black": (0, 0, 0), "white": (255, 255, 255)}
_TIMED = frozenset({OperationType.TEXT_TO_VIDEO, OperationType.IMAGE_TO_VIDEO, OperationType.EXTEND})
log = logging.getLogger("videoforge.local")
_ID = re.compile(r"^local-[0-9a-f]{32}$")
_OUTPUT = "output.mp4"
_DELIVERED = "delivered"  # marks a folder whose output was streamed out whole
CHUNK = 1024 * 1024


@dataclass(frozen=True, slots=True)
class _Job:
    """A checked task: what to render."""

    operation: OperationType
    canvas: render.Canvas
    seconds: int | None
    prompt: str | None
    seed: int | None
    inputs: Mapping[MediaKind, MediaSource]
    options: Mapping[str, object] = field(default_factory=dict)


@dataclass(slots=True)
class _Render:
    id: str
    job: _Job
    directory: Path
    state: ProviderState = ProviderState.QUEUED
    progress: float = 0.0
    error: str | None = None
    stop: threading.Event = field(default_factory=threading.Event)
    runner: asyncio.Task | None = None


class LocalVideoProvider(VideoProvider):
    """Renders the `local/...` models on this machine (see domain/models_local.py).

    `submit` checks the task and returns at once; the render runs in a thread pool of
    `max_workers` threads, in its own folder under `work_dir`, and `poll` reports the fraction
    of frames done. The finished file stays on disk after `stream_output` has delivered it, for
    `keep_delivered_for` seconds (the caller may fail to store it and fetch it again, a process
    may restart before saving); `sweep`, run at each submit, then removes its folder. `cancel`
    stops a render at its next frame and removes its folder.
    """

    def __init__(self, work_dir: str | os.PathLike[str], *, max_workers: int = 1, name: str = "local",
                 keep_delivered_for: float = 3600.0):
        self.name = name
        self._work_dir = Path(work_dir)
        # A delivered output stays a while: the caller may still fail to store it and ask again.
        self._keep_delivered_for = keep_delivered_for
        self._executor = ThreadPoolExecutor(max_workers, thread_name_prefix="videoforge-local")
        self._renders: dict[str, _Render] = {}

    async def submit(self, task: ProviderTask) -> str:
        job = _check(task)
        await self.sweep()
        render_id = f"local-{uuid.uuid4().hex}"
        item = _Render(render_id, job, self._work_dir / render_id)
        self._renders[render_id] = item
        item.runner = asyncio.create_task(self._run(item), name=f"videoforge-local-{render_id}")
        return render_id

    async def _run(self, item: _Render) -> None:
        try:
            await asyncio.to_thread(item.directory.mkdir, parents=True, exist_ok=True)
            paths = {}
            for kind, source in item.job.inputs.items():
                # Copied into the render's folder: the caller's source may be gone by the time it runs.
                async with local_file(source, target=item.directory / f"input-{kind.value}"):
                    paths[kind] = item.directory / f"input-{kind.value}"
            if item.stop.is_set():
                raise render.RenderCancelledError
            item.state = ProviderState.RUNNING
            partial = item.directory / "rendering.mp4"
            loop = asyncio.get_running_loop()
            await loop.run_in_executor(self._executor, self._render, item, paths, partial)
            if item.stop.is_set():  # cancelled after the last frame: a cancel that said yes wins
                raise render.RenderCancelledError
            await asyncio.to_thread(os.replace, partial, item.directory / _OUTPUT)
            item.progress, item.state = 1.0, ProviderState.COMPLETED
        except render.RenderCancelledError:
            item.state = ProviderState.CANCELLED
        except asyncio.CancelledError:  # the pool was shut down before this render started
            item.state = ProviderState.CANCELLED
            raise
        except (render.RenderError, OSError) as e:
            item.state, item.error = ProviderState.FAILED, str(e)
        except Exception as e:  # a bug or an unexpected library error: the task must still end
            log.exception("local render %s failed", item.id)
            item.state, item.error = ProviderState.FAILED, f"unexpected error: {e}"
        finally:
            if item.state is not ProviderState.COMPLETED:
                await asyncio.to_thread(shutil.rmtree, item.directory, True)

    def _render(self, item: _Render, paths: Mapping[MediaKind, Path], out: Path) -> None:
        job = item.job

        def progress(fraction: float) -> None:
            if item.stop.is_set():
                raise render.RenderCancelledError
            item.progress = min(max(fraction, 0.0), 0.99)  # 1.0 only once the file is in place

        progress(0.0)
        op = job.operation
        if op is OperationType.TEXT_TO_VIDEO:
            render.title_card(out, job.canvas, job.seconds, job.prompt or "", job.seed, progress)
        elif op is OperationType.IMAGE_TO_VIDEO:
            render.pan_zoom(out, job.canvas, job.seconds, paths[MediaKind.IMAGE], job.prompt, progress)
        elif op is OperationType.AVATAR:
            render.still_avatar(out, job.canvas, paths[MediaKind.IMAGE], paths[MediaKind.AUDIO], progress)
        elif op is OperationType.ENHANCE:
            render.upscale(out, job.canvas, paths[MediaKind.VIDEO], progress)
        elif op is OperationType.EXTEND:
            render.hold_extend(out, job.canvas, paths[MediaKind.VIDEO], job.seconds, progress)
        else:
            self._rework(job, paths, out, progress)

    @staticmethod
    def _rework(job: _Job, paths: Mapping[MediaKind, Path], out: Path, progress: render.Progress) -> None:
        video, options = paths[MediaKind.VIDEO], job.options
        if job.operation is OperationType.ADD_AUDIO:
            tools.add_audio(out, video, job.prompt, progress)
        elif job.operation is OperationType.EDIT:
            tools.retake(out, video, job.prompt or "", options.get("start_time"), options.get("end_time"), job.seed,
                         progress)
        else:
            colour = _COLOURS[str(options.get("background_colour", "green"))]
            tools.remove_background(out, video, paths.get(MediaKind.IMAGE), colour, progress)

    async def poll(self, provider_job_id: str) -> ProviderStatus:
        item = self._renders.get(provider_job_id)
        if item is None:
            # Rendered before a restart and not yet delivered: the file is still there.
            if _ID.match(provider_job_id) and await asyncio.to_thread(self._output_path(provider_job_id).is_file):
                return _completed(provider_job_id)
            return ProviderStatus(ProviderState.EXPIRED, error_code=ErrorCode.PROVIDER_EXPIRED,
                                  error_message=f"no local render {provider_job_id} (lost with a restart?)")
        if item.state is ProviderState.COMPLETED:
            return _completed(item.id)
        if item.state is ProviderState.FAILED:
            return ProviderStatus(ProviderState.FAILED, error_code=ErrorCode.TASK_FAILED,
                                  error_message=f"the local render failed: {item.error}")
        if item.state is ProviderState.CANCELLED:
            return ProviderStatus(ProviderState.CANCELLED, error_message="the render was cancelled")
        return ProviderStatus(item.state, progress=round(item.progress, 3))

    def _output_path(self, render_id: str) -> Path:
        return self._work_dir / render_id / _OUTPUT

    async def stream_output(self, output: ProviderOutput) -> AsyncIterator[bytes]:
        render_id = output.url.removeprefix("local://").split("/", 1)[0]
        if not output.url.startswith("local://") or not _ID.match(render_id):
            raise ProviderOutputError(f"{output.url} is not a local render's output")
        path = self._output_path(render_id)
        try:
            handle = await asyncio.to_thread(open, path, "rb")
        except OSError as e:
            raise ProviderOutputError(f"the output of {render_id} is gone ({e.strerror})") from e
        try:
            while chunk := await asyncio.to_thread(handle.read, CHUNK):
                yield chunk
        except OSError as e:
            raise ProviderOutputError(f"the output of {render_id} cannot be read ({e.strerror})",
                                      retryable=True) from e
        finally:
            handle.close()
        # Delivered whole; kept `keep_delivered_for` seconds more, then swept (see `sweep`).
        await asyncio.to_thread((path.parent / _DELIVERED).touch)

    async def sweep(self, older_than: float | None = None) -> list[str]:
        """Remove the work folders of outputs delivered more than `older_than` seconds ago
        (default: `keep_delivered_for`). Returns the render ids removed."""
        keep = self._keep_delivered_for if older_than is None else older_than

        def remove_old() -> list[str]:
            removed, now = [], time.time()
            for marker in self._work_dir.glob(f"*/{_DELIVERED}"):
                if now - marker.stat().st_mtime >= keep:
                    shutil.rmtree(marker.parent, ignore_errors=True)
                    removed.append(marker.parent.name)
            return removed

        removed = await asyncio.to_thread(remove_old) if self._work_dir.exists() else []
        for render_id in removed:
            self._renders.pop(render_id, None)
        return removed

    async def cancel(self, provider_job_id: str) -> bool:
        item = self._renders.get(provider_job_id)
        if item is None or item.state in (ProviderState.COMPLETED, ProviderState.FAILED):
            return False
        item.stop.set()
        item.state = ProviderState.CANCELLED
        return True

    def close(self) -> None:
        """Stop every render still going (each at its next frame) and the thread pool. Finished
        outputs not yet delivered stay on disk, for a later process to deliver."""
        for item in self._renders.values():
            item.stop.set()
        self._executor.shutdown(wait=True, cancel_futures=True)

    async def aclose(self) -> None:
        """`close`, then wait for the renders' own clean-up (removing their folders)."""
        self.close()
        runners = [item.runner for item in self._renders.values() if item.runner is not None]
        for runner in runners:
            with contextlib.suppress(Exception, asyncio.CancelledError):
                await runner


def _completed(render_id: str) -> ProviderStatus:
    return ProviderStatus(ProviderState.COMPLETED, progress=1.0, output=ProviderOutput(f"local://{render_id}/{_OUTPUT}"))


def _check(task: ProviderTask) -> _Job:
    """The task as a render. The catalog has checked the spec; refused here is only what no
    renderer here can do: another provider's model, a missing input file or length."""
    spec = task.spec
    operation = _OPERATIONS.get(spec.model)
    if operation is None:
        raise _invalid("model", f"{spec.model!r} is not a local model (allowed: {', '.join(_OPERATIONS)})")
    needed = _INPUTS[operation]
    missing = [kind for kind in needed if kind not in task.inputs]
    if missing:
        raise _invalid(missing[0].value, f"is required by {spec.model}")
    if operation in _TIMED and spec.duration is None:
        raise _invalid("duration", f"is required by {spec.model}")
    return _Job(operation, render.Canvas(spec.width, spec.height), spec.duration, spec.prompt, spec.seed,
                dict(task.inputs), dict(spec.options))


def _invalid(name: str, message: str) -> ProviderRejectedError:
    return ProviderRejectedError(f"{name}: {message}", code=ErrorCode.INVALID_PARAMETER)


