from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum

from videoforge.domain.errors import IllegalTransitionError
from videoforge.domain.money import ZERO, Cost
from videoforge.domain.request import VideoRequest
from videoforge.domain.submission import SentSubmission


class JobStatus(StrEnum):
    PENDING = "pending"
    SUBMITTING = "submitting"
    PROCESSING = "processing"
    SAVING = "saving"
    COMPLETED = "completed"
    FAILED = "failed"
    CANCELLED = "cancelled"
    # The submit request went out and no answer came back: the provider may have created (and
    # bill) a task. Never resubmitted automatically; the reservation stays held until reconciled.
    UNKNOWN_OUTCOME = "unknown_outcome"

    @property
    def terminal(self) -> bool:
        return self in (JobStatus.COMPLETED, JobStatus.FAILED, JobStatus.CANCELLED)


S = JobStatus
_ALLOWED: dict[JobStatus, frozenset[JobStatus]] = {
    S.PENDING: frozenset({S.SUBMITTING, S.FAILED, S.CANCELLED}),
    # Back to pending only when the provider refused for now (busy, rate-limited): nothing exists.
    S.SUBMITTING: frozenset({S.PROCESSING, S.FAILED, S.UNKNOWN_OUTCOME, S.PENDING}),
    # Back to pending only to fall back to another provider, once this one's task is confirmed
    # cancelled before it started (nothing charged).
    S.PROCESSING: frozenset({S.PROCESSING, S.SAVING, S.FAILED, S.CANCELLED, S.PENDING}),
    S.SAVING: frozenset({S.COMPLETED, S.FAILED}),
    # Out of an unknown outcome only by reconciling: the task was found (processing) or the
    # provider has none (failed). Not cancelled: the provider may be billing it.
    S.UNKNOWN_OUTCOME: frozenset({S.PROCESSING, S.FAILED}),
    S.COMPLETED: frozenset(),
    S.FAILED: frozenset(),
    S.CANCELLED: frozenset(),
}
UNFINISHED = tuple(s for s in JobStatus if not s.terminal)


class ErrorCode(StrEnum):
    PROVIDER_REJECTED = "provider_rejected"
    INVALID_PARAMETER = "invalid_parameter"
    CONTENT_MODERATION = "content_moderation"
    MEDIA_UNREACHABLE = "media_unreachable"
    TASK_FAILED = "provider_task_failed"
    PROVIDER_INTERNAL = "provider_internal"
    INSUFFICIENT_CREDIT = "insufficient_credit"
    PROVIDER_CANCELLED = "provider_cancelled"
    PROVIDER_EXPIRED = "provider_expired"
    PROVIDER_UNAVAILABLE = "provider_unavailable"
    OUTPUT_INVALID = "output_invalid"
    NOT_SUBMITTED = "not_submitted"
    STORAGE_FAILED = "storage_failed"
    INPUT_NOT_KEPT = "input_not_kept"  # bytes given in memory were lost to a restart before submission


class Step(StrEnum):
    """What driving a job forward means from its current state."""

    SUBMIT = "submit"
    RECOVER_SUBMISSION = "recover_submission"  # found in `submitting`: the outcome is unknown
    FOLLOW = "follow"
    SAVE = "save"
    NONE = "none"  # finished, or waiting for a person (unknown outcome)


_STEPS = {S.PENDING: Step.SUBMIT, S.SUBMITTING: Step.RECOVER_SUBMISSION, S.PROCESSING: Step.FOLLOW,
          S.SAVING: Step.SAVE}


class AttemptOutcome(StrEnum):
    """How an attempt that gave way to another provider ended: each proves nothing was charged."""

    REFUSED = "refused"  # the provider refused the submission: no task exists
    CANCELLED_BEFORE_START = "cancelled_before_start"  # still queued, cancelled, the cancel confirmed
    ABORTED = "aborted"  # the provider cancelled the task itself, and shows it charged nothing
    EXPIRED = "expired"  # the provider let the task expire (timed out, dropped), and shows it charged nothing


@dataclass(frozen=True, slots=True)
class Attempt:
    """One provider's try at a job: which provider and model, its task (if one was created), how it
    ended (an AttemptOutcome, or the job's status for the attempt still current) and what it cost."""

    provider: str
    model: str
    provider_job_id: str | None
    outcome: str
    cost: Cost
    at: datetime


@dataclass(frozen=True, slots=True)
class JobError:
    """Why a job failed: a stable code for programs, a sentence for people."""

    code: str
    message: str
    retryable: bool = False
    provider_code: int | None = None


