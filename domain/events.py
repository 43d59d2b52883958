"""What a job went through, one event per saved change: what a client following a job sees."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from videoforge.domain.job import JobStatus, VideoJob


@dataclass(frozen=True, slots=True)
class JobEvent:
    """The job as one save left it. `version` is the job's version after that save: it orders a
    job's events and names each one (a client resumes after the last version it saw)."""

    job_id: str
    version: int
    status: JobStatus
    progress: int
    message: str
    at: datetime

    @classmethod
    def of(cls, job: VideoJob) -> JobEvent:
        return cls(job.id, job.version, job.status, job.progress, job.message, job.updated_at)

    @property
    def final(self) -> bool:
        return self.status.terminal

    def kind(self, previous: JobEvent | None) -> str:
        """`result` or `error` for the end, `status` for a change of status, else `progress`."""
        if self.final:
            return "result" if self.status is JobStatus.COMPLETED else "error"
        if previous is None or previous.status is not self.status:
            return "status"
        return "progress"
