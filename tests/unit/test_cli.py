"""The `videoforge` command in-process (Typer's runner), on the fake provider and memory backend."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from videoforge.adapters.cli.app import build_cli
from videoforge.adapters.fakes import fake_audio, fake_image, fake_video
from videoforge.bootstrap.cli import open_use_cases


@pytest.fixture
def cli(monkeypatch, tmp_path):
    monkeypatch.setenv("VIDEOFORGE_FAKE_PROVIDERS", "true")
    monkeypatch.setenv("VIDEOFORGE_DEFAULT_PROVIDER", "wavespeed")
    monkeypatch.setenv("VIDEOFORGE_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("VIDEOFORGE_POLL_INTERVAL", "0.001")
    app = build_cli(open_use_cases)
    runner = CliRunner()
    return lambda *args: runner.invoke(app, list(args))


def test_generate_prints_where_the_video_is(cli):
    result = cli("generate", "--prompt", "a heron", "--duration", "5", "--json")
    assert result.exit_code == 0, result.output
    body = json.loads(result.stdout)
    assert body["model"] == "wavespeed-ai/hunyuan-video-1.5/text-to-video" and body["cost"] == "0.2"
    assert body["path"].startswith("videos/cli-user.")
    usage = json.loads(cli("usage", "--json").stdout)
    assert [(v["job_id"], v["cost"], v["billed_seconds"]) for v in usage["videos"]] == [(body["job_id"], "0.2", 5.0)]


def test_a_host_module_is_recorded_on_the_asset(cli):
    assert cli("generate", "--prompt", "a heron", "--source-module", "crm.campaigns").exit_code == 0
    assert [a["source_module"] for a in json.loads(cli("assets", "list", "--json").stdout)] == ["crm.campaigns"]


def test_operation_is_inferred_from_the_inputs(cli, tmp_path):
    face, voice = tmp_path / "face.png", tmp_path / "voice.mp3"
    face.write_bytes(fake_image())
    voice.write_bytes(fake_audio(6.0))
    result = cli("estimate", "--image", str(face), "--audio", str(voice), "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["model"] == "wavespeed-ai/infinitetalk"


@pytest.mark.parametrize("args,says", [
    (["--image", "/no/such/file.png"], "image: no such file"),
    (["--image", "TEXTFILE"], "image: type"),
    (["--prompt", "x", "--model", "no-such-model"], "model: unknown model"),
    (["--prompt", "x", "--model", "hunyuan-video-1.5", "--duration", "7"], "allowed: 5, 8, 10"),
    (["--prompt", "x", "--user", "../../etc"], "user_id:"),
    (["--prompt", "x", "--source-module", "crm campaigns"], "source_module: must be 1 to 64 letters"),
])
def test_user_errors_exit_2_with_one_line(cli, tmp_path, args, says):
    text = tmp_path / "notes.txt"
    text.write_text("just text")
    result = cli("generate", *[str(text) if a == "TEXTFILE" else a for a in args])
    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1 and says in result.stderr and "Traceback" not in result.output
    assert result.stdout == ""


def test_models_table_and_json(cli):
    table = cli("models", "--operation", "avatar")
    assert table.exit_code == 0 and "infinitetalk" in table.stdout
    rows = json.loads(cli("models", "--json").stdout)
    assert {r["operation"] for r in rows} == {"text_to_video", "image_to_video", "avatar", "enhance", "extend",
                                                  "edit", "face_swap", "translate", "remove_background",
                                                  "add_audio"}


def test_unknown_job_is_a_user_error(cli):
    result = cli("jobs", "show", "nope")
    assert result.exit_code == 2 and "no job nope" in result.stderr


def test_usage_and_lists_run(cli):
    assert cli("usage", "--json").exit_code == 0
    assert json.loads(cli("assets", "list", "--json").stdout) == []
    assert json.loads(cli("jobs", "list", "--json").stdout) == []


def test_plans_set_is_seen_by_the_next_request(cli, monkeypatch, tmp_path):
    plans = tmp_path / "plans.json"
    plans.write_text(json.dumps({"plans": {"trial": {"video_calls_limit": 1, "monthly_cost_limit": "1"},
                                           "team": {"video_calls_limit": 5, "monthly_cost_limit": "25.50",
                                                    "concurrent_jobs": 2}}}))
    monkeypatch.setenv("VIDEOFORGE_PLANS_FILE", str(plans))
    monkeypatch.setenv("VIDEOFORGE_DEFAULT_PLAN", "trial")
    listed = json.loads(cli("plans", "list", "--json").stdout)
    assert listed["default"] == "trial" and [p["name"] for p in listed["plans"]] == ["trial", "team"]
    assert listed["plans"][1] == {"name": "team", "video_calls_limit": 5, "monthly_cost_limit": "25.5",
                                  "concurrent_jobs": 2, "upload_count_limit": 0, "upload_bytes_limit": 0}
    assert cli("generate", "--prompt", "a heron", "--user", "ann").exit_code == 0
    refused = cli("generate", "--prompt", "a heron", "--user", "ann")
    assert refused.exit_code == 2 and "Would use 2 of 1 videos" in refused.stderr

    changed = cli("plans", "set", "ann", "team")
    assert changed.exit_code == 0 and "ann: team (assigned): 5 videos and at most $25.5 a month, 2 at a time" in (
        changed.stdout)
    assert cli("generate", "--prompt", "a heron", "--user", "ann").exit_code == 0
    assert json.loads(cli("plans", "show", "ann", "--json").stdout)["assigned"] is True
    assert "bob: trial (default)" in cli("plans", "show", "bob").stdout
    unknown = cli("plans", "set", "ann", "gold")
    assert unknown.exit_code == 2 and "plan: unknown plan 'gold' (allowed: trial, team)" in unknown.stderr
def test_the_new_operations_take_their_options_on_the_command_line(cli, tmp_path):
    clip = tmp_path / "clip.mp4"
    clip.write_bytes(fake_video(6.0))
    result = cli("generate", "--operation", "translate", "--video", str(clip), "--option", "language=Spanish", "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["model"] == "heygen/video-translate"
    refused = cli("estimate", "--operation", "translate", "--video", str(clip), "--option", "language=Klingon")
    assert refused.exit_code == 2 and "language" in refused.stderr and "Spanish" in refused.stderr
    edit = cli("estimate", "--operation", "edit", "--prompt", "a red boat", "--video", str(clip),
               "--option", "start_time=1", "--option", "end_time=4", "--json")
    assert edit.exit_code == 0, edit.output
    assert json.loads(edit.stdout)["cost"] == "0.6"  # 6 s x $0.10
    assert cli("estimate", "--video", str(clip), "--option", "oops").exit_code == 2


def test_an_asset_given_as_input_is_the_new_videos_parent(monkeypatch, tmp_path):
    for name in ("WAVESPEED_API_KEY", "VIDEOFORGE_WAVESPEED_API_KEY", "FAL_KEY", "HF_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("VIDEOFORGE_DATA_DIR", str(tmp_path / "data"))  # the local provider, files, SQLite
    runner, app = CliRunner(), build_cli(open_use_cases)

    def cli(*args: str):
        return runner.invoke(app, list(args))

    made = json.loads(cli("generate", "--prompt", "a heron", "--duration", "1", "--resolution", "360p",
                          "--json").stdout)
    extended = cli("generate", "--video-asset", made["asset_id"], "--duration", "1", "--resolution", "360p",
                   "--json")
    assert extended.exit_code == 0, extended.output
    child = json.loads(cli("assets", "show", json.loads(extended.stdout)["asset_id"], "--json").stdout)
    assert child["parent_asset_ids"] == [made["asset_id"]] and child["operation"] == "extend"
def test_the_first_line_says_provider_model_and_price_before_anything_is_charged(cli):
    result = cli("generate", "--prompt", "a heron", "--duration", "5", "--json")
    assert result.exit_code == 0, result.output
    first = result.stderr.splitlines()[0]
    assert first == "videoforge: wavespeed wavespeed-ai/hunyuan-video-1.5/text-to-video: $0.2 for 5 s at 720p"


def test_version_is_printed():
    from videoforge.bootstrap.cli import build_app

    result = CliRunner().invoke(build_app(), ["--version"])
    assert result.exit_code == 0 and result.stdout.startswith("videoforge 0.")
