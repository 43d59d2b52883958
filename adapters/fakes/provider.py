from __future__ import annotations

import asyncio
import itertools
from collections import Counter
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime

from videoforge.adapters.fakes.faults import FaultInjector
from videoforge.adapters.fakes.media import fake_video, parse_fake_media, read_header
from videoforge.application.ports.probe import InvalidMediaError
from videoforge.application.ports.provider import (
    InsufficientCreditError,
    ProviderOutcomeUnknownError,
    ProviderOutput,
    ProviderOutputError,
    ProviderRejectedError,
    ProviderState,
    ProviderStatus,
    ProviderTask,
    SentSubmission,
    SubmissionHistory,
    VideoProvider,
)
from videoforge.domain.job import ErrorCode
from videoforge.domain.media import MediaKind


@dataclass(frozen=True, slots=True)
class Outcome:
    """What the fake provider does with one submission."""

    kind: str  # succeed | fail | hang | cancelled | expired | reject | unknown | garbage | truncated
    polls: int = 1  # polls before the end shows
    error_code: ErrorCode | None = None
    provider_code: int | None = None
    message: str | None = None
    duration: float | None = None  # output length; by default what the task implies
    billed_seconds: float | None = None
    insufficient_credit: bool = False
    retryable: bool = False  # for `reject`: refused for now (rate limit, busy), nothing created
    created: bool = True  # for `unknown`: whether the task exists at the provider anyway
    cancel_lag: int = 0  # polls after an accepted cancel before the task shows as cancelled
    twins: int = 0  # for `unknown`: more tasks created from the same submission (a history shows them all)
    charged: bool | None = None  # for `cancelled`/`expired`: what the provider shows it charged (False: nothing)
    queued_polls: int = 0  # polls spent waiting in the queue first, its position falling to 0
    poll_after: float | None = None  # the provider's hint, on a running task's status, of when to ask again

    @classmethod
    def succeed(cls, after_polls: int = 1, *, duration: float | None = None,
                billed_seconds: float | None = None, queued_polls: int = 0) -> Outcome:
        return cls("succeed", after_polls, duration=duration, billed_seconds=billed_seconds,
                   queued_polls=queued_polls)

    @classmethod
    def fail(cls, code: ErrorCode = ErrorCode.TASK_FAILED, *, provider_code: int | None = 1403,
             message: str = "the task failed", after_polls: int = 1) -> Outcome:
        return cls("fail", after_polls, error_code=code, provider_code=provider_code, message=message)

    @classmethod
    def hang(cls) -> Outcome:
        return cls("hang")

    @classmethod
    def queued(cls, *, cancel_lag: int = 0) -> Outcome:
        """Waits in the provider's queue (never starts) until cancelled; a cancel shows after `cancel_lag` polls."""
        return cls("queued", cancel_lag=cancel_lag)

    @classmethod
    def cancelled(cls, after_polls: int = 1, *, charged: bool | None = None) -> Outcome:
        """The provider cancels the task itself; `charged=False`: and shows it charged nothing."""
        return cls("cancelled", after_polls, charged=charged)

    @classmethod
    def expired(cls, after_polls: int = 1, *, charged: bool | None = None) -> Outcome:
        """The provider lets the task expire; `charged=False`: and shows it charged nothing."""
        return cls("expired", after_polls, charged=charged)

    @classmethod
    def reject(cls, message: str = "invalid parameter", *, provider_code: int | None = 1400,
               insufficient_credit: bool = False, retryable: bool = False) -> Outcome:
        return cls("reject", 0, provider_code=provider_code, message=message,
                   insufficient_credit=insufficient_credit, retryable=retryable)

    @classmethod
    def outcome_unknown(cls, *, created: bool = True, after_polls: int = 1, twins: int = 0) -> Outcome:
        """The submission goes out and no answer comes back (the task may exist anyway, and
        `twins` more like it)."""
        return cls("unknown", after_polls, created=created, twins=twins)

    @classmethod
    def garbage(cls, after_polls: int = 1) -> Outcome:
        """Completes with an output that is not a video."""
        return cls("garbage", after_polls)

    @classmethod
    def truncated(cls, after_polls: int = 1) -> Outcome:
        """Completes, but the download breaks off midway."""
        return cls("truncated", after_polls)


