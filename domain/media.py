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
    """An input file of a request: its bytes in memory or a path, never both.

    `kept=False` describes an input that was given as bytes and did not survive a restart
    (a job read back from a database): only its kind, type, size and name remain."""

    kind: MediaKind
    content_type: str
    size: int
    data: bytes | None = None
    path: str | None = None
    filename: str | None = None
    kept: bool = True

    def __post_init__(self) -> None:
        field = self.kind.value
        if not self.kept:
            if self.data is not None or self.path is not None:
                raise InvalidRequestError(field, "an input that was not kept has neither bytes nor a path")
        elif (self.data is None) == (self.path is None):
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

    @classmethod
    def not_kept(cls, kind: MediaKind | str, content_type: str, size: int, filename: str | None = None
                 ) -> MediaInput:
        return cls(MediaKind(kind), content_type, size, filename=filename, kept=False)

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
