from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from videoforge.domain.job import AttemptOutcome, ErrorCode, JobError, VideoJob


class ProviderState(StrEnum):
    """Where a task stands at its provider, in words every provider adapter translates to."""

    QUEUED = "queued"
    RUNNING = "running"
    COMPLETED = "completed"
    FAILED = "failed"
    CANCELLED = "cancelled"
    EXPIRED = "expired"  # timed out or deleted at the provider

    @property
    def finished(self) -> bool:
        return self not in (ProviderState.QUEUED, ProviderState.RUNNING)


@dataclass(frozen=True, slots=True)
class Failure:
    """Why a job ends without a video, and whether the provider billed it anyway (`money_spent`,
    for the platform's own reconciliation of provider invoices; the user is never charged)."""

    error: JobError
    money_spent: bool

    @classmethod
    def refused(cls, code: str, reason: str, provider_code: int | None = None) -> Failure:
        """The provider refused the submission: no task exists, nothing is billed."""
        return cls(JobError(code, f"the provider refused the request: {reason}", provider_code=provider_code),
                   money_spent=False)

    @classmethod
    def output_unfetchable(cls, reason: str) -> Failure:
        return cls(JobError(ErrorCode.OUTPUT_INVALID, f"the output could not be fetched: {reason}"), money_spent=True)

    @classmethod
    def output_unstorable(cls, reason: str) -> Failure:
        return cls(JobError(ErrorCode.STORAGE_FAILED, f"the video cannot be stored: {reason}"), money_spent=True)

    @classmethod
    def output_unplayable(cls, reason: str) -> Failure:
        return cls(JobError(ErrorCode.OUTPUT_INVALID, f"the provider's output is not a playable video: {reason}"),
                   money_spent=True)


_ENDS = {
    ProviderState.CANCELLED: (ErrorCode.PROVIDER_CANCELLED, "the provider cancelled the task"),
    ProviderState.EXPIRED: (ErrorCode.PROVIDER_EXPIRED, "the provider timed out or deleted the task"),
    ProviderState.FAILED: (ErrorCode.TASK_FAILED, "the provider could not generate the video"),
}


def ended_without_output(state: ProviderState, *, error_code: str | None = None, error_message: str | None = None,
                         provider_code: int | None = None) -> Failure:
    """What a task that ended at its provider without an output means for its job: the
    provider's own code and words where it gave them, else those of its end state. A task that
    completed without an output was still billed."""
    code, default = _ENDS.get(state, (ErrorCode.OUTPUT_INVALID, "no output was returned"))
    return Failure(JobError(error_code or code, error_message or default, provider_code=provider_code),
                   money_spent=state is ProviderState.COMPLETED)


_UNCHARGED_ENDS = {ProviderState.CANCELLED: AttemptOutcome.ABORTED, ProviderState.FAILED: AttemptOutcome.ABORTED,
                   ProviderState.EXPIRED: AttemptOutcome.EXPIRED}


def uncharged_end(state: ProviderState, *, charged: bool | None) -> AttemptOutcome | None:
    """Whether a task that ended without an output at its provider proves that provider created
    nothing paid, so the job may move to the next provider of its family: a task the provider
    aborted (cancelled it itself, or failed it on its own side) or let expire, AND which the
    provider shows charged nothing (`charged is False`: its adapter has the provider's word for
    it, e.g. fal never charges a server error or a request that made no output). An end whose
    charge is unknown (a moderated or invalid request may be billed) never moves on by itself."""
    if charged is not False:
        return None
    return _UNCHARGED_ENDS.get(state)


def cannot_submit(job: VideoJob, *, provider_configured: bool) -> Failure | None:
    """Why a pending job cannot be sent at all (nothing is created, nothing billed), or None."""
    if not provider_configured:
        return Failure(JobError(ErrorCode.PROVIDER_UNAVAILABLE, f"provider {job.provider} is not configured"),
                       money_spent=False)
    if lost := job.request.inputs_not_kept:
        names = " and ".join(kind.value for kind in lost)
        return Failure(JobError(
            ErrorCode.INPUT_NOT_KEPT,
            f"the {names} input was given in memory and was not kept across a restart, so the job was never "
            f"submitted; send the request again (inputs given by file path survive restarts)"), money_spent=False)
    return None


