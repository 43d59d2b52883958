from __future__ import annotations

import json
from collections import OrderedDict
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, or_, select, true, update
from sqlalchemy.ext.asyncio import AsyncEngine

from videoforge.adapters.sql.database import Database
from videoforge.adapters.sql.schema import job_events, video_jobs
from videoforge.application.ports.jobs import (
    ConcurrentUpdateError,
    DuplicateJobError,
    JobNotFoundError,
    JobRepository,
    JobRepositoryError,
)
from videoforge.domain.errors import DomainError
from videoforge.domain.events import JobEvent
from videoforge.domain.job import UNFINISHED, Attempt, JobError, JobStatus, VideoJob
from videoforge.domain.media import MediaInput, MediaKind
from videoforge.domain.money import Cost
from videoforge.domain.request import VideoRequest
from videoforge.domain.submission import SentSubmission

_REQUEST_FIELDS = ("model", "prompt", "negative_prompt", "duration", "resolution", "aspect_ratio", "seed",
                   "generate_audio", "enable_prompt_expansion", "source_module", "idempotency_key", "callback_url")


def request_to_json(request: VideoRequest) -> dict[str, Any]:
    """The request as JSON. An input given by path is kept whole; one given as bytes is kept
    as a description only (kind, type, size, name) with `kept: false`."""
    data: dict[str, Any] = {"operation": request.operation.value, "user_id": request.user_id}
    data |= {name: getattr(request, name) for name in _REQUEST_FIELDS}
    data["options"] = request.options
    data["extra"] = request.extra
    data["inputs"] = {kind.value: {"content_type": m.content_type, "size": m.size, "filename": m.filename,
                                   "path": m.path, "kept": m.persistable, "asset_id": m.asset_id,
                                   "upload_id": m.upload_id}
                      for kind, m in request.inputs.items()}
    return data


def request_from_json(data: dict[str, Any]) -> VideoRequest:
    inputs = {}
    for kind, m in data.get("inputs", {}).items():
        if m["kept"]:
            inputs[kind] = MediaInput(MediaKind(kind), m["content_type"], m["size"], path=m["path"],
                                      filename=m["filename"], asset_id=m.get("asset_id"),
                                      upload_id=m.get("upload_id"))
        else:
            inputs[kind] = MediaInput.not_kept(MediaKind(kind), m["content_type"], m["size"], m["filename"],
                                               m.get("asset_id"), m.get("upload_id"))
    fields = {name: data.get(name) for name in _REQUEST_FIELDS if data.get(name) is not None}
    return VideoRequest(operation=data["operation"], user_id=data["user_id"], extra=data.get("extra") or {},
                        options=data.get("options") or {}, **fields, **inputs)


def attempts_to_json(attempts: tuple[Attempt, ...]) -> list[dict[str, Any]] | None:
    return [{"provider": a.provider, "model": a.model, "provider_job_id": a.provider_job_id, "outcome": a.outcome,
             "cost": str(a.cost.usd), "at": a.at.isoformat()} for a in attempts] or None


def attempts_from_json(data: list[dict[str, Any]] | None) -> tuple[Attempt, ...]:
    return tuple(Attempt(a["provider"], a["model"], a.get("provider_job_id"), a["outcome"], Cost(a["cost"]),
                         datetime.fromisoformat(a["at"])) for a in data or ())


def submission_to_json(job: VideoJob) -> dict[str, Any] | None:
    """The current submission's record (VideoJob.sends_recorded, .sent); None: neither."""
    if not job.sends_recorded and job.sent is None:
        return None
    data: dict[str, Any] = {"recorded": job.sends_recorded}
    if job.sent is not None:
        data |= {"sent_at": job.sent.sent_at.isoformat(), "answered_at": job.sent.answered_at.isoformat(),
                 "record": dict(job.sent.record)}
    return data


def submission_from_json(data: dict[str, Any] | None) -> dict[str, Any]:
    if not data:
        return {}
    sent = None
    if "sent_at" in data:
        sent = SentSubmission(datetime.fromisoformat(data["sent_at"]), datetime.fromisoformat(data["answered_at"]),
                              data.get("record") or {})
    return {"sends_recorded": bool(data.get("recorded")), "sent": sent}


