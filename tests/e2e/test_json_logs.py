"""VIDEOFORGE_LOG_FORMAT=json as deployed: a real `videoforge serve` (DEBUG level, every secret
set) runs jobs against the WaveSpeed emulator, one succeeding, one refused and one failed with the
API key in the provider's own words; a request carries its token in the query too. Every line it
prints is one JSON object, the job's records name the job and its user, and no secret appears."""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys
import time

import httpx
import jwt

from tests.emulators.wavespeed import Scenario, emulator_environment
from tests.serving import free_port

JWT_SECRET = "json-logs-test-jwt-secret-of-32-bytes!!"
SECRETS = {
    "VIDEOFORGE_JWT_SECRET": JWT_SECRET,
    "VIDEOFORGE_WAVESPEED_WEBHOOK_SECRET": "whsec_" + base64.b64encode(b"wavespeed-webhook-key-0001").decode(),
    "VIDEOFORGE_CALLBACK_SECRET": "whsec_" + base64.b64encode(b"callback-signing-key-0001").decode(),
    "FAL_KEY": "fal-key-id:fal-key-secret-0001",
    "HF_TOKEN": "hf_json_logs_test_token_0001",
    "AWS_SECRET_ACCESS_KEY": "aws-secret-access-key-0001",
}


def token(sub: str) -> str:
    return jwt.encode({"sub": sub, "exp": int(time.time()) + 600}, JWT_SECRET, algorithm="HS256")


def wait_healthy(client: httpx.Client, serve: subprocess.Popen) -> None:
    for _ in range(300):
        try:
            if client.get("/health", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            assert serve.poll() is None, "videoforge serve stopped"
            time.sleep(0.1)
    raise AssertionError("videoforge serve did not start")


def wait_finished(client: httpx.Client, task_id: str, auth: dict[str, str]) -> dict:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        status = client.get(f"/api/video/jobs/{task_id}", headers=auth).json()
        if status["status"] in ("completed", "failed", "cancelled"):
            return status
        time.sleep(0.1)
    raise AssertionError(f"job {task_id} did not finish: {status}")


def test_json_logs_name_the_job_and_hold_no_secret(tmp_path, wavespeed_emulator):
    key = wavespeed_emulator.api_key
    wavespeed_emulator.real_media = True  # the serving process probes its outputs with PyAV
    env = {k: v for k, v in os.environ.items() if not k.startswith(("VIDEOFORGE_", "WAVESPEED_", "AWS_"))}
    env |= emulator_environment(wavespeed_emulator, VIDEOFORGE_DATA_DIR=str(tmp_path), VIDEOFORGE_LOG_FORMAT="json",
                                VIDEOFORGE_LOG_LEVEL="DEBUG", VIDEOFORGE_USER_PLANS='{"alice": "pro"}',
                                VIDEOFORGE_WAVESPEED_READ_TIMEOUT="15") | SECRETS
    wavespeed_emulator.script(Scenario.succeed(), Scenario.reject(400, f"request signed by {key} is malformed"),
                              Scenario.fail(1403, f"worker saw Authorization: Bearer {key}"))
    alice = token("alice")
    auth = {"Authorization": f"Bearer {alice}"}
    job = {"operation": "text-to-video", "prompt": "a kite over the sea", "duration": 5, "resolution": "720p",
           "model": "alibaba/wan-2.5/text-to-video"}
    port, log = free_port(), tmp_path / "serve.log"
    with log.open("w") as out:  # DEBUG says a lot: a file, not a pipe nobody drains until the end
        serve = subprocess.Popen([sys.executable, "-m", "videoforge.bootstrap.cli", "serve", "--port", str(port)],
                                 env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=30) as client:
            wait_healthy(client, serve)
            ids = [client.post("/api/video/jobs", json=job, headers=auth).json()["task_id"] for _ in range(3)]
            finished = [wait_finished(client, task_id, auth)["status"] for task_id in ids]
            # a client that puts its token in the query (as an EventSource must) is logged without it
            assert client.get(f"/api/video/jobs/{ids[0]}?access_token={alice}", headers=auth).status_code == 200
    finally:
        serve.terminate()
        serve.wait(timeout=30)
    assert sorted(finished) == ["completed", "failed", "failed"]
    output = log.read_text()
    lines = [line for line in output.splitlines() if line.strip()]
    entries = [json.loads(line) for line in lines]  # every line is one JSON object
    assert all({"time", "level", "logger", "message"} <= entry.keys() for entry in entries)
    assert any(e["logger"] == "uvicorn.error" and "Uvicorn running" in e["message"] for e in entries)
    assert any(e.get("job_id") == ids[0] and e.get("user") == "alice" for e in entries)
    [access] = [e for e in entries if e["logger"] == "uvicorn.access" and "access_token" in e["message"]]
    assert "access_token=[redacted]" in access["message"]
    for secret in [key, alice, *SECRETS.values()]:
        assert secret not in output, secret
