from __future__ import annotations

from abc import abstractmethod
from typing import Protocol

from videoforge.application.ports.media import MediaSource
from videoforge.domain.media import MediaInfo, MediaKind


class MediaProbeError(Exception):
    """Base of every MediaProbe error."""


class InvalidMediaError(MediaProbeError):
    """The bytes are not decodable media of the expected kind."""


class MediaProbe(Protocol):
    """Reads what a media file is: its kind, length, size and codec."""

    @abstractmethod
    async def probe(self, source: MediaSource, expected: MediaKind) -> MediaInfo:
        """Raises InvalidMediaError when `source` is not decodable `expected` media."""
        ...

    @abstractmethod
    async def thumbnail(self, source: MediaSource) -> bytes:
        """A JPEG poster frame of a video. Raises InvalidMediaError."""
        ...

    @abstractmethod
    async def inspect_video(self, source: MediaSource) -> tuple[MediaInfo, bytes | None]:
        """What `probe(source, VIDEO)` returns and a JPEG poster frame, from one reading of the
        file; the poster is None when no picture could be made of it (the video still counts).
        Raises InvalidMediaError when `source` is not a decodable video."""
        ...
