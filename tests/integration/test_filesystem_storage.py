"""FileSystemStorage on a real directory: the storage contract, and what only files can get wrong."""

from __future__ import annotations

import asyncio
import hashlib
import os
import shutil
from datetime import timedelta

import pytest

from tests.contracts.storage import StorageContract, chunks, read
from videoforge.adapters.filesystem import FileSystemStorage
from videoforge.adapters.filesystem.storage import CHUNK
from videoforge.application.ports.storage import (
    InvalidKeyError,
    ObjectNotFoundError,
    StorageError,
    StorageLimitError,
)


class TestFileSystemStorage(StorageContract):
    @pytest.fixture
    def storage(self, tmp_path):
        return FileSystemStorage(tmp_path / "media", max_bytes=self.cap)


def files_under(root) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())


async def test_a_write_failing_halfway_leaves_no_file_and_no_temporary_file(tmp_path):
    storage = FileSystemStorage(tmp_path, max_bytes=1_000_000)

    async def broken():
        yield b"x" * 300_000
        yield b"y" * 300_000
        raise ConnectionError("download broke off")

    with pytest.raises(ConnectionError):
        await storage.save("videos/u1/2026/01/job.mp4", broken(), "video/mp4")
    assert files_under(tmp_path) == []


async def test_a_write_over_the_cap_leaves_no_temporary_file(tmp_path):
    storage = FileSystemStorage(tmp_path, max_bytes=10)
    with pytest.raises(StorageLimitError):
        await storage.save("videos/u1/big.mp4", chunks(b"123456", b"789012"), "video/mp4")
    assert files_under(tmp_path) == []


async def test_a_cancelled_write_leaves_no_temporary_file(tmp_path):
    storage = FileSystemStorage(tmp_path)
    started = asyncio.Event()

    async def slow():
        yield b"first"
        started.set()
        await asyncio.sleep(3600)
        yield b"never"

    save = asyncio.create_task(storage.save("videos/u1/slow.mp4", slow(), "video/mp4"))
    await started.wait()
    save.cancel()
    with pytest.raises(asyncio.CancelledError):
        await save
    assert files_under(tmp_path) == []


async def test_files_land_under_the_root_at_their_key_with_a_sidecar(tmp_path):
    storage = FileSystemStorage(tmp_path)
    stored = await storage.save("videos/u1/2026/01/a.mp4", chunks(b"abc"), "video/mp4")
    assert (tmp_path / "videos/u1/2026/01/a.mp4").read_bytes() == b"abc"
    assert files_under(tmp_path) == ["videos/u1/2026/01/.a.mp4.meta.json", "videos/u1/2026/01/a.mp4"]
    assert await storage.stat("videos/u1/2026/01/a.mp4") == stored


async def test_stat_hashes_the_file_again_when_it_changed_behind_the_sidecar(tmp_path):
    storage = FileSystemStorage(tmp_path)
    await storage.save("videos/u1/a.mp4", chunks(b"abc"), "video/mp4")
    path = tmp_path / "videos/u1/a.mp4"
    path.write_bytes(b"changed")
    stat = await storage.stat("videos/u1/a.mp4")
    assert stat.size == 7
    assert stat.sha256 == hashlib.sha256(b"changed").hexdigest() and stat.content_type == "video/mp4"


@pytest.mark.parametrize("key", ["videos/../../outside.mp4", "../outside.mp4", "videos/./a.mp4", "/tmp/x.mp4",
                                 "videos/%2e%2e/x.mp4", "videos/a\x00.mp4"])
async def test_keys_cannot_escape_the_root(tmp_path, key):
    root = tmp_path / "root"
    storage = FileSystemStorage(root)
    with pytest.raises(InvalidKeyError):
        await storage.save(key, chunks(b"x"), "video/mp4")
    assert files_under(tmp_path) == []


async def test_a_symlink_inside_the_root_cannot_lead_out_of_it(tmp_path):
    root, outside = tmp_path / "root", tmp_path / "outside"
    root.mkdir()
    outside.mkdir()
    os.symlink(outside, root / "videos")
    storage = FileSystemStorage(root)
    with pytest.raises(InvalidKeyError):
        await storage.save("videos/a.mp4", chunks(b"x"), "video/mp4")
    with pytest.raises(InvalidKeyError):
        await read(storage, "videos/a.mp4")
    assert list(outside.iterdir()) == []


async def test_range_reads_cross_chunk_boundaries(tmp_path):
    storage = FileSystemStorage(tmp_path)
    data = bytes(range(256)) * 12_000  # ~3 MB: several read chunks
    await storage.save("videos/u1/r.mp4", chunks(data[:1_000_000], data[1_000_000:]), "video/mp4")
    assert await read(storage, "videos/u1/r.mp4", 1_048_570, 1_048_590) == data[1_048_570:1_048_590]
    assert await read(storage, "videos/u1/r.mp4", 2_000_000) == data[2_000_000:]
    assert await read(storage, "videos/u1/r.mp4", len(data) + 10) == b""
    assert await read(storage, "videos/u1/r.mp4") == data


