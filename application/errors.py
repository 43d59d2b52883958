from __future__ import annotations

from videoforge.domain.job import JobStatus, VideoJob


class ApplicationError(Exception):
    """Base of the errors the use cases raise themselves."""


class JobFailedError(ApplicationError):
    """The job ended without a video: `code` and `message` say why, `job` has the rest."""

    def __init__(self, job: VideoJob):
        self.job = job
        if job.status is JobStatus.UNKNOWN_OUTCOME:
            self.code, message = "unknown_outcome", job.message
        elif job.error is not None:
            self.code, message = job.error.code, job.error.message
        else:
            self.code, message = job.status.value, job.message
        super().__init__(f"video generation {job.status.value}: {message}")
        self.message = message


class JobNotFinishedError(ApplicationError):
    """The job is still running at the provider (a deadline passed or a read failed);
    it keeps its provider id and reservation, and ResumeJobs finishes it later."""

    def __init__(self, job: VideoJob, reason: str):
        self.job = job
        super().__init__(f"job {job.id} is not finished ({job.status.value}): {reason}")


class JobNotCancellableError(ApplicationError):
    def __init__(self, job: VideoJob, reason: str | None = None):
        self.job = job
        super().__init__(reason or f"job {job.id} is {job.status.value} and can no longer be cancelled")
