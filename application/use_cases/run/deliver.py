from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from contextlib import nullcontext

from videoforge.application.errors import JobNotFinishedError
from videoforge.application.ports.assets import AssetLibrary
from videoforge.application.ports.probe import InvalidMediaError, MediaProbe
from videoforge.application.ports.provider import ProviderError, ProviderOutput, VideoProvider
from videoforge.application.ports.storage import InvalidKeyError, Storage, StorageError, StorageLimitError
from videoforge.application.ports.unit_of_work import UnitOfWork
from videoforge.application.ports.usage import UsageMeter
from videoforge.application.progress import ProgressReporter
from videoforge.application.sources import StoredSource, one_chunk
from videoforge.application.use_cases.run.keeper import JobKeeper, SaveLease
from videoforge.application.use_cases.submit import new_id
from videoforge.domain.catalog import ModelCatalog
from videoforge.domain.delivery import Delivery, KeptOutput, actual_cost
from videoforge.domain.job import VideoJob
from videoforge.domain.keys import thumbnail_key, video_key
from videoforge.domain.media import MediaInfo
from videoforge.domain.outcome import Failure
from videoforge.domain.records import StoredObject

log = logging.getLogger("videoforge.run")


class Undeliverable(Exception):
    """The output can never be kept (the provider billed it all the same)."""

    def __init__(self, failure: Failure):
        super().__init__(failure.error.message)
        self.failure = failure


async def _nothing() -> None:
    return None


class KeepOutput:
    """Brings a paid output in: streamed from the provider into storage, probed as a video, given
    a poster frame. Raises Undeliverable when that can never work, and JobNotFinishedError when it
    may later (a broken-off download, storage briefly failing): the provider keeps outputs for
    days, so resuming the job fetches it again."""

    def __init__(self, providers: Mapping[str, VideoProvider], storage: Storage, probe: MediaProbe):
        self._providers, self._storage, self._probe = providers, storage, probe

    async def __call__(self, job: VideoJob, renew: Callable[[], Awaitable[None]] = _nothing) -> KeptOutput:
        """`renew` is awaited as the output streams in and between the steps after (the save lease)."""
        stored = await self._save(job, renew)
        await renew()
        info, poster = await self._inspect(stored)
        await renew()
        thumbnail = await self._thumbnail(job, poster)
        return KeptOutput(stored, info, await self._storage.url(stored.key), thumbnail)

    async def _save(self, job: VideoJob, renew: Callable[[], Awaitable[None]]) -> StoredObject:
        provider = self._providers[job.provider]
        key = video_key(job.user_id, job.created_at, job.id)

        async def renewing() -> AsyncIterator[bytes]:
            async for chunk in provider.stream_output(ProviderOutput(job.output_url)):
                await renew()
                yield chunk

        try:
            return await self._storage.save(key, renewing(), "video/mp4")
        except ProviderError as e:
            if e.retryable:
                raise JobNotFinishedError(job, f"the output could not be fetched yet: {e}") from e
            raise Undeliverable(Failure.output_unfetchable(str(e))) from e
        except (StorageLimitError, InvalidKeyError) as e:
            raise Undeliverable(Failure.output_unstorable(str(e))) from e
        except StorageError as e:  # transient (disk, network)
            raise JobNotFinishedError(job, f"the video could not be saved yet: {e}") from e

    async def _inspect(self, stored: StoredObject) -> tuple[MediaInfo, bytes | None]:
        """The video's description and poster frame, from one reading of the stored file."""
        try:
            return await self._probe.inspect_video(StoredSource(self._storage, stored))
        except InvalidMediaError as e:
            await self._storage.delete(stored.key)
            raise Undeliverable(Failure.output_unplayable(str(e))) from e

    async def _thumbnail(self, job: VideoJob, poster: bytes | None) -> str | None:
        """The poster frame kept beside the video; a video without one is still delivered."""
        if poster is None:
            log.warning("job %s: no thumbnail: no picture could be made of the video", job.id)
            return None
        try:
            key = thumbnail_key(job.user_id, job.created_at, job.id)
            await self._storage.save(key, one_chunk(poster), "image/jpeg")
            return key
        except StorageError as e:
            log.warning("job %s: no thumbnail: %s", job.id, e)
            return None


class DeliverOutput:
    """saving -> completed: the paid output is kept, filed in the user's library, metered, and the
    reservation settled at the actual cost. The runner first takes the job's save lease (renewed
    as the output streams in): while another runner holds it, this one does not download the
    video again but waits (SavingElsewhere); a lease its runner stopped renewing is taken over.
    Every write is idempotent by job id (the storage key,
    the asset, the usage record, the settlement), so running the step again after a crash at any
    point repairs it, and the provider is never paid twice; on a backend with transactions the
    four writes are one unit of work (`together`), so a crash leaves all of them or none."""

    def __init__(self, keeper: JobKeeper, keep_output: KeepOutput, catalog: ModelCatalog, assets: AssetLibrary,
                 usage: UsageMeter, together: UnitOfWork = nullcontext):
        self._keeper, self._keep_output, self._catalog = keeper, keep_output, catalog
        self._assets, self._usage, self._together = assets, usage, together

    async def __call__(self, job: VideoJob, progress: ProgressReporter) -> VideoJob:
        lease = await self._keeper.take_lease(job)  # SavingElsewhere: another runner downloads it now
        try:
            return await self._deliver(job, lease, progress)  # ended: the lease no longer matters
        except BaseException:
            await self._keeper.release(lease)  # still saving: the next runner need not wait
            raise

    async def _deliver(self, job: VideoJob, lease: SaveLease, progress: ProgressReporter) -> VideoJob:
        try:
            output = await self._keep_output(job, lambda: self._keeper.renew(lease, job))
        except Undeliverable as e:
            return await self._keeper.fail(job, e.failure)
        delivery = Delivery(job, output, actual_cost(job, self._catalog.get(job.model)), self._keeper.now())
        async with self._together():  # the asset, the usage, the settlement and the job commit at once
            asset = await self._assets.add(delivery.asset(new_id()))
            await self._usage.record(delivery.usage_record())
            job = await self._keeper.complete(job, asset.id, delivery.cost)
        await progress.show(job)
        return job