def job_to_row(job: VideoJob) -> dict[str, Any]:
    """The job as a `video_jobs` row."""
    error = job.error
    request = request_to_json(job.request)
    try:  # fail here, clearly, rather than inside the driver
        json.dumps(request)
    except (TypeError, ValueError) as e:
        raise JobRepositoryError(f"job {job.id}: request.extra must be JSON values: {e}") from e
    return {
        "id": job.id, "user_id": job.user_id, "idempotency_key": job.idempotency_key, "status": job.status.value,
        "provider": job.provider, "model": job.model, "operation": job.request.operation.value,
        "source_module": job.request.source_module, "request": request, "inputs_kept": job.request.persistable,
        "estimated_cost": job.estimated_cost, "actual_cost": job.actual_cost, "billed_seconds": job.billed_seconds,
        "progress": job.progress, "message": job.message, "provider_job_id": job.provider_job_id,
        "reservation_id": job.reservation_id, "output_url": job.output_url, "asset_id": job.asset_id,
        "error_code": error.code if error else None, "error_message": error.message if error else None,
        "error_retryable": error.retryable if error else None,
        "error_provider_code": error.provider_code if error else None, "money_spent": job.money_spent,
        "request_fingerprint": job.request_fingerprint, "submit_deferrals": job.submit_deferrals,
        "provider_billed_seconds": job.provider_billed_seconds, "attempts": attempts_to_json(job.attempts),
        "submission": submission_to_json(job), "trace_context": job.trace_context, "version": job.version,
        "created_at": job.created_at, "updated_at": job.updated_at, "submitted_at": job.submitted_at,
        "finished_at": job.finished_at,
    }


def job_from_row(row: Any) -> VideoJob:
    error = None
    if row.error_code is not None:
        error = JobError(row.error_code, row.error_message or "", bool(row.error_retryable),
                         row.error_provider_code)
    return VideoJob(
        id=row.id, user_id=row.user_id, request=request_from_json(row.request), provider=row.provider,
        model=row.model, estimated_cost=row.estimated_cost, billed_seconds=row.billed_seconds,
        created_at=row.created_at, updated_at=row.updated_at, status=JobStatus(row.status), progress=row.progress,
        message=row.message, provider_job_id=row.provider_job_id, reservation_id=row.reservation_id,
        output_url=row.output_url, asset_id=row.asset_id, actual_cost=row.actual_cost, error=error,
        money_spent=row.money_spent, idempotency_key=row.idempotency_key, version=row.version,
        submitted_at=row.submitted_at, finished_at=row.finished_at, request_fingerprint=row.request_fingerprint,
        submit_deferrals=row.submit_deferrals, provider_billed_seconds=row.provider_billed_seconds,
        attempts=attempts_from_json(row.attempts), **submission_from_json(row.submission),
        trace_context=row.trace_context,
    )


# The statements of a job's life, built once: SQLAlchemy then only looks up their compiled form
# (building `.values(**row)` anew made a bound parameter per column per save).
_INSERT_EVENT = job_events.insert()
_SELECT_JOB = select(video_jobs).where(video_jobs.c.id == bindparam("job_id"))
_SAVE_JOB = update(video_jobs).where(video_jobs.c.id == bindparam("job_id"),
                                     video_jobs.c.version == bindparam("was_version"))
_JOB_VERSION = select(video_jobs.c.version).where(video_jobs.c.id == bindparam("job_id"))


def _event_row(job: VideoJob) -> dict[str, Any]:
    return {"job_id": job.id, "version": job.version, "status": job.status.value, "progress": job.progress,
            "message": job.message, "at": job.updated_at}


