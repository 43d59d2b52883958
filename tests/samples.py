"""Real media made by PyAV and Pillow in the test session: small, so the suite stays fast."""

from __future__ import annotations

import io
import math
from array import array
from pathlib import Path

import av
from PIL import Image, ImageDraw


def wav(path: Path, seconds: float, rate: int = 16_000) -> Path:
    """A mono 440 Hz tone."""
    with av.open(str(path), "w") as out:
        stream = out.add_stream("pcm_s16le", rate=rate, layout="mono")
        total, step = round(seconds * rate), rate // 10
        for start in range(0, total, step):
            count = min(step, total - start)
            frame = av.AudioFrame(format="s16", layout="mono", samples=count)
            samples = array("h", (round(6000 * math.sin(2 * math.pi * 440 * (start + k) / rate)) for k in range(count)))
            frame.planes[0].update(samples.tobytes())
            frame.sample_rate, frame.pts = rate, start
            out.mux(stream.encode(frame))
        out.mux(stream.encode(None))
    return path


def mp4(path: Path, seconds: float, width: int, height: int, *, fps: int = 24, audio: bool = True) -> Path:
    """H.264 frames with a moving square and a counter, plus an AAC tone when `audio`."""
    with av.open(str(path), "w", format="mp4") as out:
        video = out.add_stream("libx264", rate=fps)
        video.width, video.height, video.pix_fmt = width, height, "yuv420p"
        video.options = {"preset": "ultrafast"}
        sound = out.add_stream("aac", rate=48_000, layout="stereo") if audio else None
        frames = round(seconds * fps)
        if sound is not None:
            tone = wav(path.with_suffix(".tone.wav"), seconds, rate=48_000)
            with av.open(str(tone)) as source:
                resampler = av.AudioResampler(format="fltp", layout="stereo", rate=48_000)
                for decoded in source.decode(audio=0):
                    decoded.pts = None
                    for frame in resampler.resample(decoded):
                        out.mux(sound.encode(frame))
            tone.unlink()
            out.mux(sound.encode(None))
        for i in range(frames):
            image = Image.new("RGB", (width, height), (20, 40 + i % 200, 90))
            side = max(4, height // 5)
            x = (width - side) * i // max(1, frames - 1)
            ImageDraw.Draw(image).rectangle((x, height // 3, x + side, height // 3 + side), fill=(240, 200, 40))
            frame = av.VideoFrame.from_image(image)
            frame.pts = i
            out.mux(video.encode(frame))
        out.mux(video.encode(None))
    return path


def png(width: int, height: int) -> bytes:
    image = Image.new("RGB", (width, height), (200, 120, 60))
    ImageDraw.Draw(image).ellipse((width // 4, height // 4, 3 * width // 4, 3 * height // 4), fill=(30, 60, 160))
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def make_samples(directory: Path) -> dict[str, bytes]:
    """The samples of MediaProbeContract, and a few small ones for the pipeline."""
    directory.mkdir(parents=True, exist_ok=True)
    return {
        "video_5s_1280x720": mp4(directory / "v5.mp4", 5.0, 1280, 720).read_bytes(),
        "video_2s_320x180": mp4(directory / "v2.mp4", 2.0, 320, 180).read_bytes(),
        "video_2s_320x180_silent": mp4(directory / "v2s.mp4", 2.0, 320, 180, audio=False).read_bytes(),
        "audio_3s": wav(directory / "a3.wav", 3.0).read_bytes(),
        "audio_2_5s": wav(directory / "a25.wav", 2.5).read_bytes(),
        "image_640x480": png(640, 480),
        "text": b"just some text, not media\n" * 10,
    }
