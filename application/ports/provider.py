from __future__ import annotations

from abc import abstractmethod
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

from videoforge.application.ports.media import MediaSource
from videoforge.domain.job import ErrorCode
from videoforge.domain.media import MediaKind
from videoforge.domain.outcome import ProviderState
from videoforge.domain.render import RenderSpec
from videoforge.domain.submission import SentSubmission


@dataclass(frozen=True, slots=True)
class ProviderTask:
    """What to submit: the render specification the catalog checked, and the bytes of each
    input it names, by kind. `job_id` lets a provider deduplicate where it can.

    `before_sending`: an adapter with a `SubmissionHistory` awaits it with the `SentSubmission` it
    is about to send (its `answered_at` the latest moment the answer can come) just before the
    request leaves, and sends nothing if it raises: the runner records it, so a process killed
    while the request is in flight leaves what its history needs, and one killed before leaves
    none (nothing went out)."""

    job_id: str
    spec: RenderSpec
    inputs: Mapping[MediaKind, MediaSource] = field(default_factory=dict)
    before_sending: Callable[[SentSubmission], Awaitable[None]] | None = None

    def __post_init__(self) -> None:
        if set(self.inputs) != set(self.spec.inputs):
            raise ValueError(f"the task's inputs ({', '.join(sorted(self.inputs)) or 'none'}) are not the ones its "
                             f"spec names ({', '.join(sorted(self.spec.inputs)) or 'none'})")


@dataclass(frozen=True, slots=True)
class ProviderOutput:
    url: str
    content_type: str = "video/mp4"


@dataclass(frozen=True, slots=True)
class ProviderStatus:
    state: ProviderState
    progress: float | None = None  # 0..1 when the provider says
    output: ProviderOutput | None = None
    error_code: ErrorCode | None = None
    error_message: str | None = None
    provider_code: int | None = None
    billed_seconds: float | None = None  # what the provider reports billing, when it does
    # For a task that ended without an output: False only when the provider's own word proves it
    # charged nothing (its adapter cites where), None when that is not known. True when it did.
    charged: bool | None = None
    queue_position: int | None = None  # for a queued task, its place in the provider's queue (0 next)
    detail: str | None = None  # the provider's latest word on a running task (a log line), one short line
    poll_after: float | None = None  # seconds the provider asks to wait before the next read, when it says

    @property
    def finished(self) -> bool:
        return self.state.finished


class ProviderError(Exception):
    """Base of every VideoProvider error. `code` is the job error code it leads to."""

    code: ErrorCode = ErrorCode.PROVIDER_INTERNAL
    retryable: bool = False

    def __init__(self, message: str, *, code: ErrorCode | None = None, provider_code: int | None = None,
                 retryable: bool | None = None):
        super().__init__(message)
        if code is not None:
            self.code = code
        if retryable is not None:
            self.retryable = retryable
        self.provider_code = provider_code


class ProviderRejectedError(ProviderError):
    """The provider refused the submission: no task exists, nothing is billed."""

    code = ErrorCode.PROVIDER_REJECTED


class InsufficientCreditError(ProviderRejectedError):
    code = ErrorCode.INSUFFICIENT_CREDIT


class ProviderOutcomeUnknownError(ProviderError):
    """The submission was sent and its answer does not prove that nothing was created (no answer,
    a 5xx, a 2xx without an id): a task may exist and be billed. `sent` says what went out, for a
    provider whose history can be searched (`SubmissionHistory`)."""

    def __init__(self, message: str, *, sent: SentSubmission | None = None, **kwargs: Any):
        super().__init__(message, **kwargs)
        self.sent = sent


class ProviderUnavailableError(ProviderError):
    """The provider could not be reached for a read (poll, download) after retries."""

    code = ErrorCode.PROVIDER_UNAVAILABLE
    retryable = True


class ProviderOutputError(ProviderError):
    """The output could not be fetched. `retryable` when it may work later (a broken-off
    download), not when it never will (an expired or refused URL)."""

    code = ErrorCode.OUTPUT_INVALID


class VideoProvider(Protocol):
    """A service that turns a task into a video.

    `submit` is never retried by callers or by the adapter: an ambiguous failure raises
    ProviderOutcomeUnknownError. `poll`, `stream_output` and `cancel` are safe to repeat.
    """

    name: str

    @abstractmethod
    async def submit(self, task: ProviderTask) -> str:
        """Create the task; returns the provider's job id. The adapter translates `task.spec`
        into its own request; the catalog has checked it, so an adapter refuses only what it
        cannot express (a model it does not know, an input its renderer needs).
        Raises ProviderRejectedError (nothing created) or ProviderOutcomeUnknownError."""
        ...

    @abstractmethod
    async def poll(self, provider_job_id: str) -> ProviderStatus:
        """The task's current state. Failed tasks come back as a status, not an exception;
        raises ProviderUnavailableError when the provider cannot be read."""
        ...

    @abstractmethod
    def stream_output(self, output: ProviderOutput) -> AsyncIterator[bytes]:
        """The output's bytes as a stream, never held whole. Raises ProviderOutputError."""
        ...

    @abstractmethod
    async def cancel(self, provider_job_id: str) -> bool:
        """Ask the provider to stop the task; True when it accepted. Idempotent."""
        ...


@runtime_checkable
class SubmissionHistory(Protocol):
    """An optional capability of a `VideoProvider`: its recent tasks can be searched, so that a
    submission whose answer proved nothing is settled without a person. Providers without it
    keep the manual reconciliation (`ReconcileJob`). An adapter offering it also calls
    `ProviderTask.before_sending` before its submit request leaves (and not at all when it sends
    nothing), so that a run killed mid-submission is settled from that record on resume."""

    @abstractmethod
    async def find_sent(self, sent: SentSubmission) -> Sequence[str]:
        """The ids of the tasks the provider created in `sent`'s time window whose inputs are
        exactly what was sent (none, one, or several). Raises ProviderUnavailableError when the
        history cannot be read or cannot tell (a task whose inputs it does not show)."""
        ...
