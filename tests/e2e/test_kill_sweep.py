"""kill -9 at a bounded set of points over submit, follow and save (issue 11, Done when): a real
`videoforge generate` process against the WaveSpeed emulator (its own process), SQLite and files
in a data directory, killed after each delay in KILL_AFTER; then one `videoforge jobs resume`.
After it: no `.tmp` file is left in the storage, the job was submitted exactly once (a run killed
mid-submission is settled from the provider's history on resume, never left unknown_outcome), and
it completed with its paid output an asset."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from types import SimpleNamespace

import httpx
import pytest

from benchmarks.support import emulator_process
from tests.emulators.wavespeed import emulator_environment

# Where the process is killed: as soon as the job is recorded, once the submission reached the
# provider, while its request is in flight (the provider created the task and never answers),
# while following the task, while the output streams into storage (a .tmp exists).
STAGES = ("recorded", "submitted", "in_flight", "following", "saving")
CLI = [sys.executable, "-m", "videoforge.bootstrap.cli"]


def environment(url: str, data) -> dict[str, str]:
    emulator = SimpleNamespace(api_key="ws-emulator-key", url=url)  # benchmarks.support starts it with this key
    env = {k: v for k, v in os.environ.items() if not k.startswith(("VIDEOFORGE_", "WAVESPEED_"))}
    return env | emulator_environment(emulator, VIDEOFORGE_DATA_DIR=str(data), VIDEOFORGE_POLL_INTERVAL="0.3",
                                      VIDEOFORGE_WAVESPEED_READ_TIMEOUT="10",
                                      VIDEOFORGE_SUBMIT_GRACE="0", VIDEOFORGE_LEFTOVERS_IDLE="0",
                                      VIDEOFORGE_DEFAULT_PLAN="enterprise",
                                      VIDEOFORGE_SAVE_LEASE="2",  # a killed save is taken over after 2 s
                                      VIDEOFORGE_SUBMIT_SETTLE="1")  # an empty history proves "not created" after 1 s


def leftovers(data) -> list[str]:
    return [str(p) for p in (data / "media").rglob("*.tmp")] if (data / "media").exists() else []


def reached(stage: str, url: str, data) -> bool:
    if stage == "saving":
        return bool(leftovers(data))
    if stage == "recorded":
        if not (data / "videoforge.db").exists():
            return False
        try:
            with sqlite3.connect(data / "videoforge.db") as db:
                return bool(db.execute("SELECT count(*) FROM video_jobs").fetchone()[0])
        except sqlite3.Error:
            return False
    stats = httpx.get(url + "/_emulator/stats", timeout=10).json()
    return stats["submissions"] >= 1 if stage in ("submitted", "in_flight") else sum(stats["polls"].values()) >= 2


@pytest.mark.parametrize("stage", STAGES)
def test_a_killed_run_is_finished_by_one_resume_without_double_submission(tmp_path, stage):
    answer = ("--submit", "never_answer") if stage == "in_flight" else ()
    with emulator_process("--polls", "4", "--real-media", "--output-size", str(32 * 1024 * 1024), *answer) as url:
        env = environment(url, tmp_path)
        run = subprocess.Popen([*CLI, "generate", "--user", "u1", "--prompt", "a lighthouse", "--duration", "5",
                                "--model", "wavespeed-ai/hunyuan-video-1.5/text-to-video", "--json"],
                               env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 120
        while run.poll() is None and not reached(stage, url, tmp_path) and time.monotonic() < deadline:
            time.sleep(0.02)
        if run.poll() is None:
            os.kill(run.pid, signal.SIGKILL)
        run.wait(timeout=60)
        if stage == "in_flight":  # killed awaiting the answer: what was sent was recorded before it left
            with sqlite3.connect(tmp_path / "videoforge.db") as db:
                [(status, submission)] = db.execute("SELECT status, submission FROM video_jobs").fetchall()
            assert status == "submitting" and "sent_at" in submission, (status, submission)
        resumed = subprocess.run([*CLI, "jobs", "resume", "--json"], env=env, capture_output=True, text=True,
                                 timeout=300)
        assert resumed.returncode in (0, 1), resumed.stderr
        stats = httpx.get(url + "/_emulator/stats", timeout=10).json()

    assert leftovers(tmp_path) == []
    with sqlite3.connect(tmp_path / "videoforge.db") as db:
        jobs = db.execute("SELECT id, status, provider_job_id FROM video_jobs").fetchall()
        assets = {row[0] for row in db.execute("SELECT job_id FROM content_assets")}
    # Sent exactly once, whatever the kill point: a run killed while its request was in flight is
    # settled from the provider's history (the record of what it sent is kept before it leaves),
    # one killed before it left is submitted by the resume; every job ends with its paid video.
    assert stats["submissions"] == len(jobs) == 1, (stats, jobs)
    [(job_id, status, task_id)] = jobs
    assert status == "completed" and task_id is not None and job_id in assets, (status, task_id)
