from __future__ import annotations

import asyncio
import os
from collections.abc import Callable
from typing import Any, TypeVar

from videoforge.application.ports.media import MediaSource
from videoforge.application.ports.probe import MediaProbe
from videoforge.application.sources import direct_path, local_file
from videoforge.domain.media import MediaInfo, MediaKind

T = TypeVar("T")


class PyAVMediaProbe(MediaProbe):
    """Probes media with FFmpeg through PyAV (videos, audio) and Pillow (images).

    Each probe opens the file and decodes its first frame, so a file is accepted only when it
    really decodes as the expected kind. Sources without a file on disk are streamed into a
    temporary file in `temp_dir` first. Decoding runs in a thread, off the event loop; PyAV and
    Pillow are imported on the first probe.
    """

    def __init__(self, temp_dir: str | os.PathLike[str] | None = None, thumbnail_width: int = 640,
                 max_image_pixels: int = 25_000_000):
        self._temp_dir = temp_dir
        self._thumbnail_width = thumbnail_width
        self._max_pixels = max_image_pixels  # by its header, before any decode

    async def probe(self, source: MediaSource, expected: MediaKind) -> MediaInfo:
        from videoforge.adapters.media.probe import probe_file

        return await self._read(source, probe_file, expected, self._max_pixels)

    async def thumbnail(self, source: MediaSource) -> bytes:
        from videoforge.adapters.media.probe import poster_frame

        return await self._read(source, poster_frame, self._thumbnail_width)

    async def inspect_video(self, source: MediaSource) -> tuple[MediaInfo, bytes | None]:
        from videoforge.adapters.media.probe import inspect_video

        return await self._read(source, inspect_video, self._thumbnail_width)

    async def _read(self, source: MediaSource, function: Callable[..., T], *args: Any) -> T:
        """`function(path, *args)` in a thread: one hop when the source is already a file on this
        machine (finding it and decoding it together), else after spooling it to a temporary file."""

        def at_once() -> tuple[bool, T | None]:
            path = direct_path(source)
            return (False, None) if path is None else (True, function(path, *args))

        done, result = await asyncio.to_thread(at_once)
        if done:
            return result  # type: ignore[return-value]
        async with local_file(source, self._temp_dir) as path:
            return await asyncio.to_thread(function, path, *args)