class SubmissionVerdict(StrEnum):
    """What the provider's task history says about a submission whose answer proved nothing."""

    ADOPT = "adopt"  # exactly one task matches what was sent: it is this job's, follow it
    NOT_CREATED = "not_created"  # none, once the history has had time to show it: nothing was created
    LOOK_AGAIN = "look_again"  # none yet, and the history may not show a new task at once
    AMBIGUOUS = "ambiguous"  # several match: a person decides (the reservation stays held)
    UNREADABLE = "unreadable"  # the history could not be read or could not tell: a person decides


@dataclass(frozen=True, slots=True)
class HistoryReading:
    verdict: SubmissionVerdict
    task_id: str | None = None  # the task to adopt
    wait: float = 0.0  # seconds before looking again
    matches: int = 0


def read_history(matches: Sequence[str], *, seconds_since_sent: float, settle_seconds: float) -> HistoryReading:
    """The outcome rule of an unanswered submission, from the tasks the provider's history shows
    created in the submission's window with exactly the inputs sent (`matches`): one is adopted;
    two or more stay unknown for a person; none proves nothing was created only once the history
    has had `settle_seconds` since the request went out to show it, and until then is asked again."""
    distinct = sorted(set(matches))
    if len(distinct) == 1:
        return HistoryReading(SubmissionVerdict.ADOPT, task_id=distinct[0], matches=1)
    if distinct:
        return HistoryReading(SubmissionVerdict.AMBIGUOUS, matches=len(distinct))
    if seconds_since_sent < settle_seconds:
        return HistoryReading(SubmissionVerdict.LOOK_AGAIN, wait=settle_seconds - seconds_since_sent)
    return HistoryReading(SubmissionVerdict.NOT_CREATED)


def settled_submission(job: VideoJob, reading: HistoryReading, now: datetime, reason: str, *,
                       may_resubmit: bool) -> Failure | None:
    """Moves a job in `submitting` by what the history said of its unanswered submission: the
    matching task adopted (processing); nothing created, so back to pending to be sent again
    (once per such proof, while `may_resubmit`), or a failure that cost nothing (returned, for
    the runner to record and release); anything else unknown, for a person."""
    if reading.verdict is SubmissionVerdict.ADOPT and reading.task_id:
        job.mark_submitted(reading.task_id, now)
        job.message = "submitted (found in the provider's history after an unclear answer)"
        return None
    if reading.verdict is SubmissionVerdict.NOT_CREATED:
        if may_resubmit:
            job.defer_submission(now, f"{reason}; the provider's history shows no such task, so nothing was "
                                      "created: it is sent again")
            return None
        return Failure(JobError(ErrorCode.NOT_SUBMITTED, f"{reason}; the provider's history shows no such task, "
                                                         "nothing was created or billed, and the attempts ran out"),
                       money_spent=False)
    if reading.verdict is SubmissionVerdict.AMBIGUOUS:
        job.mark_outcome_unknown(now, f"{reason}; the provider's history shows {reading.matches} tasks with these "
                                      "inputs, a person must tell which is this job's")
    else:
        job.mark_outcome_unknown(now, f"{reason}; the provider's history could not tell")
    return None


def unsent_submission(job: VideoJob, now: datetime, *, may_resubmit: bool) -> Failure | None:
    """A job found in `submitting` whose provider records what it sends before sending, with no
    such record: the request never left (the run stopped before it), so nothing was created; back
    to pending to be sent (while `may_resubmit`, counted as a deferral), else a failure that cost
    nothing."""
    reason = "the run stopped before the submission was sent"
    if may_resubmit:
        job.defer_submission(now, f"{reason}; nothing was created: it is sent now")
        return None
    return Failure(JobError(ErrorCode.NOT_SUBMITTED, f"{reason}; nothing was created or billed, and the attempts "
                                                     "ran out"), money_spent=False)