async def test_urls_are_file_uris_or_under_the_base_url(tmp_path):
    await FileSystemStorage(tmp_path).save("videos/u1/a.mp4", chunks(b"x"), "video/mp4")
    assert await FileSystemStorage(tmp_path).url("videos/u1/a.mp4") == (tmp_path / "videos/u1/a.mp4").as_uri()
    served = FileSystemStorage(tmp_path, base_url="https://cdn.example/media/")
    assert await served.url("videos/u1/a.mp4") == "https://cdn.example/media/videos/u1/a.mp4"


async def test_local_path_names_the_file_of_a_key(tmp_path):
    storage = FileSystemStorage(tmp_path)
    await storage.save("videos/u1/a.mp4", chunks(b"x"), "video/mp4")
    assert storage.local_path("videos/u1/a.mp4") == tmp_path.resolve() / "videos/u1/a.mp4"
    with pytest.raises(ObjectNotFoundError):
        storage.local_path("videos/u1/missing.mp4")


async def test_temporary_files_a_killed_save_left_are_swept_once_idle(tmp_path):
    """A process killed mid-save leaves its hidden `.tmp` file: swept once it has been untouched
    for the bound, while a save still writing (a fresh file) is left alone."""
    storage = FileSystemStorage(tmp_path)
    await storage.save("videos/u1/2026/01/done.mp4", chunks(b"done"), "video/mp4")
    folder = tmp_path / "videos" / "u1" / "2026" / "01"
    dead, live = folder / ".job.mp4.0a1b.tmp", folder / ".other.mp4.2c3d.tmp"
    dead.write_bytes(b"half a video")
    live.write_bytes(b"being written")
    old = os.stat(dead).st_mtime - 3600
    os.utime(dead, (old, old))

    assert await storage.sweep(timedelta(minutes=15)) == 1
    assert not dead.exists() and live.exists()
    assert (await storage.stat("videos/u1/2026/01/done.mp4")).size == 4
    assert await storage.sweep(timedelta(0)) == 1 and not live.exists()


async def test_a_folder_removed_mid_save_is_the_ports_error_with_its_cause(tmp_path):
    storage = FileSystemStorage(tmp_path)
    folder = tmp_path / "videos" / "u1"

    async def pulled_away():
        # Two full blocks: the file exists once the first is written (written when the second
        # has arrived, the last block going with the commit).
        yield b"x" * CHUNK
        yield b"x" * CHUNK
        shutil.rmtree(folder)
        folder.write_bytes(b"a file where the folder was")  # the clean-up now fails: NotADirectoryError
        yield b"y" * 1000

    with pytest.raises(StorageError) as caught:
        await storage.save("videos/u1/2026/01/job.mp4", pulled_away(), "video/mp4")
    assert caught.value.__cause__ is not None and isinstance(caught.value.__cause__, OSError)


async def test_the_resume_sweeps_what_a_killed_save_left(tmp_path):
    from tests.conftest import settings_for_tests
    from videoforge.bootstrap import open_container

    media = tmp_path / "media"
    leftover = media / "videos" / "u1" / "2026" / "01" / ".job.mp4.dead.tmp"
    leftover.parent.mkdir(parents=True)
    leftover.write_bytes(b"half")
    old = os.stat(leftover).st_mtime - 3600
    os.utime(leftover, (old, old))
    settings = settings_for_tests(storage="filesystem", storage_dir=media, data_dir=tmp_path)
    async with open_container(settings) as container:
        report = await container.resume_jobs()()
    assert report.swept == 1 and not leftover.exists()


@pytest.mark.parametrize(("sizes", "hops"), [([10], 1), ([CHUNK // 2] * 4, 2), ([CHUNK] * 3, 3), ([], 1)])
async def test_a_save_hops_to_a_thread_once_per_block(tmp_path, sizes, hops):
    """Small chunks are joined into blocks of at least 1 MiB; the first block's hop also creates
    the file and the last one's also commits it, so a save of up to 1 MiB is one hop."""
    storage = FileSystemStorage(tmp_path)
    loop = asyncio.get_running_loop()
    counted = 0
    handed_back = loop.call_soon_threadsafe

    def counting(*args, **kwargs):
        nonlocal counted
        counted += 1
        return handed_back(*args, **kwargs)

    loop.call_soon_threadsafe = counting
    try:
        stored = await storage.save("videos/u1/2026/01/job.mp4", chunks(*[b"v" * n for n in sizes]), "video/mp4")
    finally:
        del loop.call_soon_threadsafe
    assert counted == hops
    assert stored.size == sum(sizes) and (tmp_path / "videos/u1/2026/01/job.mp4").stat().st_size == sum(sizes)
