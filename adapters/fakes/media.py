"""Tiny stand-ins for media files that FakeMediaProbe understands, so tests need no codec."""

from __future__ import annotations

import json

from videoforge.adapters.fakes.faults import FaultInjector
from videoforge.application.ports.media import MediaSource
from videoforge.application.ports.probe import InvalidMediaError, MediaProbe
from videoforge.domain.media import MediaInfo, MediaKind

MAGIC = b"VFAKE"


def fake_media(kind: MediaKind | str, *, duration: float | None = None, width: int | None = None,
               height: int | None = None, fps: float | None = None, codec: str | None = None,
               has_audio: bool = False, size: int = 0) -> bytes:
    """Bytes describing a media file; padded to `size` bytes when given."""
    header = {"kind": MediaKind(kind).value, "duration": duration, "width": width, "height": height,
              "fps": fps, "codec": codec, "has_audio": has_audio}
    data = MAGIC + json.dumps(header).encode() + b"\n"
    return data + b"\0" * max(0, size - len(data))


def fake_video(duration: float = 5.0, width: int = 1280, height: int = 720, *, has_audio: bool = False,
               size: int = 0) -> bytes:
    return fake_media(MediaKind.VIDEO, duration=duration, width=width, height=height, fps=24.0, codec="h264",
                      has_audio=has_audio, size=size)


def fake_image(width: int = 1024, height: int = 768) -> bytes:
    return fake_media(MediaKind.IMAGE, width=width, height=height, codec="png")


def fake_audio(duration: float = 7.0) -> bytes:
    return fake_media(MediaKind.AUDIO, duration=duration, codec="mp3", has_audio=True)


def parse_fake_media(data: bytes) -> MediaInfo:
    if not data.startswith(MAGIC) or b"\n" not in data:
        raise InvalidMediaError("not a media file")
    try:
        header = json.loads(data[len(MAGIC):data.index(b"\n")])
        return MediaInfo(kind=MediaKind(header.pop("kind")), **header)
    except (ValueError, TypeError, KeyError) as e:
        raise InvalidMediaError(f"corrupt media header: {e}") from e


async def read_header(source: MediaSource, limit: int = 4096) -> bytes:
    buffer = b""
    async for chunk in source.chunks():
        buffer += chunk
        if len(buffer) >= limit or b"\n" in buffer:
            break
    return buffer


class FakeMediaProbe(FaultInjector, MediaProbe):
    """Reads the headers written by `fake_media`; anything else is not media.
    `probed` records each kind probed, for tests."""

    def __init__(self) -> None:
        super().__init__()
        self.probed: list[MediaKind] = []
        self.thumbnails = 0

    async def probe(self, source: MediaSource, expected: MediaKind) -> MediaInfo:
        self._maybe_fail("probe")
        info = parse_fake_media(await read_header(source))
        if info.kind is not expected:
            raise InvalidMediaError(f"expected {expected.value}, found {info.kind.value}")
        self.probed.append(expected)
        return info

    async def thumbnail(self, source: MediaSource) -> bytes:
        self._maybe_fail("thumbnail")
        info = parse_fake_media(await read_header(source))
        if info.kind is not MediaKind.VIDEO:
            raise InvalidMediaError("a thumbnail needs a video")
        self.thumbnails += 1
        return b"\xff\xd8\xff\xe0fake-jpeg\xff\xd9"

    async def inspect_video(self, source: MediaSource) -> tuple[MediaInfo, bytes | None]:
        info = await self.probe(source, MediaKind.VIDEO)
        try:
            return info, await self.thumbnail(source)
        except InvalidMediaError:
            return info, None
