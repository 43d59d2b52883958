from __future__ import annotations

from abc import abstractmethod
from collections.abc import AsyncIterator
from typing import Protocol


class MediaSource(Protocol):
    """Bytes that can be read, more than once, as a stream: an input file or a stored object."""

    @property
    @abstractmethod
    def content_type(self) -> str: ...

    @property
    @abstractmethod
    def size(self) -> int | None: ...

    @property
    @abstractmethod
    def filename(self) -> str | None: ...

    @abstractmethod
    def chunks(self) -> AsyncIterator[bytes]:
        """A fresh stream of the bytes from the start."""
        ...
