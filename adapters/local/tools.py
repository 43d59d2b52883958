"""The local provider's renderers for the legacy backend's video tools, where a faithful cheap
version exists: `add_audio` (the video with a generated AAC track of its own length), `edit` (a
span re-rendered as a title card of the prompt, the rest kept), `remove_background` (a flat or
near-flat background colour replaced by an image or a solid colour). Each reads the input video
frame by frame with PyAV and writes an H.264 MP4 of the same frame size and rate."""

from __future__ import annotations

import array
import hashlib
import math
from collections.abc import Callable
from fractions import Fraction
from pathlib import Path

import av
import av.error
from PIL import Image, ImageChops, ImageOps

from videoforge.adapters.local.render import (
    AUDIO_RATE,
    FPS,
    Canvas,
    Progress,
    RenderError,
    _cover,
    _Encoder,
    _encoding,
    _gradient,
    _load_image,
    _open_input,
    _palette,
    _text_layer,
)

FrameEdit = Callable[[int, float, Image.Image], Image.Image]  # (index, time, frame) -> frame


def _rework(out: Path, video_path: Path, progress: Progress, edit: FrameEdit | None,
            sound: Callable[[_Encoder, float], None] | None = None, keep_audio: bool = True) -> None:
    """The video frame by frame through `edit`, at its own size and rate; its sound kept (or,
    with `sound`, a new track written for its length)."""
    with _open_input(video_path, "video") as source:
        if not source.streams.video:
            raise RenderError("the video has no pictures")
        video = source.streams.video[0]
        rate = video.average_rate or video.guessed_rate or Fraction(FPS)
        rate = Fraction(FPS) if rate > 60 else rate
        length = source.duration / av.time_base if source.duration else float((video.duration or 0) * video.time_base)
        canvas = Canvas(video.codec_context.width // 2 * 2, video.codec_context.height // 2 * 2)
        total = max(1, round(length * rate))
        audio = source.streams.audio[0] if source.streams.audio and keep_audio and sound is None else None
        streams = [video] + ([audio] if audio is not None else [])

        def render(encoder: _Encoder) -> None:
            try:
                for packet in source.demux(*streams):
                    for decoded in packet.decode():
                        if isinstance(decoded, av.AudioFrame):
                            encoder.sound(decoded)
                            continue
                        progress(min(encoder.frames / total, 0.99))
                        picture = decoded.to_image().convert("RGB").resize((canvas.width, canvas.height))
                        at = encoder.frames / encoder.rate
                        encoder.image(edit(encoder.frames, float(at), picture) if edit else picture)
            except av.error.FFmpegError as e:
                raise RenderError(f"the video cannot be decoded: {e}") from e
            if encoder.frames == 0:
                raise RenderError("the video has no decodable frame")
            if sound is not None:
                sound(encoder, encoder.frames / encoder.rate)

        _encoding(out, canvas, render, rate=rate, audio=audio is not None or sound is not None)


def soundtrack(encoder: _Encoder, seconds: float, seed: str) -> None:
    """A soft two-note chord that swells and fades, exactly `seconds` long, pitched by `seed`."""
    digest = hashlib.sha256(seed.encode()).digest()
    base = 180 + digest[0]  # Hz
    notes = (base, base * 1.5)
    total = round(seconds * AUDIO_RATE)
    block = 1024
    for start in range(0, total, block):
        count = min(block, total - start)
        samples = array.array("h")
        for n in range(start, start + count):
            t = n / AUDIO_RATE
            envelope = 0.5 - 0.5 * math.cos(2 * math.pi * min(t / max(seconds, 0.1), 1.0))
            value = sum(math.sin(2 * math.pi * f * t) for f in notes) / len(notes)
            samples.append(int(9000 * envelope * value))
        frame = av.AudioFrame(format="s16", layout="mono", samples=count)
        frame.sample_rate = AUDIO_RATE
        frame.planes[0].update(samples.tobytes())
        encoder.sound(frame)


def add_audio(out: Path, video_path: Path, prompt: str | None, progress: Progress) -> None:
    """The video unchanged, with a generated AAC track of its length in place of its sound."""
    _rework(out, video_path, progress, None, lambda encoder, seconds: soundtrack(encoder, seconds, prompt or ""))


def retake(out: Path, video_path: Path, prompt: str, start: float | None, end: float | None, seed: int | None,
           progress: Progress) -> None:
    """The span `start`..`end` (all of it when not given) re-rendered as a title card of the
    prompt; the frames around it and the sound kept."""
    cards: dict[tuple[int, int], Image.Image] = {}

    def card(size: tuple[int, int]) -> Image.Image:
        if size not in cards:
            top, bottom = _palette(seed if seed is not None else len(prompt))
            board = _gradient(size[0], size[1], top, bottom).convert("RGBA")
            text = _text_layer(Canvas(*size), prompt, max(14, size[1] // 12))
            cards[size] = Image.alpha_composite(board, text).convert("RGB")
        return cards[size]

    def edit(_: int, at: float, frame: Image.Image) -> Image.Image:
        inside = (start is None or at >= start) and (end is None or at < end)
        return card(frame.size) if inside else frame

    _rework(out, video_path, progress, edit)


def _background_colour(frame: Image.Image) -> tuple[int, int, int]:
    """The median colour of the frame's border: the background of a flat-backdrop shot."""
    w, h = frame.size
    border = [frame.crop(box) for box in ((0, 0, w, 2), (0, h - 2, w, h), (0, 0, 2, h), (w - 2, 0, w, h))]
    raw = b"".join(part.tobytes() for part in border)
    pixels = sorted(tuple(raw[i:i + 3]) for i in range(0, len(raw), 3))
    return pixels[len(pixels) // 2]


def remove_background(out: Path, video_path: Path, background: Path | None, colour: tuple[int, int, int],
                      progress: Progress, tolerance: int = 40) -> None:
    """Pixels near the first frame's border colour replaced by `background` (covering the
    frame) or by `colour`; the sound kept."""
    state: dict[str, object] = {}

    def edit(_: int, __: float, frame: Image.Image) -> Image.Image:
        if "key" not in state:
            state["key"] = _background_colour(frame)
            state["backdrop"] = (_cover(_load_image(background), *frame.size) if background is not None
                                 else Image.new("RGB", frame.size, colour))
        flat = Image.new("RGB", frame.size, state["key"])
        distance = ImageOps.grayscale(ImageChops.difference(frame, flat))
        keep = distance.point(lambda d: 255 if d > tolerance else 0)
        return Image.composite(frame, state["backdrop"], keep)

    _rework(out, video_path, progress, edit)
