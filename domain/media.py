from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from videoforge.domain.errors import InvalidRequestError


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
    asset_id: str | None = None  # the library asset this input is (its lineage: the output's parent)
    upload_id: str | None = None  # the user's upload this input is (kept while a job that uses it is unfinished)

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
    def not_kept(cls, kind: MediaKind | str, content_type: str, size: int, filename: str | None = None,
                 asset_id: str | None = None, upload_id: str | None = None) -> MediaInput:
        return cls(MediaKind(kind), content_type, size, filename=filename, kept=False, asset_id=asset_id,
                   upload_id=upload_id)

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


_SIGNATURES: tuple[tuple[bytes, int, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", 0, "image/png"),
    (b"\xff\xd8\xff", 0, "image/jpeg"),
    (b"GIF8", 0, "image/gif"),
    (b"ID3", 0, "audio/mpeg"),
    (b"\xff\xfb", 0, "audio/mpeg"),
    (b"\xff\xf3", 0, "audio/mpeg"),
    (b"OggS", 0, "audio/ogg"),
    (b"fLaC", 0, "audio/flac"),
    (b"\x1aE\xdf\xa3", 0, "video/webm"),
)


def sniff_content_type(data: bytes, default: str = "application/octet-stream") -> str:
    """The content type that a file's first bytes announce (for inputs given without one)."""
    for magic, offset, content_type in _SIGNATURES:
        if data[offset:offset + len(magic)] == magic:
            return content_type
    if data[:4] == b"RIFF" and data[8:12] == b"WAVE":
        return "audio/wav"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    if data[4:8] == b"ftyp":
        return "video/quicktime" if data[8:10] == b"qt" else "video/mp4"
    return default
