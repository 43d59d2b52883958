from __future__ import annotations

from videoforge.application.errors import JobFailedError
from videoforge.application.ports.assets import AssetLibrary
from videoforge.application.progress import ACCEPTED, ProgressCallback, notify
from videoforge.application.results import VideoResult
from videoforge.application.use_cases.run_job import RunJob
from videoforge.application.use_cases.submit import SubmitVideo
from videoforge.domain.request import VideoRequest


class GenerateVideo:
    """The unified entry point: one request in, one stored, metered video out.

    validate -> price -> reserve -> record the job -> submit -> follow -> save -> probe
    -> asset -> usage -> settle. Raises InvalidRequestError and QuotaExceededError before
    anything is reserved or sent, JobFailedError when the job ends without a video, and
    JobNotFinishedError when it is still running at the provider (ResumeJobs finishes it).
    """

    def __init__(self, submit: SubmitVideo, run: RunJob, assets: AssetLibrary):
        self._submit = submit
        self._run = run
        self._assets = assets

    async def __call__(self, request: VideoRequest, progress: ProgressCallback | None = None) -> VideoResult:
        job = await self._submit(request)
        await notify(progress, ACCEPTED, "request accepted")
        job = await self._run.run(job, progress)
        if not job.delivered:
            raise JobFailedError(job)
        asset = await self._assets.get(job.asset_id)
        return VideoResult.of(job, asset)