@dataclass(slots=True)
class FakeTask:
    id: str
    task: ProviderTask
    outcome: Outcome
    output: bytes
    polls: int = 0
    cancelled: bool = False
    polls_since_cancel: int = 0
    events: list[str] = field(default_factory=list)
    sent: str = ""  # what was submitted, as the history matches it


class FakeVideoProvider(FaultInjector, VideoProvider):
    """A scripted provider. `script(...)` queues outcomes for the next submissions; the rest get
    `default`. It reads its inputs (fake media) to size its output as a real provider would.
    Inspect `submissions`, `tasks`, `polls`, `cancel_requests`. With a history it awaits the
    task's `before_sending` before "sending"; the fault point "in_flight" fails a submission after the
    provider created its task (raise a BaseException there: the process died awaiting the answer)."""

    fault_points = ("in_flight",)

    def __init__(self, default: Outcome | None = None, *, name: str = "fake", accept_cancel: bool = True,
                 chunk_size: int = 64 * 1024):
        super().__init__()
        self.name = name
        self.default = default or Outcome.succeed()
        self.accept_cancel = accept_cancel
        self.chunk_size = chunk_size
        self._script: list[Outcome] = []
        self._ids = itertools.count(1)
        self.submissions: list[ProviderTask] = []
        self.tasks: dict[str, FakeTask] = {}
        self.polls: Counter[str] = Counter()
        self.cancel_requests: list[str] = []
        self.closed = False

    def script(self, *outcomes: Outcome) -> FakeVideoProvider:
        self._script.extend(outcomes)
        return self

    def _next_outcome(self) -> Outcome:
        return self._script.pop(0) if self._script else self.default

    async def submit(self, task: ProviderTask) -> str:
        self._maybe_fail("submit")
        sent = _sent_key(task)
        if task.before_sending is not None and isinstance(self, SubmissionHistory):  # as the real ones with one
            now = datetime.now(UTC)
            await task.before_sending(SentSubmission(now, now, {"sent": sent}))
        await asyncio.sleep(0)  # a network round trip: lets concurrent jobs interleave as they would
        outcome = self._next_outcome()
        self.submissions.append(task)
        if outcome.kind == "reject":
            error = InsufficientCreditError if outcome.insufficient_credit else ProviderRejectedError
            raise error(outcome.message or "rejected", provider_code=outcome.provider_code,
                        retryable=outcome.retryable)
        task_id = f"fake-{next(self._ids)}"
        if outcome.kind != "unknown" or outcome.created:
            for twin in range(1 + (outcome.twins if outcome.kind == "unknown" else 0)):
                twin_id = task_id if twin == 0 else f"{task_id}-{twin}"
                self.tasks[twin_id] = FakeTask(twin_id, task, outcome, await self._render(task, outcome), sent=sent)
        self._maybe_fail("in_flight")
        if outcome.kind == "unknown":
            now = datetime.now(UTC)
            raise ProviderOutcomeUnknownError("the submission was sent but no answer came",
                                              sent=SentSubmission(now, now, {"sent": sent}))
        return task_id

    async def _render(self, task: ProviderTask, outcome: Outcome) -> bytes:
        if outcome.kind == "garbage":
            return b"<html>not a video</html>"
        infos = {}
        for kind, source in task.inputs.items():
            try:
                infos[kind] = parse_fake_media(await read_header(source))
            except InvalidMediaError:
                continue
        spec = task.spec
        duration = outcome.duration
        if duration is None:
            # As the models do: an extension adds its seconds to the video; an avatar lasts as
            # long as its audio; an upscale as long as its video.
            base = infos[MediaKind.VIDEO].duration if MediaKind.VIDEO in infos else 0.0
            if spec.duration is not None:
                duration = base + spec.duration
            elif MediaKind.AUDIO in infos:
                duration = infos[MediaKind.AUDIO].duration
            else:
                duration = base or 5.0
        return fake_video(duration, spec.width, spec.height,
                          has_audio=MediaKind.AUDIO in infos or bool(spec.generate_audio))

    async def poll(self, provider_job_id: str) -> ProviderStatus:
        self._maybe_fail("poll")
        await asyncio.sleep(0)
        self.polls[provider_job_id] += 1
        task = self.tasks.get(provider_job_id)
        if task is None:
            return ProviderStatus(ProviderState.EXPIRED, error_code=ErrorCode.PROVIDER_EXPIRED,
                                  error_message="the provider has no such task")
        task.polls += 1
        outcome = task.outcome
        if task.cancelled:
            task.polls_since_cancel += 1
            if task.polls_since_cancel > outcome.cancel_lag:
                return ProviderStatus(ProviderState.CANCELLED)
        if outcome.kind == "queued":
            return ProviderStatus(ProviderState.QUEUED)
        if task.polls <= outcome.queued_polls and not task.cancelled:
            return ProviderStatus(ProviderState.QUEUED, queue_position=outcome.queued_polls - task.polls)
        if task.cancelled:
            return ProviderStatus(ProviderState.RUNNING)
        polls = task.polls - outcome.queued_polls
        if outcome.kind == "hang" or polls < outcome.polls:
            fraction = None if outcome.kind == "hang" else polls / outcome.polls
            return ProviderStatus(ProviderState.RUNNING, progress=fraction, poll_after=outcome.poll_after)
        if outcome.kind == "fail":
            return ProviderStatus(ProviderState.FAILED, error_code=outcome.error_code,
                                  error_message=outcome.message, provider_code=outcome.provider_code)
        if outcome.kind in ("cancelled", "expired"):
            return ProviderStatus(ProviderState(outcome.kind), charged=outcome.charged)
        return ProviderStatus(ProviderState.COMPLETED, progress=1.0,
                              output=ProviderOutput(f"fake://{provider_job_id}/output.mp4"),
                              billed_seconds=outcome.billed_seconds)

    async def stream_output(self, output: ProviderOutput) -> AsyncIterator[bytes]:
        self._maybe_fail("stream_output")
        task_id = output.url.removeprefix("fake://").split("/", 1)[0]
        task = self.tasks.get(task_id)
        if task is None:
            raise ProviderOutputError(f"no output at {output.url}")
        data = task.output
        for i in range(0, len(data), self.chunk_size):
            if task.outcome.kind == "truncated" and i >= len(data) // 2:
                raise ProviderOutputError("the download broke off midway", retryable=True)
            yield data[i:i + self.chunk_size]
        if task.outcome.kind == "truncated":
            raise ProviderOutputError("the download broke off midway", retryable=True)

    async def cancel(self, provider_job_id: str) -> bool:
        self._maybe_fail("cancel")
        self.cancel_requests.append(provider_job_id)
        task = self.tasks.get(provider_job_id)
        if task is None or not self.accept_cancel:
            return False
        task.cancelled = True
        return True

    def close(self) -> None:
        self.closed = True


def _sent_key(task: ProviderTask) -> str:
    """What a submission sent, as a history compares it: the job and the render spec."""
    return repr((task.job_id, task.spec))


class FakeVideoProviderWithHistory(FakeVideoProvider, SubmissionHistory):
    """The scripted provider with a searchable task history (`SubmissionHistory`): an unanswered
    submission (`Outcome.outcome_unknown(created=..., twins=...)`) is found by what it sent.
    The fault point "find_sent" makes the history unreadable."""

    async def find_sent(self, sent: SentSubmission) -> list[str]:
        self._maybe_fail("find_sent")
        await asyncio.sleep(0)
        return [task.id for task in self.tasks.values() if task.sent == sent.record.get("sent")]
