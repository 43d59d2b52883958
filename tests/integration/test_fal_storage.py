"""fal's inputs against its emulator (tests/emulators/fal.py): uploaded to fal's storage (the
direct route: one streamed PUT, or parts above the multipart threshold) or inline as streamed
data URIs (small ones, and every input through Hugging Face's router)."""

from __future__ import annotations

import base64
import hashlib
import json
import tracemalloc
from collections.abc import AsyncIterator
from dataclasses import dataclass

import pytest

from videoforge.adapters.fakes import fake_video
from videoforge.adapters.fakes.media import fake_image
from videoforge.adapters.fal import FalStorage, FalVideoProvider, direct_route, router_route
from videoforge.application.ports.provider import ProviderRejectedError, ProviderTask
from videoforge.application.sources import InputSource
from videoforge.bootstrap.wavespeed import http_client
from videoforge.domain import ErrorCode, MediaInput, MediaKind, ModelCatalog, OperationType, VideoRequest
from videoforge.domain.models_fal import FAL_MODELS

KLING = "fal-ai/kling-video/v2.1/standard/image-to-video"
UPSCALER = "fal-ai/bytedance-upscaler/upscale/video"
MiB = 1024 * 1024


@dataclass(frozen=True)
class Generated:
    """A MediaSource of `size` bytes made as they are read: never held whole, by us or by it."""

    size: int
    content_type: str = "video/mp4"
    filename: str | None = "clip.mp4"
    block: int = 256 * 1024

    def blocks(self):
        for start in range(0, self.size, self.block):
            yield bytes([start // self.block % 251]) * min(self.block, self.size - start)

    async def chunks(self) -> AsyncIterator[bytes]:
        for block in self.blocks():
            yield block

    def sha256(self) -> str:
        digest = hashlib.sha256()
        for block in self.blocks():
            digest.update(block)
        return digest.hexdigest()


def image_task(data: bytes) -> ProviderTask:
    image = MediaInput.from_bytes(MediaKind.IMAGE, data, "image/png", "face.png")
    request = VideoRequest(operation=OperationType.IMAGE_TO_VIDEO, user_id="u1", model=KLING, prompt="wave",
                           duration=5, image=image)
    spec = ModelCatalog(FAL_MODELS, {}).plan(request).render_spec()
    return ProviderTask("job-1", spec, {MediaKind.IMAGE: InputSource(image)})


def upscale_task(source) -> ProviderTask:
    video = MediaInput.from_bytes(MediaKind.VIDEO, fake_video(1.0, 64, 36), "video/mp4", "clip.mp4")
    request = VideoRequest(operation=OperationType.ENHANCE, user_id="u1", model=UPSCALER, video=video)
    spec = ModelCatalog(FAL_MODELS, {}).plan(request).render_spec()
    return ProviderTask("job-1", spec, {MediaKind.VIDEO: source})


@pytest.fixture
async def client():
    client = http_client(connect_timeout=2.0, read_timeout=10.0, max_connections=10)
    yield client
    await client.aclose()


def direct(client, emulator, *, private: bool = True, key: str | None = None, **storage) -> FalVideoProvider:
    fal_storage = FalStorage(client, key or emulator.fal_key, emulator.url, allow_private_urls=private, **storage)
    return FalVideoProvider(client, direct_route(emulator.fal_key, emulator.url), allow_private_urls=True,
                            storage=fal_storage, inline_max=64 * 1024)


def through_router(client, emulator) -> FalVideoProvider:
    return FalVideoProvider(client, router_route(emulator.hf_token, emulator.router_queue), allow_private_urls=True,
                            inline_max=64 * 1024)


def payload_of(emulator, provider_job_id: str) -> dict:
    return emulator.requests[provider_job_id.rsplit("/", 1)[1]].payload


async def test_a_small_input_goes_inline_as_a_data_uri_with_its_length(client, fal_emulator):
    data = fake_image(64, 48)
    provider_job_id = await direct(client, fal_emulator).submit(image_task(data))

    assert payload_of(fal_emulator, provider_job_id)["image_url"] == \
        "data:image/png;base64," + base64.b64encode(data).decode()
    assert not fal_emulator.uploads
    [headers] = fal_emulator.submit_headers
    assert headers["content-type"] == "application/json" and "transfer-encoding" not in headers
    assert int(headers["content-length"]) > len(data)  # the exact length, sent before the body


async def test_a_larger_input_is_uploaded_to_fal_storage_and_named_by_its_url(client, fal_emulator):
    data = fake_image(64, 48) + bytes(300_000)
    provider_job_id = await direct(client, fal_emulator).submit(image_task(data))

    [upload] = fal_emulator.uploads.values()
    assert not upload.multipart and upload.complete and upload.authorized_puts == 0  # the key stays with fal's API
    assert (upload.size, upload.sha256) == (len(data), hashlib.sha256(data).hexdigest())
    assert (upload.file_name, upload.content_type) == ("face.png", "image/png")
    assert payload_of(fal_emulator, provider_job_id)["image_url"] == f"{fal_emulator.url}/_files/{upload.id}/face.png"


async def test_a_model_that_takes_files_by_url_gets_even_a_small_one_uploaded(client, fal_emulator):
    source = Generated(10_000)
    provider_job_id = await direct(client, fal_emulator).submit(upscale_task(source))
    [upload] = fal_emulator.uploads.values()
    assert upload.sha256 == source.sha256()
    assert payload_of(fal_emulator, provider_job_id)["video_url"].endswith(f"/_files/{upload.id}/clip.mp4")


async def test_a_big_input_goes_up_in_parts_one_held_at_a_time(client, fal_emulator):
    source = Generated(24 * MiB)
    provider = direct(client, fal_emulator, multipart_above=4 * MiB, part_size=2 * MiB)

    tracemalloc.start()
    try:
        provider_job_id = await provider.submit(upscale_task(source))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    [upload] = fal_emulator.uploads.values()
    assert upload.multipart and upload.complete and upload.authorized_puts == 0
    assert len(upload.parts) == 12 and [p["partNumber"] for p in upload.parts] == list(range(1, 13))
    assert (upload.size, upload.sha256) == (source.size, source.sha256())
    assert payload_of(fal_emulator, provider_job_id)["video_url"].endswith(f"/_files/{upload.id}/clip.mp4")
    assert peak < 4 * 2 * MiB  # about two parts in flight (client and emulator together), never the 24 MiB input


async def test_through_the_router_every_input_goes_inline_and_nothing_is_uploaded(client, fal_emulator):
    source = Generated(300_000, block=64 * 1024 + 1)  # blocks not a multiple of 3: base64 carried across them
    provider_job_id = await through_router(client, fal_emulator).submit(upscale_task(source))

    sent = payload_of(fal_emulator, provider_job_id)["video_url"]
    assert sent == "data:video/mp4;base64," + base64.b64encode(b"".join(source.blocks())).decode()
    assert not fal_emulator.uploads and set(fal_emulator.routes) == {"router"}
    [headers] = fal_emulator.submit_headers
    assert int(headers["content-length"]) == len(json.dumps(payload_of(fal_emulator, provider_job_id)).encode())


async def test_a_refused_storage_is_a_refusal_and_nothing_is_submitted(client, fal_emulator):
    with pytest.raises(ProviderRejectedError) as refused:
        await direct(client, fal_emulator, key="wrong-key").submit(upscale_task(Generated(1000)))
    assert not refused.value.retryable and refused.value.provider_code == 401
    assert "wrong-key" not in str(refused.value) and fal_emulator.submissions == 0

    fal_emulator.storage_fault = 503
    with pytest.raises(ProviderRejectedError) as busy:
        await direct(client, fal_emulator).submit(upscale_task(Generated(1000)))
    assert busy.value.retryable and busy.value.code is ErrorCode.PROVIDER_UNAVAILABLE
    assert fal_emulator.submissions == 0


async def test_an_upload_url_on_a_private_host_is_refused(client, fal_emulator):
    with pytest.raises(ProviderRejectedError, match="an upload URL that is refused"):
        await direct(client, fal_emulator, private=False).submit(upscale_task(Generated(1000)))
    assert fal_emulator.submissions == 0 and not any(u.size for u in fal_emulator.uploads.values())


async def test_an_input_that_cannot_be_read_is_a_refusal_and_nothing_is_created(client, fal_emulator, tmp_path):
    gone = MediaInput.from_path(MediaKind.VIDEO, str(tmp_path / "moved-away.mp4"), "video/mp4", 10_000)
    for provider in (direct(client, fal_emulator), through_router(client, fal_emulator)):
        with pytest.raises(ProviderRejectedError, match="could not be read") as refused:
            await provider.submit(upscale_task(InputSource(gone)))
        assert refused.value.code is ErrorCode.INVALID_PARAMETER
    assert not fal_emulator.requests
