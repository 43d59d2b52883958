from __future__ import annotations

import logging
from datetime import timedelta

from videoforge.application.ports.clock import Clock
from videoforge.application.ports.jobs import JobRepository
from videoforge.application.ports.storage import Storage, StorageError
from videoforge.application.ports.uploads import UploadRegistry

log = logging.getLogger("videoforge.uploads")


class ExpireUploads:
    """Deletes (file, then record) the uploads no request used for `ttl`, except those an
    unfinished job uses. Each is first marked expiring, only if it is still unused (so a request
    that uses it meanwhile keeps it, and none can use it after); a file that cannot be deleted
    now keeps its record and ends this round (a failing store is not asked once per file), tried
    again next time. Run by the periodic resume, after it has resumed the unfinished jobs."""

    def __init__(self, uploads: UploadRegistry, storage: Storage, jobs: JobRepository, clock: Clock,
                 ttl: timedelta = timedelta(days=7)):
        self._uploads = uploads
        self._storage = storage
        self._jobs = jobs
        self._clock = clock
        self._ttl = ttl

    async def __call__(self) -> list[str]:
        cutoff = self._clock.now() - self._ttl
        candidates = await self._uploads.unused_since(cutoff)
        if not candidates:
            return []
        in_use = {upload for job in await self._jobs.list_unfinished() for upload in job.request.upload_ids}
        removed = []
        for record in candidates:
            if record.id in in_use or not await self._uploads.expire(record.id, cutoff):
                continue
            try:
                await self._storage.delete(record.key)
            except StorageError as e:  # the store is failing: the rest wait for the next round too
                log.warning("upload %s expired but its file could not be deleted yet: %s", record.id, e)
                break
            await self._uploads.remove(record.id)
            removed.append(record.id)
        return removed
