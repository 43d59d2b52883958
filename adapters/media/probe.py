from __future__ import annotations

import asyncio
import io
import os
from pathlib import Path

import av
import av.error
from PIL import Image, UnidentifiedImageError

from videoforge.application.ports.media import MediaSource
from videoforge.application.ports.probe import InvalidMediaError, MediaProbe
from videoforge.application.sources import local_file
from videoforge.domain.media import MediaInfo, MediaKind

# Demuxers that read a single still picture: their "video" is an image.
_IMAGE_DEMUXERS = ("image2", "_pipe", "apng", "gif", "webp")
_IMAGE_FORMATS = ("PNG", "JPEG", "WEBP", "GIF", "BMP", "TIFF")


class PyAVMediaProbe(MediaProbe):
    """Probes media with FFmpeg through PyAV (videos, audio) and Pillow (images).

    Each probe opens the file and decodes its first frame, so a file is accepted only when it
    really decodes as the expected kind. Sources without a file on disk are streamed into a
    temporary file in `temp_dir` first. Decoding runs in a thread, off the event loop.
    """

    def __init__(self, temp_dir: str | os.PathLike[str] | None = None, thumbnail_width: int = 640,
                 max_image_pixels: int = 25_000_000):
        self._temp_dir = temp_dir
        self._thumbnail_width = thumbnail_width
        self._max_pixels = max_image_pixels

    async def probe(self, source: MediaSource, expected: MediaKind) -> MediaInfo:
        async with local_file(source, self._temp_dir) as path:
            return await asyncio.to_thread(probe_file, path, expected, self._max_pixels)

    async def thumbnail(self, source: MediaSource) -> bytes:
        async with local_file(source, self._temp_dir) as path:
            return await asyncio.to_thread(poster_frame, path, self._thumbnail_width)


def probe_file(path: Path, expected: MediaKind, max_pixels: int = 25_000_000) -> MediaInfo:
    """What the file at `path` is, when it is decodable `expected` media; else InvalidMediaError.
    An image larger than `max_pixels` by its header is refused before a pixel is decoded."""
    if expected is MediaKind.IMAGE:
        return _probe_image(path, max_pixels)
    try:
        with av.open(str(path)) as container:
            if expected is MediaKind.VIDEO:
                return _probe_video(container)
            return _probe_audio(container)
    except av.error.FFmpegError as e:
        raise InvalidMediaError(f"not a decodable {expected.value} file: {_reason(e)}") from e


def _probe_image(path: Path, max_pixels: int) -> MediaInfo:
    try:
        with Image.open(path) as image:  # reads the header only
            fmt = image.format or "unknown"
            if fmt not in _IMAGE_FORMATS:
                raise InvalidMediaError(f"{fmt} images are not supported (allowed: {', '.join(_IMAGE_FORMATS)})")
            if image.width * image.height > max_pixels:
                raise InvalidMediaError(f"the image is {image.width}x{image.height} pixels by its header, more than "
                                        f"the {max_pixels} any model takes; nothing was decoded")
            image.load()  # decodes every pixel: a truncated file fails here
            return MediaInfo(MediaKind.IMAGE, width=image.width, height=image.height, codec=fmt.lower())
    except UnidentifiedImageError as e:
        raise InvalidMediaError("not an image file (PNG, JPEG or WebP expected)") from e
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombError) as e:
        raise InvalidMediaError(f"not a decodable image: {e}") from e


def _is_still_image(container: av.container.InputContainer) -> bool:
    name = container.format.name
    return any(name == d or name.endswith(d) for d in _IMAGE_DEMUXERS)


def _video_streams(container: av.container.InputContainer) -> list:
    # An attached picture (the cover art of an MP3) is not a video.
    return [s for s in container.streams.video if not s.disposition & av.stream.Disposition.attached_pic]


def _duration(container: av.container.InputContainer, stream) -> float | None:
    if container.duration is not None and container.duration > 0:
        return container.duration / av.time_base
    if stream.duration is not None and stream.time_base is not None and stream.duration > 0:
        return float(stream.duration * stream.time_base)
    return None


def _probe_video(container: av.container.InputContainer) -> MediaInfo:
    if _is_still_image(container):
        raise InvalidMediaError("this is a still image, not a video")
    streams = _video_streams(container)
    if not streams:
        kind = "an audio file" if container.streams.audio else "a file without pictures"
        raise InvalidMediaError(f"this is {kind}, not a video")
    stream = streams[0]
    first = next(container.decode(stream), None)
    if first is None:
        raise InvalidMediaError("the video has no decodable frame")
    duration = _duration(container, stream)
    if duration is None:
        raise InvalidMediaError("the video's length cannot be read")
    rate = stream.average_rate or stream.guessed_rate
    return MediaInfo(MediaKind.VIDEO, duration=duration, width=first.width, height=first.height,
                     fps=float(rate) if rate else None, codec=stream.codec_context.name,
                     has_audio=bool(container.streams.audio))


def _probe_audio(container: av.container.InputContainer) -> MediaInfo:
    if _video_streams(container) and not _is_still_image(container):
        raise InvalidMediaError("this is a video, not an audio file")
    if not container.streams.audio:
        what = "an image" if _is_still_image(container) else "a file without sound"
        raise InvalidMediaError(f"this is {what}, not an audio file")
    stream = container.streams.audio[0]
    if next(container.decode(stream), None) is None:
        raise InvalidMediaError("the audio has no decodable sound")
    duration = _duration(container, stream)
    if duration is None:
        raise InvalidMediaError("the audio's length cannot be read")
    return MediaInfo(MediaKind.AUDIO, duration=duration, codec=stream.codec_context.name, has_audio=True)


def poster_frame(path: Path, width: int, at: float = 1.0) -> bytes:
    """A JPEG of the frame at `at` seconds (or at a quarter of a shorter video)."""
    try:
        with av.open(str(path)) as container:
            info = _probe_video(container)
            target = min(at, (info.duration or 0) / 4)
            container.seek(0)
            frame = None
            for frame in container.decode(_video_streams(container)[0]):
                if frame.time is None or frame.time >= target:
                    break
            if frame is None:
                raise InvalidMediaError("the video has no decodable frame")
            image = frame.to_image()
    except av.error.FFmpegError as e:
        raise InvalidMediaError(f"not a decodable video: {_reason(e)}") from e
    if image.width > width:
        image = image.resize((width, max(2, round(image.height * width / image.width))), Image.Resampling.LANCZOS)
    out = io.BytesIO()
    image.convert("RGB").save(out, "JPEG", quality=85)
    return out.getvalue()


def _reason(error: av.error.FFmpegError) -> str:
    return error.strerror or str(error)
