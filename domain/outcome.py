from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from videoforge.domain.job import ErrorCode, JobError, VideoJob


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
