"""The renderers of the local provider: plain functions from input files to an H.264 MP4.

Each takes a `Progress` to report the fraction done and to be stopped: `progress(f)` raises
RenderCancelledError once the render was cancelled. Frames are drawn with Pillow and encoded
with FFmpeg's libx264 through PyAV, in yuv420p so that every player plays them.
"""

from __future__ import annotations

import colorsys
import hashlib
import math
import textwrap
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import av
import av.error
from PIL import Image, ImageDraw, ImageFilter, ImageFont, ImageOps, UnidentifiedImageError

FPS = 24
AUDIO_RATE = 48_000
Progress = Callable[[float], None]


class RenderError(Exception):
    """An input cannot be rendered (not decodable, no stream of the needed kind)."""


class RenderCancelledError(Exception):
    pass


@dataclass(frozen=True, slots=True)
class Canvas:
    width: int
    height: int


class _Encoder:
    """An MP4 with one H.264 video stream and, optionally, one AAC audio stream."""

    def __init__(self, path: Path, canvas: Canvas, rate: Fraction | int = FPS, audio: bool = False):
        self._container = av.open(str(path), "w", format="mp4", options={"movflags": "+faststart"})
        self.rate = Fraction(rate)
        self._video = self._container.add_stream("libx264", rate=self.rate)
        self._video.width, self._video.height = canvas.width, canvas.height
        self._video.pix_fmt = "yuv420p"
        self._video.options = {"preset": "veryfast", "crf": "23"}
        self._audio = self._container.add_stream("aac", rate=AUDIO_RATE, layout="stereo") if audio else None
        self._resampler = av.AudioResampler(format="fltp", layout="stereo", rate=AUDIO_RATE) if audio else None
        self.frames = 0

    def image(self, image: Image.Image) -> None:
        self.frame(av.VideoFrame.from_image(image))

    def frame(self, frame: av.VideoFrame) -> None:
        frame = frame.reformat(format="yuv420p")
        frame.pts, frame.time_base = self.frames, 1 / self.rate
        self.frames += 1
        self._container.mux(self._video.encode(frame))

    def sound(self, frame: av.AudioFrame) -> None:
        frame.pts = None
        for resampled in self._resampler.resample(frame):
            self._container.mux(self._audio.encode(resampled))

    @property
    def seconds(self) -> float:
        return self.frames / self.rate

    def close(self) -> None:
        self._container.mux(self._video.encode(None))
        if self._audio is not None:
            for resampled in self._resampler.resample(None):
                self._container.mux(self._audio.encode(resampled))
            self._container.mux(self._audio.encode(None))
        self._container.close()

    def abort(self) -> None:
        self._container.close()


def _encoding(path: Path, canvas: Canvas, render: Callable[[_Encoder], None], *, rate: Fraction | int = FPS,
              audio: bool = False) -> None:
    try:
        encoder = _Encoder(path, canvas, rate, audio)
    except av.error.FFmpegError as e:
        raise RenderError(f"cannot start the encoder: {e}") from e
    try:
        render(encoder)
    except BaseException:
        encoder.abort()
        path.unlink(missing_ok=True)
        raise
    encoder.close()


def _font(size: int) -> ImageFont.ImageFont | ImageFont.FreeTypeFont:
    return ImageFont.load_default(size=size)


def _palette(seed: int) -> tuple[tuple[int, int, int], tuple[int, int, int]]:
    hue = (seed % 360) / 360
    dark = colorsys.hsv_to_rgb(hue, 0.65, 0.22)
    light = colorsys.hsv_to_rgb((hue + 0.12) % 1, 0.55, 0.55)
    return tuple(round(c * 255) for c in dark), tuple(round(c * 255) for c in light)


def _gradient(width: int, height: int, top: tuple[int, ...], bottom: tuple[int, ...]) -> Image.Image:
    column = Image.new("RGB", (1, 256))
    for y in range(256):
        t = y / 255
        column.putpixel((0, y), tuple(round(a + (b - a) * t) for a, b in zip(top, bottom, strict=True)))
    return column.resize((width, height), Image.Resampling.BILINEAR)


