"""The `videoforge` command as a user runs it: a separate process, the embedded SQLite database
and files in a data directory, real video checked by probing it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.emulators.wavespeed import Scenario, emulator_environment
from videoforge.adapters.media.probe import probe_file
from videoforge.domain import MediaKind


def videoforge(data_dir: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("VIDEOFORGE_", "WAVESPEED_"))}
    environment |= {"VIDEOFORGE_DATA_DIR": str(data_dir), "VIDEOFORGE_DEFAULT_PROVIDER": "local",
                    "VIDEOFORGE_USER_PLANS": json.dumps({"demo": "enterprise"})} | (env or {})
    return subprocess.run([sys.executable, "-m", "videoforge.bootstrap.cli", *args], capture_output=True, text=True,
                          env=environment, timeout=120)


def as_json(result: subprocess.CompletedProcess):
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def media_files(data_dir: Path) -> list[Path]:
    root = data_dir / "media"
    return [p for p in root.rglob("*") if p.is_file() and not p.name.startswith(".")] if root.exists() else []


def test_generate_leaves_a_playable_mp4_that_assets_and_usage_show(tmp_path):
    made = as_json(videoforge(tmp_path, "generate", "--user", "demo", "--prompt", "A lighthouse at dawn",
                              "--duration", "3", "--resolution", "480p", "--json"))
    video = tmp_path / "media" / made["path"]
    info = probe_file(video, MediaKind.VIDEO)
    assert abs(info.duration - 3.0) <= 0.1 and (info.width, info.height) == (832, 480) and info.codec == "h264"

    [asset] = as_json(videoforge(tmp_path, "assets", "list", "--user", "demo", "--json"))
    assert asset["id"] == made["asset_id"] and asset["storage_key"] == made["path"]
    usage = as_json(videoforge(tmp_path, "usage", "--user", "demo", "--json"))
    assert (usage["video_calls"], usage["video_cost"], usage["reserved_calls"]) == (1, "0", 0)
    table = videoforge(tmp_path, "assets", "list", "--user", "demo")
    assert table.returncode == 0 and made["asset_id"] in table.stdout


@pytest.mark.parametrize("args,says", [
    (["--image", "MISSING"], "image: no such file"),
    (["--image", "TEXT", "--prompt", "x"], "image:"),
    (["--prompt", "x", "--model", "no-such-model"], "model: unknown model 'no-such-model'"),
    (["--prompt", "x", "--model", "local/title-card", "--duration", "99"], "duration:"),
    (["--prompt", "x", "--user", "../../etc"], "user_id:"),
])
def test_refusals_exit_2_with_one_line_and_write_nothing(tmp_path, args, says):
    text = tmp_path / "notes.txt"
    text.write_text("not an image")
    args = [str(tmp_path / "gone.png") if a == "MISSING" else str(text) if a == "TEXT" else a for a in args]
    result = videoforge(tmp_path, "generate", *([] if "--user" in args else ["--user", "demo"]), *args)
    assert result.returncode == 2, result.stderr
    assert result.stderr.strip().count("\n") == 0 and says in result.stderr and "Traceback" not in result.stderr
    assert media_files(tmp_path) == []
    assert as_json(videoforge(tmp_path, "jobs", "list", "--user", "demo", "--json")) == []
    assert as_json(videoforge(tmp_path, "usage", "--user", "demo", "--json"))["reserved_calls"] == 0


def test_generate_on_wavespeed_against_the_emulator(tmp_path, wavespeed_emulator):
    wavespeed_emulator.real_media = True
    env = emulator_environment(wavespeed_emulator, VIDEOFORGE_DEFAULT_PROVIDER="wavespeed",
                               VIDEOFORGE_USER_PLANS=json.dumps({"demo": "pro"}))
    wavespeed_emulator.script(Scenario.succeed(polls=2))
    made = as_json(videoforge(tmp_path, "generate", "--user", "demo", "--prompt", "a cat", "--model",
                              "hunyuan-video-1.5", "--duration", "5", "--resolution", "480p", "--json", env=env))
    assert wavespeed_emulator.submission_count == 1 and made["cost"] == "0.1"  # 5 s x $0.02 at 480p
    assert probe_file(tmp_path / "media" / made["path"], MediaKind.VIDEO).width == 832
    usage = as_json(videoforge(tmp_path, "usage", "--user", "demo", "--json", env=env))
    assert (usage["video_calls"], usage["video_cost"], usage["reserved_calls"]) == (1, "0.1", 0)

    wavespeed_emulator.script(Scenario.fail(1403, "task failed", polls=1))
    failed = videoforge(tmp_path, "generate", "--user", "demo", "--prompt", "a dog", "--model",
                        "hunyuan-video-1.5", "--json", env=env)
    assert failed.returncode == 1 and json.loads(failed.stdout)["code"] == "provider_task_failed"
    usage = as_json(videoforge(tmp_path, "usage", "--user", "demo", "--json", env=env))
    assert (usage["video_calls"], usage["reserved_calls"]) == (1, 0)  # released, nothing counted
    assert len(media_files(tmp_path)) == 2  # the first video and its thumbnail only
