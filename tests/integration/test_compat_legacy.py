"""`ai_video_generate` keeps the legacy function's promises on a real container: SQL backend,
files on disk, the offline provider. `video_bytes` is read from the stored file on first access
only; `file_path` is that file; `provider=` is a configured provider or a clear refusal."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

import pytest

from videoforge.application.ports.storage import ObjectNotFoundError
from videoforge.bootstrap import Settings, build_container, compat, open_container
from videoforge.domain import Cost, InvalidRequestError


@pytest.fixture
async def container(monkeypatch, tmp_path):
    for name in ("FAL_KEY", "HF_TOKEN", "WAVESPEED_API_KEY", "VIDEOFORGE_WAVESPEED_API_KEY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("VIDEOFORGE_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("VIDEOFORGE_DEFAULT_PLAN", "pro")
    container = build_container(Settings())
    async with open_container(container=container):
        compat.use_container(container)
        try:
            yield container
        finally:
            compat.use_container(None)


async def test_video_bytes_are_the_stored_file_and_file_path_is_that_file(container):
    result = await compat.ai_video_generate(prompt="a heron", user_id="u1", duration=1, resolution="360p")

    path = Path(result["file_path"])
    assert path.is_absolute() and path == container.storage().local_path(result["storage_key"])
    on_disk = await asyncio.to_thread(path.read_bytes)
    assert result["video_bytes"] == on_disk and on_disk[4:8] == b"ftyp"
    assert result["provider"] == "local" and {"prompt", "duration", "model_name", "cost", "width"} <= set(result)


async def test_the_bytes_are_not_read_unless_the_key_is_used(container):
    result = await compat.ai_video_generate(prompt="a heron", user_id="u1", duration=1, resolution="360p")

    # Had the bytes been read when the result was made, they would survive the file's removal.
    os.unlink(result["file_path"])
    assert result["model_name"] == "local/title-card" and "video_bytes" not in list(result)
    with pytest.raises(ObjectNotFoundError):
        result["video_bytes"]


@pytest.mark.parametrize("spelling", ["huggingface", "hf", "google", "gemini"])
async def test_an_unconfigured_provider_is_refused_naming_the_configured_ones_with_nothing_reserved(
        container, spelling):
    with pytest.raises(InvalidRequestError) as refused:
        await compat.ai_video_generate(prompt="a heron", provider=spelling, user_id="u1")

    assert refused.value.field == "provider" and f"{spelling!r} is not configured" in str(refused.value)
    assert refused.value.allowed == ("local",)
    period = container.clock().now().strftime("%Y-%m")
    usage = (await container.quota_guard().check("u1", Cost(0), period)).usage
    assert (usage.calls, usage.reserved_calls) == (0, 0)
    assert await container.job_repository().list_for_user("u1") == []


async def test_a_configured_provider_named_is_used(container):
    result = await compat.ai_video_generate(prompt="a heron", provider="LOCAL", user_id="u1", duration=1,
                                            resolution="360p")
    assert result["provider"] == "local"