def _text_layer(canvas: Canvas, text: str, size: int, *, bottom: bool = False) -> Image.Image:
    """White text with a soft shadow, wrapped to the canvas, on a transparent layer."""
    layer = Image.new("RGBA", (canvas.width, canvas.height), (0, 0, 0, 0))
    font = _font(size)
    chars = max(8, int(canvas.width * 0.85 / (size * 0.55)))
    lines = textwrap.wrap(text, chars)[:6] or [""]
    draw = ImageDraw.Draw(layer)
    box = draw.multiline_textbbox((0, 0), "\n".join(lines), font=font, spacing=size // 3, align="center")
    width, height = box[2] - box[0], box[3] - box[1]
    x = (canvas.width - width) / 2
    y = canvas.height - height - canvas.height * 0.08 if bottom else (canvas.height - height) / 2
    shadow = Image.new("RGBA", layer.size, (0, 0, 0, 0))
    ImageDraw.Draw(shadow).multiline_text((x + 2, y + 2), "\n".join(lines), font=font, fill=(0, 0, 0, 180),
                                          spacing=size // 3, align="center")
    layer = Image.alpha_composite(layer, shadow.filter(ImageFilter.GaussianBlur(max(1, size // 12))))
    ImageDraw.Draw(layer).multiline_text((x, y), "\n".join(lines), font=font, fill=(255, 255, 255, 255),
                                         spacing=size // 3, align="center")
    return layer


def _faded(layer: Image.Image, alpha: float) -> Image.Image:
    if alpha >= 1:
        return layer
    faded = layer.copy()
    faded.putalpha(layer.getchannel("A").point(lambda a: round(a * alpha)))
    return faded


def _count(seconds: float, rate: Fraction | int = FPS) -> int:
    return max(1, round(seconds * rate))


def title_card(out: Path, canvas: Canvas, seconds: float, prompt: str, seed: int | None,
               progress: Progress) -> None:
    """The prompt on a slowly drifting gradient, fading in, with a bar showing time passing."""
    if seed is None or seed < 0:
        seed = int.from_bytes(hashlib.sha256(prompt.encode()).digest()[:4], "big")
    dark, light = _palette(seed)
    margin = canvas.width // 5
    background = _gradient(canvas.width + 2 * margin, canvas.height, dark, light).convert("RGBA")
    text = _text_layer(canvas, prompt, max(14, min(canvas.width, canvas.height) // 12))
    total = _count(seconds)

    def render(encoder: _Encoder) -> None:
        for i in range(total):
            progress(i / total)
            t = i / max(1, total - 1)
            offset = round(margin * (1 - math.cos(math.pi * t)))  # eases from the left edge to the right
            frame = background.crop((offset, 0, offset + canvas.width, canvas.height))
            frame = Image.alpha_composite(frame, _faded(text, min(1.0, i / (FPS * 0.6))))
            bar = ImageDraw.Draw(frame)
            bar_height = max(2, canvas.height // 90)
            bar.rectangle((0, canvas.height - bar_height, round(canvas.width * (i + 1) / total), canvas.height),
                          fill=(255, 255, 255, 200))
            encoder.image(frame.convert("RGB"))

    _encoding(out, canvas, render)


def _load_image(path: Path) -> Image.Image:
    try:
        with Image.open(path) as image:
            return ImageOps.exif_transpose(image).convert("RGB")
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError) as e:
        raise RenderError(f"the image cannot be decoded: {e}") from e


def _cover(image: Image.Image, width: int, height: int) -> Image.Image:
    return ImageOps.fit(image, (width, height), Image.Resampling.LANCZOS)


def _contain(image: Image.Image, canvas: Canvas) -> Image.Image:
    """The image whole, centred, on a blurred and darkened copy of itself."""
    backdrop = _cover(image, canvas.width // 8 or 1, canvas.height // 8 or 1).filter(ImageFilter.GaussianBlur(2))
    backdrop = backdrop.resize((canvas.width, canvas.height), Image.Resampling.BILINEAR).point(lambda v: v * 6 // 10)
    fitted = ImageOps.contain(image, (canvas.width, canvas.height), Image.Resampling.LANCZOS)
    backdrop.paste(fitted, ((canvas.width - fitted.width) // 2, (canvas.height - fitted.height) // 2))
    return backdrop


def pan_zoom(out: Path, canvas: Canvas, seconds: float, image_path: Path, caption: str | None,
             progress: Progress) -> None:
    """A slow zoom in (1.0 to 1.15) drifting from left to right over the image; the prompt,
    when there is one, as a caption."""
    zoom = 1.15
    # Sampled once at the largest size the zoom needs; each frame is a sub-pixel crop of it.
    base = _cover(_load_image(image_path), round(canvas.width * zoom), round(canvas.height * zoom))
    caption_layer = _text_layer(canvas, caption, max(12, canvas.height // 18), bottom=True) if caption else None
    total = _count(seconds)

    def render(encoder: _Encoder) -> None:
        for i in range(total):
            progress(i / total)
            t = i / max(1, total - 1)
            scale = zoom / (1 + (zoom - 1) * t)  # the window shrinks: the picture grows
            w, h = base.width / zoom * scale, base.height / zoom * scale
            x = (base.width - w) * (0.25 + 0.5 * t)
            y = (base.height - h) / 2
            frame = base.resize((canvas.width, canvas.height), Image.Resampling.BILINEAR, box=(x, y, x + w, y + h))
            if caption_layer is not None:
                frame = Image.alpha_composite(frame.convert("RGBA"), caption_layer).convert("RGB")
            encoder.image(frame)

    _encoding(out, canvas, render)


def _open_input(path: Path, what: str) -> av.container.InputContainer:
    try:
        return av.open(str(path))
    except av.error.FFmpegError as e:
        raise RenderError(f"the {what} cannot be decoded: {e}") from e


def _audio_frames(container: av.container.InputContainer) -> Iterator[av.AudioFrame]:
    try:
        yield from container.decode(container.streams.audio[0])
    except av.error.FFmpegError as e:
        raise RenderError(f"the audio cannot be decoded: {e}") from e


def still_avatar(out: Path, canvas: Canvas, image_path: Path, audio_path: Path, progress: Progress) -> None:
    """The portrait, breathing slightly, for exactly as long as the audio, with the audio."""
    portrait = _contain(_load_image(image_path), canvas)
    with _open_input(audio_path, "audio") as source:
        if not source.streams.audio:
            raise RenderError("the audio file has no sound")
        stream = source.streams.audio[0]
        if source.duration is not None:
            seconds = source.duration / av.time_base
        elif stream.duration is not None:
            seconds = float(stream.duration * stream.time_base)
        else:
            raise RenderError("the audio's length cannot be read")
        total = _count(seconds)

        def frame_at(i: int) -> Image.Image:
            scale = 1 + 0.015 * (1 - math.cos(2 * math.pi * i / (FPS * 4)))
            w, h = canvas.width / scale, canvas.height / scale
            x, y = (canvas.width - w) / 2, (canvas.height - h) / 2
            return portrait.resize((canvas.width, canvas.height), Image.Resampling.BILINEAR, box=(x, y, x + w, y + h))

        def render(encoder: _Encoder) -> None:
            for sound in _audio_frames(source):
                encoder.sound(sound)
                heard = float(sound.time or 0) + sound.samples / sound.sample_rate
                while encoder.frames < total and encoder.seconds <= heard:
                    progress(encoder.frames / total)
                    encoder.image(frame_at(encoder.frames))
            while encoder.frames < total:
                progress(encoder.frames / total)
                encoder.image(frame_at(encoder.frames))

        _encoding(out, canvas, render, audio=True)


def _fit_frame(frame: av.VideoFrame, canvas: Canvas) -> av.VideoFrame:
    """The frame scaled with Lanczos to fit the canvas, letterboxed when the shapes differ."""
    scale = min(canvas.width / frame.width, canvas.height / frame.height)
    width = min(canvas.width, max(2, round(frame.width * scale / 2) * 2))
    height = min(canvas.height, max(2, round(frame.height * scale / 2) * 2))
    if (width, height) == (canvas.width, canvas.height):
        return frame.reformat(width=width, height=height, format="yuv420p", interpolation="LANCZOS")
    scaled = frame.reformat(width=width, height=height, format="rgb24", interpolation="LANCZOS").to_image()
    board = Image.new("RGB", (canvas.width, canvas.height))
    board.paste(scaled, ((canvas.width - width) // 2, (canvas.height - height) // 2))
    return av.VideoFrame.from_image(board)


def _remake(out: Path, canvas: Canvas, video_path: Path, hold_seconds: float, progress: Progress) -> None:
    """The input video scaled to the canvas (Lanczos), keeping its frame rate and sound, then its
    last frame held for `hold_seconds`."""
    with _open_input(video_path, "video") as source:
        if not source.streams.video:
            raise RenderError("the video has no pictures")
        video = source.streams.video[0]
        rate = video.average_rate or video.guessed_rate or Fraction(FPS)
        if rate > 60:  # a variable-rate file may report a time base, not a frame rate
            rate = Fraction(FPS)
        length = source.duration / av.time_base if source.duration else float((video.duration or 0) * video.time_base)
        total = _count(length, rate) + (_count(hold_seconds, rate) if hold_seconds else 0)
        audio = source.streams.audio[0] if source.streams.audio else None
        streams = [video] + ([audio] if audio is not None else [])

        def render(encoder: _Encoder) -> None:
            last = None
            try:
                for packet in source.demux(*streams):
                    for decoded in packet.decode():
                        if isinstance(decoded, av.AudioFrame):
                            encoder.sound(decoded)
                        else:
                            progress(encoder.frames / total)
                            last = _fit_frame(decoded, canvas)
                            encoder.frame(last)
            except av.error.FFmpegError as e:
                raise RenderError(f"the video cannot be decoded: {e}") from e
            if last is None:
                raise RenderError("the video has no decodable frame")
            for _ in range(_count(hold_seconds, rate) if hold_seconds else 0):
                progress(encoder.frames / total)
                encoder.frame(last)

        _encoding(out, canvas, render, rate=rate, audio=audio is not None)


def upscale(out: Path, canvas: Canvas, video_path: Path, progress: Progress) -> None:
    _remake(out, canvas, video_path, 0, progress)


def hold_extend(out: Path, canvas: Canvas, video_path: Path, seconds: float, progress: Progress) -> None:
    _remake(out, canvas, video_path, seconds, progress)
