from __future__ import annotations

import asyncio
import os

from videoforge.application.ports.media import MediaSource
from videoforge.application.ports.probe import MediaProbe
from videoforge.application.sources import local_file
from videoforge.domain.media import MediaInfo, MediaKind


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
        async with local_file(source, self._temp_dir) as path:
            from videoforge.adapters.media.probe import probe_file

            return await asyncio.to_thread(probe_file, path, expected, self._max_pixels)

    async def thumbnail(self, source: MediaSource) -> bytes:
        async with local_file(source, self._temp_dir) as path:
            from videoforge.adapters.media.probe import poster_frame

            return await asyncio.to_thread(poster_frame, path, self._thumbnail_width)

    async def inspect_video(self, source: MediaSource) -> tuple[MediaInfo, bytes | None]:
        async with local_file(source, self._temp_dir) as path:
            from videoforge.adapters.media.probe import inspect_video

            return await asyncio.to_thread(inspect_video, path, self._thumbnail_width)
