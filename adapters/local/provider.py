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
from typing import Any

from videoforge.adapters.local import render
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
from videoforge.domain.models_local import LOCAL_MODELS
from videoforge.domain.operations import OperationType

_OPERATIONS: dict[str, OperationType] = {spec.id: spec.operation for spec in LOCAL_MODELS}
_DURATIONS: dict[str, tuple[int, ...]] = {spec.id: spec.durations for spec in LOCAL_MODELS}
_NEEDS: dict[OperationType, tuple[str, ...]] = {
    OperationType.TEXT_TO_VIDEO: (),
    OperationType.IMAGE_TO_VIDEO: ("image",),
    OperationType.AVATAR: ("image", "audio"),
    OperationType.ENHANCE: ("video",),
    OperationType.EXTEND: ("video",),
}
log = logging.getLogger("videoforge.local")
_ID = re.compile(r"^local-[0-9a-f]{32}$")
_SIZE = re.compile(r"^(\d{2,4})\*(\d{2,4})$")
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
    inputs: Mapping[str, MediaSource]


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
            for name, source in item.job.inputs.items():
                # Copied into the render's folder: the caller's source may be gone by the time it runs.
                async with local_file(source, target=item.directory / f"input-{name}"):
                    paths[name] = item.directory / f"input-{name}"
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

    def _render(self, item: _Render, paths: Mapping[str, Path], out: Path) -> None:
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
            render.pan_zoom(out, job.canvas, job.seconds, paths["image"], job.prompt, progress)
        elif op is OperationType.AVATAR:
            render.still_avatar(out, job.canvas, paths["image"], paths["audio"], progress)
        elif op is OperationType.ENHANCE:
            render.upscale(out, job.canvas, paths["video"], progress)
        else:
            render.hold_extend(out, job.canvas, paths["video"], job.seconds, progress)

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
    """The task as a render, or ProviderRejectedError naming what is wrong."""
    operation = _OPERATIONS.get(task.model)
    if operation is None:
        raise ProviderRejectedError(f"model: {task.model!r} is not a local model (allowed: {', '.join(_OPERATIONS)})",
                                    code=ErrorCode.INVALID_PARAMETER)
    params: Mapping[str, Any] = task.parameters
    match = _SIZE.match(str(params.get("size", "")))
    width, height = (int(match[1]), int(match[2])) if match else (0, 0)
    if not match or not (16 <= width <= 3840 and 16 <= height <= 3840) or width % 2 or height % 2:
        raise _invalid("size", f"must be WIDTH*HEIGHT with even sides from 16 to 3840, not {params.get('size')!r}")
    seconds = params.get("duration")
    durations = _DURATIONS[task.model]
    if durations and seconds not in durations:
        raise _invalid("duration", f"{task.model} renders {durations[0]} to {durations[-1]} s, not {seconds!r}")
    if not durations and seconds is not None:
        raise _invalid("duration", f"{task.model} takes its length from its input")
    prompt = params.get("prompt")
    if operation is OperationType.TEXT_TO_VIDEO and not (isinstance(prompt, str) and prompt.strip()):
        raise _invalid("prompt", "is required")
    seed = params.get("seed")
    if seed is not None and (isinstance(seed, bool) or not isinstance(seed, int)):
        raise _invalid("seed", f"must be a whole number, not {seed!r}")
    missing = [name for name in _NEEDS[operation] if name not in task.inputs]
    if missing:
        raise _invalid(missing[0], f"is required by {task.model}")
    extra = sorted(set(task.inputs) - set(_NEEDS[operation]))
    if extra:
        raise _invalid(extra[0], f"is not used by {task.model}")
    return _Job(operation, render.Canvas(width, height), seconds, prompt, seed,
                {name: task.inputs[name] for name in _NEEDS[operation]})


def _invalid(name: str, message: str) -> ProviderRejectedError:
    return ProviderRejectedError(f"{name}: {message}", code=ErrorCode.INVALID_PARAMETER)


