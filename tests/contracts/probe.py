from __future__ import annotations

import pytest

from videoforge.application.ports.probe import InvalidMediaError, MediaProbe
from videoforge.application.sources import InputSource
from videoforge.domain import MediaInput, MediaKind


def source(kind: MediaKind, data: bytes, content_type: str) -> InputSource:
    return InputSource(MediaInput.from_bytes(kind, data, content_type))


class MediaProbeContract:
    """`samples` maps names to bytes: video_5s_1280x720 (with audio), audio_3s, image_640x480, text."""

    @pytest.fixture
    def probe(self) -> MediaProbe:
        raise NotImplementedError

    @pytest.fixture
    def samples(self) -> dict[str, bytes]:
        raise NotImplementedError

    async def test_video_is_measured(self, probe, samples):
        info = await probe.probe(source(MediaKind.VIDEO, samples["video_5s_1280x720"], "video/mp4"), MediaKind.VIDEO)
        assert info.kind is MediaKind.VIDEO
        assert abs(info.duration - 5.0) <= 0.1 and (info.width, info.height) == (1280, 720)
        assert info.fps and info.fps > 0 and info.codec

    async def test_audio_length_is_read(self, probe, samples):
        info = await probe.probe(source(MediaKind.AUDIO, samples["audio_3s"], "audio/wav"), MediaKind.AUDIO)
        assert abs(info.duration - 3.0) <= 0.1

    async def test_image_size_is_read(self, probe, samples):
        info = await probe.probe(source(MediaKind.IMAGE, samples["image_640x480"], "image/png"), MediaKind.IMAGE)
        assert (info.width, info.height) == (640, 480)

    @pytest.mark.parametrize("sample,expected", [("text", MediaKind.IMAGE), ("text", MediaKind.VIDEO),
                                                 ("image_640x480", MediaKind.AUDIO), ("audio_3s", MediaKind.VIDEO)])
    async def test_the_wrong_kind_of_file_is_refused(self, probe, samples, sample, expected):
        with pytest.raises(InvalidMediaError):
            await probe.probe(source(expected, samples[sample], "application/octet-stream"), expected)

    async def test_a_video_has_a_jpeg_thumbnail(self, probe, samples):
        jpeg = await probe.thumbnail(source(MediaKind.VIDEO, samples["video_5s_1280x720"], "video/mp4"))
        assert jpeg[:2] == b"\xff\xd8"

    async def test_no_thumbnail_of_what_is_not_a_video(self, probe, samples):
        with pytest.raises(InvalidMediaError):
            await probe.thumbnail(source(MediaKind.VIDEO, samples["text"], "video/mp4"))

    async def test_one_reading_gives_the_video_and_its_poster(self, probe, samples):
        info, poster = await probe.inspect_video(source(MediaKind.VIDEO, samples["video_5s_1280x720"], "video/mp4"))
        assert abs(info.duration - 5.0) <= 0.1 and (info.width, info.height) == (1280, 720)
        assert poster is not None and poster[:2] == b"\xff\xd8"

    @pytest.mark.parametrize("sample", ["text", "audio_3s", "image_640x480"])
    async def test_inspecting_what_is_not_a_video_is_refused(self, probe, samples, sample):
        with pytest.raises(InvalidMediaError):
            await probe.inspect_video(source(MediaKind.VIDEO, samples[sample], "application/octet-stream"))
