from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from domain.errors import InvalidRequestError


class MediaKind(StrEnum):
    IMAGE = "image"
    AUDIO = "audio"
    VIDEO = "video"


@dataclass(frozen=True, slots=True)
class MediaInput:
    """An input file of a request: its bytes in memory or a path, never both."""

    kind: MediaKind
    content_type: str
    size: int
    data: bytes | None = None
    path: str | None = None
    filename: str | None = None

    def __post_init__(self) -> None:
        field = self.kind.value
        if (self.data is None) == (self.path is None):
            raise InvalidRequestError(field, "give either the bytes or a file path")
        if self.size <= 0:
            raise InvalidRequestError(field, "the file is empty", value=self.size)
        if self.data is not None and len(self.data) != self.size:
            raise InvalidRequestError(field, f"size {self.size} does not match {len(self.data)} bytes given")

    @classmethod
    def from_bytes(cls, kind: MediaKind | str, data: bytes, content_type: str,
                   filename: str | None = None) -> MediaInput:
        return cls(MediaKind(kind), content_type, len(data), data=data, filename=filename)

    @classmethod
    def from_path(cls, kind: MediaKind | str, path: str, content_type: str, size: int) -> MediaInput:
        return cls(MediaKind(kind), content_type, size, path=path, filename=path.rsplit("/", 1)[-1])

    @property
    def persistable(self) -> bool:
        """Whether the input survives a restart (a path does, bytes in memory do not)."""
        return self.path is not None


@dataclass(frozen=True, slots=True)
class MediaInfo:
    """What probing a media file tells."""

    kind: MediaKind
    duration: float | None = None
    width: int | None = None
    height: int | None = None
    fps: float | None = None
    codec: str | None = None
    has_audio: bool = False