class SqlJobRepository(JobRepository):
    """Jobs in `video_jobs`. Saves are optimistic: UPDATE ... WHERE id = :id AND version = :v,
    and no row updated means someone else saved first (ConcurrentUpdateError).

    Input files given as bytes are not written to the database. This process keeps them in
    memory, up to `keep_input_bytes` in all, until the job is submitted, so a job submitted and
    run here works as usual; a job read back by another process, or after a restart, has those
    inputs marked as not kept and RunJob fails it cleanly (`input_not_kept`) without submitting.
    Inputs given by file path survive anything."""

    def __init__(self, engine: AsyncEngine | Database, *, keep_input_bytes: int = 256 * 1024 * 1024):
        self._db = Database.of(engine)
        self._insert_job = self._db.upsert(video_jobs).on_conflict_do_nothing()  # built once
        self._kept: OrderedDict[str, dict[str, MediaInput]] = OrderedDict()
        self._kept_limit = keep_input_bytes

    def _transaction(self, what: str, **options: Any):
        return self._db.transaction(JobRepositoryError, what, **options)

    async def add(self, job: VideoJob) -> VideoJob:
        stored = job.copy()
        stored.version = 1
        row = job_to_row(stored)
        # ON CONFLICT DO NOTHING rather than a failed insert: inside a unit of work (the job and its
        # reservation) a taken id or idempotency key must not abort the shared transaction.
        async with self._transaction(f"recording job {job.id}") as conn:
            added = await conn.execute(self._insert_job, row)
            if added.rowcount == 1:
                await conn.execute(_INSERT_EVENT, _event_row(stored))
        if added.rowcount != 1:
            existing = await self._find_conflict(job)
            if existing is None:
                raise JobRepositoryError(f"recording job {job.id}: the database refused it")
            raise DuplicateJobError(existing[1], existing[0])
        self._keep_inputs(job)
        return stored

    async def _find_conflict(self, job: VideoJob) -> tuple[str, str] | None:
        async with self._transaction(f"reading job {job.id}", write=False) as conn:
            if await conn.scalar(select(video_jobs.c.id).where(video_jobs.c.id == job.id)) is not None:
                return job.id, f"job {job.id} exists"
            if job.idempotency_key:
                other = await conn.scalar(select(video_jobs.c.id).where(
                    video_jobs.c.user_id == job.user_id, video_jobs.c.idempotency_key == job.idempotency_key))
                if other is not None:
                    return other, "idempotency key already used"
        return None

    async def get(self, job_id: str) -> VideoJob:
        async with self._transaction(f"reading job {job_id}", write=False, patient=True) as conn:
            row = (await conn.execute(_SELECT_JOB, {"job_id": job_id})).first()
        if row is None:
            raise JobNotFoundError(f"no job {job_id}")
        return self._read(row)

    async def version(self, job_id: str) -> int:
        async with self._transaction(f"reading the version of job {job_id}", write=False, patient=True) as conn:
            version = await conn.scalar(_JOB_VERSION, {"job_id": job_id})
        if version is None:
            raise JobNotFoundError(f"no job {job_id}")
        return version

    async def save(self, job: VideoJob) -> VideoJob:
        stored = job.copy()
        stored.version = job.version + 1
        row = job_to_row(stored)
        del row["id"], row["created_at"], row["user_id"], row["idempotency_key"]
        async with self._transaction(f"saving job {job.id}", patient=True) as conn:
            result = await conn.execute(_SAVE_JOB, {**row, "job_id": job.id, "was_version": job.version})
            if result.rowcount != 1:
                current = await conn.scalar(_JOB_VERSION, {"job_id": job.id})
                if current is None:
                    raise JobNotFoundError(f"no job {job.id}")
                raise ConcurrentUpdateError(f"job {job.id} changed (version {current}, had {job.version})")
            await conn.execute(_INSERT_EVENT, _event_row(stored))
        if stored.status is not JobStatus.PENDING:
            self._kept.pop(job.id, None)  # submitted or finished: the bytes are not needed again
        return stored

    async def lease(self, job_id: str, owner: str, now: datetime, until: datetime, version: int | None = None) -> bool:
        c = video_jobs.c
        current = (c.version == version) if version is not None else true()
        async with self._transaction(f"leasing job {job_id}", patient=True) as conn:
            result = await conn.execute(update(video_jobs).where(
                c.id == job_id, current, or_(c.lease_owner.is_(None), c.lease_owner == owner, c.lease_until < now))
                .values(lease_owner=owner, lease_until=until))
            if result.rowcount == 1:
                return True
            if await conn.scalar(select(c.id).where(c.id == job_id)) is None:
                raise JobNotFoundError(f"no job {job_id}")
            return False

    async def release_lease(self, job_id: str, owner: str) -> None:
        c = video_jobs.c
        async with self._transaction(f"releasing the lease of job {job_id}", patient=True) as conn:
            await conn.execute(update(video_jobs).where(c.id == job_id, c.lease_owner == owner)
                               .values(lease_owner=None, lease_until=None))

    async def events(self, job_id: str, after_version: int = 0) -> list[JobEvent]:
        e = job_events.c
        async with self._transaction(f"reading the events of job {job_id}", write=False) as conn:
            rows = (await conn.execute(select(job_events).where(e.job_id == job_id, e.version > after_version)
                                       .order_by(e.version))).all()
        return [JobEvent(r.job_id, r.version, JobStatus(r.status), r.progress, r.message, r.at) for r in rows]

    async def find_by_idempotency_key(self, user_id: str, key: str) -> VideoJob | None:
        async with self._transaction("looking up an idempotency key", write=False) as conn:
            row = (await conn.execute(select(video_jobs).where(
                video_jobs.c.user_id == user_id, video_jobs.c.idempotency_key == key))).first()
        return self._read(row) if row is not None else None

    async def find_by_provider_job_id(self, provider: str, provider_job_id: str) -> VideoJob | None:
        query = select(video_jobs).where(video_jobs.c.provider == provider,
                                         video_jobs.c.provider_job_id == provider_job_id).limit(1)
        found = await self._list(query, f"finding the job of {provider} task {provider_job_id}")
        return found[0] if found else None

    async def list_at_provider(self, provider: str, since: datetime, until: datetime) -> list[VideoJob]:
        c = video_jobs.c
        query = (select(video_jobs).where(c.provider == provider, c.provider_job_id.is_not(None),
                                          c.submitted_at >= since, c.submitted_at < until)
                 .order_by(c.submitted_at, c.id))
        return await self._list(query, f"listing the jobs sent to {provider}")

    async def list_unfinished(self) -> list[VideoJob]:
        query = (select(video_jobs).where(video_jobs.c.status.in_([s.value for s in UNFINISHED]))
                 .order_by(video_jobs.c.created_at, video_jobs.c.id))
        return await self._list(query, "listing unfinished jobs")

    async def list_for_user(self, user_id: str, *, limit: int = 50, offset: int = 0) -> list[VideoJob]:
        query = (select(video_jobs).where(video_jobs.c.user_id == user_id)
                 .order_by(video_jobs.c.created_at.desc(), video_jobs.c.id.desc()).limit(limit).offset(offset))
        return await self._list(query, f"listing the jobs of user {user_id}")

    async def _list(self, query: Any, what: str) -> list[VideoJob]:
        async with self._transaction(what, write=False) as conn:
            rows = (await conn.execute(query)).all()
        return [self._read(row) for row in rows]

    def _read(self, row: Any) -> VideoJob:
        try:
            job = job_from_row(row)
        except (KeyError, TypeError, ValueError, DomainError) as e:
            raise JobRepositoryError(f"job {row.id}: the stored row cannot be read: {e}") from e
        kept = self._kept.get(job.id)
        if kept:
            job.request = job.request.with_(**kept)
        return job

    def _keep_inputs(self, job: VideoJob) -> None:
        in_memory = {kind.value: m for kind, m in job.request.inputs.items() if m.data is not None}
        if not in_memory or job.status is not JobStatus.PENDING:
            return
        self._kept[job.id] = in_memory
        total = sum(m.size for held in self._kept.values() for m in held.values())
        while total > self._kept_limit and self._kept:
            _, dropped = self._kept.popitem(last=False)  # the oldest pending job loses its bytes first
            total -= sum(m.size for m in dropped.values())


