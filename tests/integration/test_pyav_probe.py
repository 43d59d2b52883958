"""PyAVMediaProbe on real media made by PyAV in the session."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from tests.contracts.probe import MediaProbeContract, source
from videoforge.adapters.filesystem import FileSystemStorage
from videoforge.adapters.media import PyAVMediaProbe
from videoforge.application.ports.probe import InvalidMediaError
from videoforge.application.sources import InputSource, StoredSource, one_chunk
from videoforge.domain import MediaInput, MediaKind


class TestPyAVMediaProbe(MediaProbeContract):
    @pytest.fixture
    def probe(self, tmp_path):
        return PyAVMediaProbe(temp_dir=tmp_path)

    @pytest.fixture
    def samples(self, media_samples):
        return media_samples


async def test_a_video_reports_its_codec_rate_and_sound(media_samples):
    info = await PyAVMediaProbe().probe(source(MediaKind.VIDEO, media_samples["video_5s_1280x720"], "video/mp4"),
                                        MediaKind.VIDEO)
    assert (info.codec, info.fps, info.has_audio) == ("h264", 24.0, True)
    silent = await PyAVMediaProbe().probe(
        source(MediaKind.VIDEO, media_samples["video_2s_320x180_silent"], "video/mp4"), MediaKind.VIDEO)
    assert silent.has_audio is False and abs(silent.duration - 2.0) <= 0.05


@pytest.mark.parametrize("sample,expected,message", [
    ("text", MediaKind.IMAGE, "not an image"),
    ("video_2s_320x180", MediaKind.IMAGE, "not an image"),
    ("image_640x480", MediaKind.VIDEO, "still image, not a video"),
    ("audio_3s", MediaKind.VIDEO, "audio file, not a video"),
    ("video_2s_320x180", MediaKind.AUDIO, "video, not an audio file"),
    ("image_640x480", MediaKind.AUDIO, "image, not an audio file"),
    ("text", MediaKind.AUDIO, "not a decodable audio"),
])
async def test_refusals_say_what_the_file_is(media_samples, sample, expected, message):
    with pytest.raises(InvalidMediaError, match=message):
        await PyAVMediaProbe().probe(source(expected, media_samples[sample], "application/octet-stream"), expected)


async def test_a_truncated_video_is_refused(media_samples):
    data = media_samples["video_2s_320x180"]
    with pytest.raises(InvalidMediaError):
        await PyAVMediaProbe().probe(source(MediaKind.VIDEO, data[: len(data) // 3], "video/mp4"), MediaKind.VIDEO)


async def test_the_thumbnail_is_a_small_jpeg_of_the_video(media_samples):
    jpeg = await PyAVMediaProbe(thumbnail_width=320).thumbnail(
        source(MediaKind.VIDEO, media_samples["video_5s_1280x720"], "video/mp4"))
    with Image.open(io.BytesIO(jpeg)) as image:
        assert image.format == "JPEG" and image.size == (320, 180)


async def test_files_are_read_in_place_and_spooled_sources_leave_nothing_behind(media_samples, tmp_path):
    spool = tmp_path / "spool"
    spool.mkdir()
    probe = PyAVMediaProbe(temp_dir=spool)
    path = tmp_path / "clip.mp4"
    path.write_bytes(media_samples["video_2s_320x180"])
    by_path = await probe.probe(InputSource(MediaInput.from_path(MediaKind.VIDEO, str(path), "video/mp4",
                                                                 path.stat().st_size)), MediaKind.VIDEO)
    storage = FileSystemStorage(tmp_path / "media")
    stored = await storage.save("videos/u1/clip.mp4", one_chunk(path.read_bytes()), "video/mp4")
    in_storage = await probe.probe(StoredSource(storage, stored), MediaKind.VIDEO)
    in_memory = await probe.probe(source(MediaKind.VIDEO, path.read_bytes(), "video/mp4"), MediaKind.VIDEO)
    with pytest.raises(InvalidMediaError):
        await probe.probe(source(MediaKind.VIDEO, b"garbage" * 100, "video/mp4"), MediaKind.VIDEO)
    assert by_path == in_storage == in_memory and (by_path.width, by_path.height) == (320, 180)
    assert list(spool.iterdir()) == []


async def test_a_missing_input_file_is_an_os_error_not_bad_media(tmp_path):
    media = MediaInput.from_path(MediaKind.IMAGE, str(tmp_path / "gone.png"), "image/png", 10)
    with pytest.raises(FileNotFoundError):
        await PyAVMediaProbe().probe(InputSource(media), MediaKind.IMAGE)


def png_bomb(width: int, height: int) -> bytes:
    """A PNG whose header claims width x height pixels, in a few hundred bytes (one zero row)."""
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)  # 8-bit greyscale
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(bytes(width + 1)))
            + chunk(b"IEND", b""))


async def test_an_image_bomb_is_refused_by_its_header_before_any_decode():
    """The review's 13000 x 13000 PNG (169 Mpx in under a kilobyte): refused by the size its header
    claims, without decoding (a decode would have failed on the missing rows instead)."""
    bomb = png_bomb(13000, 13000)
    assert len(bomb) < 2000
    probe = PyAVMediaProbe(max_image_pixels=25_000_000)
    with pytest.raises(InvalidMediaError, match=r"13000x13000 pixels by its header.*nothing was decoded"):
        await probe.probe(source(MediaKind.IMAGE, bomb, "image/png"), MediaKind.IMAGE)
    with pytest.raises(InvalidMediaError, match="by its header"):
        small = PyAVMediaProbe(max_image_pixels=1000)
        await small.probe(source(MediaKind.IMAGE, png_bomb(40, 30), "image/png"), MediaKind.IMAGE)
