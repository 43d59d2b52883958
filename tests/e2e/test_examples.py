"""Every file under examples/ runs here, as a user would run it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"


def clean_env(**extra: str) -> dict[str, str]:
    """The environment without any videoforge or provider setting of the machine running the tests."""
    keep = {k: v for k, v in os.environ.items() if not k.startswith(("VIDEOFORGE_", "WAVESPEED_", "FAL_", "HF_"))}
    return keep | extra


def test_every_example_is_run_by_a_test():
    here = Path(__file__).read_text() + (ROOT / "tests" / "e2e" / "test_embedding.py").read_text()
    assert [p.name for p in sorted(EXAMPLES.glob("*.py")) if p.name not in here] == []


def test_from_python_renders_a_video_offline(tmp_path):
    result = subprocess.run([sys.executable, str(EXAMPLES / "from_python.py")], cwd=tmp_path, capture_output=True,
                            text=True, timeout=300, env=clean_env(VIDEOFORGE_DEFAULT_PLAN="enterprise"))
    assert result.returncode == 0, result.stderr[-2000:]
    lines = result.stdout.splitlines()
    assert lines[0] == "local local/title-card: $0"
    assert lines[-1].startswith("file://") and "/videos/user-42" in lines[-1] and " $0 " in lines[-1]
    [video] = (tmp_path / "videoforge-data" / "media" / "videos").rglob("*.mp4")
    assert video.read_bytes()[4:8] == b"ftyp"


def test_the_test_with_fakes_example_passes(tmp_path):
    result = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                             str(EXAMPLES / "test_with_fakes.py")], cwd=ROOT, capture_output=True, text=True,
                            timeout=300, env=clean_env(VIDEOFORGE_DATA_DIR=str(tmp_path)))
    assert result.returncode == 0, result.stdout[-3000:]
    assert "2 passed" in result.stdout
