"""Decoding with FFmpeg through PyAV (videos, audio) and Pillow (images), in the calling thread."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import av
import av.error
from PIL import Image, UnidentifiedImageError

from videoforge.application.ports.probe import InvalidMediaError
from videoforge.domain.media import MediaInfo, MediaKind

# Demuxers that read a single still picture: their "video" is an image.
_IMAGE_DEMUXERS = ("image2", "_pipe", "apng", "gif", "webp")
_IMAGE_FORMATS = ("PNG", "JPEG", "WEBP", "GIF", "BMP", "TIFF")


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
    return _first_picture(container)[0]


def _first_picture(container: av.container.InputContainer) -> tuple[MediaInfo, av.VideoFrame]:
    """The video's description and its first decoded frame (its first keyframe: decoding starts
    there, nothing before it is decoded)."""
    if _is_still_image(container):
        raise InvalidMediaError("this is a still image, not a video")
    streams = _video_streams(container)
    if not streams:
        kind = "an audio file" if container.streams.audio else "a file without pictures"
        raise InvalidMediaError(f"this is {kind}, not a video")
    stream = streams[0]
    # One frame is wanted: decoding it in this thread alone avoids starting FFmpeg's decoder
    # threads (and frame threading's delay of a packet per thread) for a single picture.
    stream.codec_context.thread_type = "NONE"
    stream.codec_context.thread_count = 1
    first = next(container.decode(stream), None)
    if first is None:
        raise InvalidMediaError("the video has no decodable frame")
    duration = _duration(container, stream)
    if duration is None:
        raise InvalidMediaError("the video's length cannot be read")
    rate = stream.average_rate or stream.guessed_rate
    info = MediaInfo(MediaKind.VIDEO, duration=duration, width=first.width, height=first.height,
                     fps=float(rate) if rate else None, codec=stream.codec_context.name,
                     has_audio=bool(container.streams.audio))
    return info, first


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


def poster_frame(path: Path, width: int) -> bytes:
    """A JPEG of the video's first picture, at most `width` pixels wide."""
    poster = inspect_video(path, width)[1]
    if poster is None:
        raise InvalidMediaError("no picture could be made of the video's first frame")
    return poster


def inspect_video(path: Path, width: int) -> tuple[MediaInfo, bytes | None]:
    """The video's description and a JPEG of its first picture, from one opening and one decoded
    frame. The picture is scaled by FFmpeg's own scaler (swscale) to the poster's size and
    encoded by FFmpeg's JPEG encoder. None when the frame cannot be made a picture."""
    try:
        with av.open(str(path)) as container:
            info, frame = _first_picture(container)
            try:
                return info, _jpeg(frame, width)
            except (av.error.FFmpegError, ValueError, OSError):
                return info, None
    except av.error.FFmpegError as e:
        raise InvalidMediaError(f"not a decodable video: {_reason(e)}") from e


def _jpeg(frame: av.VideoFrame, width: int) -> bytes:
    """FFmpeg scales the frame (swscale, straight to full-range YUV) and encodes it (its MJPEG
    encoder, about Pillow's quality 85): half the instructions of an RGB copy and Pillow's
    encoder (`BENCHMARKS.md`)."""
    if frame.width > width:
        size = {"width": width, "height": max(2, 2 * round(frame.height * width / frame.width / 2))}
    else:
        size = {"width": frame.width, "height": frame.height}
    picture = frame.reformat(format="yuvj420p", interpolation="BILINEAR", **size)
    encoder = av.CodecContext.create("mjpeg", "w")
    encoder.width, encoder.height, encoder.pix_fmt = picture.width, picture.height, "yuvj420p"
    encoder.time_base = Fraction(1, 25)
    encoder.qmin = encoder.qmax = 3
    return b"".join(bytes(packet) for packet in [*encoder.encode(picture), *encoder.encode(None)])


def _reason(error: av.error.FFmpegError) -> str:
    return error.strerror or str(error)
