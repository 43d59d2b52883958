"""Callbacks to callers wired from the settings: the signed sender, and the task shape they carry."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from pydantic import SecretStr

from videoforge.application.ports.assets import AssetLibrary
from videoforge.application.use_cases.callbacks import Describe
from videoforge.domain.job import VideoJob

if TYPE_CHECKING:
    import httpx

    from videoforge.adapters.callbacks import SignedCallbackSender


def signed_callback_sender(client: httpx.AsyncClient, secret: SecretStr | None, hosts: Mapping[str, Sequence[str]],
                    allow_private: bool) -> SignedCallbackSender:
    from videoforge.adapters.callbacks import SignedCallbackSender  # imported when a job first needs it

    return SignedCallbackSender(client, secret.get_secret_value() if secret else None, allowed_hosts=hosts,
                                allow_private=allow_private)


def task_payload(assets: AssetLibrary) -> Describe:
    """The legacy task shape of a finished job, as `GET /api/video/jobs/{id}` shows it."""

    async def describe(job: VideoJob) -> dict[str, Any]:
        from videoforge.adapters.http.schemas import PREFIX, task_out

        asset = await assets.get(job.asset_id) if job.asset_id else None
        return task_out(job, asset, PREFIX).model_dump(mode="json")

    return describe