@dataclass(slots=True)
class VideoJob:
    """One generation, from request to stored asset; enforces its own state machine."""

    id: str
    user_id: str
    request: VideoRequest
    provider: str
    model: str
    estimated_cost: Cost
    billed_seconds: float
    created_at: datetime
    updated_at: datetime
    status: JobStatus = JobStatus.PENDING
    progress: int = 0
    message: str = "accepted"
    provider_job_id: str | None = None
    reservation_id: str | None = None
    output_url: str | None = None
    asset_id: str | None = None
    actual_cost: Cost | None = None
    error: JobError | None = None
    money_spent: bool | None = False
    idempotency_key: str | None = None
    version: int = 0
    submitted_at: datetime | None = None
    finished_at: datetime | None = None
    # Identifies what was asked (VideoRequest.fingerprint of the request as received), so that an
    # idempotency key reused for a different request is told apart from a repeat.
    request_fingerprint: str | None = None
    submit_deferrals: int = 0  # how many times the provider refused for now (nothing created)
    provider_billed_seconds: float | None = None  # what the provider reported billing, when it did
    # The providers tried before the current one, each of which provably created nothing (routing.py)
    attempts: tuple[Attempt, ...] = ()
    # The current submission: whether its provider records what it sends before the request leaves
    # (then a job in `submitting` without `sent` sent nothing), and that record.
    sends_recorded: bool = False
    sent: SentSubmission | None = None
    # Where the job was created, for tracing (a W3C `traceparent`, recorded with tracing on): the
    # runs of the job, in any process, are traced as its children. Opaque here: nothing decides by it.
    trace_context: str | None = None

    @property
    def terminal(self) -> bool:
        return self.status.terminal

    def copy(self) -> VideoJob:
        return replace(self)

    def _go(self, to: JobStatus, now: datetime) -> None:
        if to not in _ALLOWED[self.status]:
            raise IllegalTransitionError(self.id, self.status.value, to.value)
        self.status = to
        self.updated_at = now
        if to.terminal:
            self.finished_at = now

    def attach_reservation(self, reservation_id: str) -> None:
        self.reservation_id = reservation_id

    def start_submission(self, now: datetime, *, sends_recorded: bool = False) -> None:
        """Recorded before the submit request goes out: a crash after this point leaves a trace.
        `sends_recorded`: the provider has what it sends recorded (`record_sent`) before sending."""
        self._go(S.SUBMITTING, now)
        self.message = "submitting to provider"
        self.sends_recorded, self.sent = sends_recorded, None

    def record_sent(self, sent: SentSubmission, now: datetime) -> None:
        """What the submission is about to send, recorded before the request leaves."""
        if self.status is not S.SUBMITTING:
            raise IllegalTransitionError(self.id, self.status.value, "submitting (sending)")
        self.sent = sent
        self.updated_at = now
        self.message = "submitting to provider: request sent"

    @property
    def provably_unsent(self) -> bool:
        """Found in `submitting`: its provider records a submission before sending it, and none
        is recorded, so no request went out."""
        return self.status is S.SUBMITTING and self.sends_recorded and self.sent is None

    def mark_submitted(self, provider_job_id: str, now: datetime) -> None:
        if not provider_job_id:
            raise ValueError("a provider job id is required")
        self._go(S.PROCESSING, now)
        self.provider_job_id = provider_job_id
        self.submitted_at = now
        self.sent = None  # settled: the task is known
        self.money_spent = None  # the provider may bill from here on; we learn at the end
        self._progress(10, "submitted to provider")

    def defer_submission(self, now: datetime, reason: str) -> int:
        """The provider refused for now and created nothing (rate limit, busy, unreachable): the
        job waits to be submitted again. Returns how many times it was deferred."""
        if self.status is not S.SUBMITTING:
            raise IllegalTransitionError(self.id, self.status.value, "pending (deferred)")
        self._go(S.PENDING, now)
        self.sent = None  # nothing was created: sent again
        self.submit_deferrals += 1
        self.message = f"the provider is busy, submitting again shortly: {reason}"
        return self.submit_deferrals

    def fall_back(self, provider: str, model: str, request: VideoRequest, estimated_cost: Cost,
                  billed_seconds: float, outcome: AttemptOutcome, now: datetime) -> None:
        """This provider provably created nothing paid (refused at submit; its task cancelled before
        it started, the cancel confirmed; or its task aborted or expired at the provider, which shows
        it charged nothing): the attempt is recorded and the job waits to be submitted to the next
        provider, at that provider's price."""
        proof = S.SUBMITTING if outcome is AttemptOutcome.REFUSED else S.PROCESSING
        if self.status is not proof:
            raise IllegalTransitionError(self.id, self.status.value, f"pending (fall back after {outcome.value})")
        self.attempts = (*self.attempts, Attempt(self.provider, self.model, self.provider_job_id, outcome.value,
                                                 ZERO, now))
        self._go(S.PENDING, now)
        self.provider, self.model, self.request = provider, model, request
        self.estimated_cost, self.billed_seconds = estimated_cost, billed_seconds
        self.provider_job_id, self.submitted_at, self.output_url = None, None, None
        self.money_spent, self.submit_deferrals, self.sent = False, 0, None
        self.message = f"{self.attempts[-1].provider} created nothing ({outcome.value}); trying {provider}"

    @property
    def history(self) -> tuple[Attempt, ...]:
        """Every attempt, the current one last (its outcome the job's status, its cost the actual one)."""
        current = Attempt(self.provider, self.model, self.provider_job_id, self.status.value,
                          self.actual_cost or ZERO, self.updated_at)
        return (*self.attempts, current)

    def submission_in_flight(self, now: datetime, grace_seconds: float) -> bool:
        """Whether a job found in `submitting` may still be waiting for the provider's answer in
        another runner: only once the grace has passed is it taken for crashed."""
        return self.status is S.SUBMITTING and (now - self.updated_at).total_seconds() < grace_seconds

    def asked_for(self, fingerprint: str) -> bool:
        """Whether this job was made for the request with that fingerprint (a job recorded
        without one is taken to be)."""
        return self.request_fingerprint in (None, fingerprint)

    def mark_outcome_unknown(self, now: datetime, reason: str) -> None:
        self._go(S.UNKNOWN_OUTCOME, now)
        self.money_spent = None
        self.message = f"submission outcome unknown: {reason}; not resubmitted"

    @property
    def reconcilable(self) -> bool:
        """An unknown outcome, waiting to learn whether the provider has its task."""
        return self.status is S.UNKNOWN_OUTCOME

    def reconcile(self, provider_job_id: str, now: datetime) -> None:
        """An operator (or the provider's records) found the task of an unknown outcome."""
        if not self.reconcilable:
            raise IllegalTransitionError(self.id, self.status.value, "processing (reconcile)")
        self._go(S.PROCESSING, now)
        self.provider_job_id = provider_job_id
        self._progress(10, "reconciled with the provider's task")  # submitted, as far as the caller can tell

    def abandon(self, now: datetime) -> None:
        """The provider has no task for this unknown outcome: nothing was created or billed."""
        if self.status is not S.UNKNOWN_OUTCOME:
            raise IllegalTransitionError(self.id, self.status.value, "failed (abandon)")
        self.fail(JobError(ErrorCode.NOT_SUBMITTED, "the provider has no task for this job; nothing was billed"),
                  now, money_spent=False)

    def report_progress(self, percent: int, message: str, now: datetime) -> None:
        if self.status is not S.PROCESSING:
            raise IllegalTransitionError(self.id, self.status.value, "processing (progress)")
        self._go(S.PROCESSING, now)
        self._progress(percent, message)

    def _progress(self, percent: int, message: str) -> None:
        self.progress = max(self.progress, min(100, int(percent)))
        self.message = message

    def start_saving(self, output_url: str, now: datetime, *, billed_seconds: float | None = None) -> None:
        """The provider delivered: its output is fetched next. `billed_seconds` is what the
        provider reports billing, when it does (the actual cost is priced from it)."""
        self._go(S.SAVING, now)
        self.output_url = output_url
        self.provider_billed_seconds = billed_seconds
        self.money_spent = True
        self._progress(90, "saving the video")

    def complete(self, asset_id: str, actual_cost: Cost, now: datetime) -> None:
        self._go(S.COMPLETED, now)
        self.asset_id = asset_id
        self.actual_cost = actual_cost
        self._progress(100, "video generation completed")

    def fail(self, error: JobError, now: datetime, *, money_spent: bool | None = None) -> None:
        self._go(S.FAILED, now)
        self.error = error
        if money_spent is not None:
            self.money_spent = money_spent
        self.message = error.message

    def cancel(self, now: datetime, reason: str = "cancelled by the user") -> None:
        self._go(S.CANCELLED, now)
        self.message = reason

    @property
    def next_step(self) -> Step:
        return _STEPS.get(self.status, Step.NONE)

    @property
    def frees_its_reservation(self) -> bool:
        """Ended without a video: whatever it held is released (a completed job settled it)."""
        return self.status in (S.FAILED, S.CANCELLED)

    @property
    def cancellable(self) -> bool:
        return S.CANCELLED in _ALLOWED[self.status]

    @property
    def running_at_provider(self) -> bool:
        """A task exists at the provider and is working: cancelling the job means asking it to stop."""
        return self.status is S.PROCESSING

    @property
    def delivered(self) -> bool:
        return self.status is S.COMPLETED
