"""The console script imports what a command needs when it runs: the modules each command leaves
in `sys.modules`, read in a fresh interpreter (startup times are in BENCHMARKS.md, not here)."""

import json
import subprocess
import sys

import pytest

WEB = {"fastapi", "starlette", "uvicorn"}
DATABASE = {"sqlalchemy", "alembic", "aiosqlite", "asyncpg"}
MEDIA = {"av", "PIL"}

RUN = """
import json, sys
from videoforge.bootstrap.cli import main
sys.argv = ["videoforge", *json.loads(sys.argv[1])]
try:
    main()
except SystemExit:
    pass
print(json.dumps(sorted({name.split(".")[0] for name in sys.modules})), file=sys.stderr)
"""


def imported_by(args: list[str], tmp_path, **env: str) -> set[str]:
    environment = {"PATH": "/usr/bin:/bin", "VIDEOFORGE_DATA_DIR": str(tmp_path), **env}
    done = subprocess.run([sys.executable, "-c", RUN, json.dumps(args)], env=environment, capture_output=True,
                          text=True, timeout=60, check=False)
    return set(json.loads(done.stderr.strip().splitlines()[-1]))


@pytest.mark.parametrize("args", [["--help"], ["jobs", "--help"], ["generate", "--help"]])
def test_help_imports_no_container_database_media_or_web_framework(args, tmp_path):
    imported = imported_by(args, tmp_path)
    assert "videoforge" in imported
    assert not imported & (WEB | DATABASE | MEDIA | {"dependency_injector", "httpx", "pydantic_settings",
                                                     "opentelemetry"})


def test_models_imports_no_database_media_or_web_framework(tmp_path):
    imported = imported_by(["models", "--json"], tmp_path)  # the default backend: an embedded SQLite file
    assert "dependency_injector" in imported  # it did open the container
    assert not imported & (WEB | DATABASE | MEDIA | {"opentelemetry"})  # tracing is off: not even its API
    assert not (tmp_path / "videoforge.db").exists()


def test_estimate_imports_no_media_or_web_framework(tmp_path):
    # It reads the user's quota, so on the sql backend it opens the database.
    imported = imported_by(["estimate", "--prompt", "a lighthouse", "--duration", "5", "--json"], tmp_path)
    assert "sqlalchemy" in imported
    assert not imported & (WEB | MEDIA)
    on_memory = imported_by(["estimate", "--prompt", "a lighthouse", "--duration", "5", "--json"], tmp_path,
                            VIDEOFORGE_BACKEND="memory")
    assert not on_memory & (WEB | DATABASE | MEDIA)


def test_serve_still_finds_fastapi_after_the_container_was_imported(tmp_path):
    code = """
import asyncio, sys
from videoforge.bootstrap.cli import open_use_cases
async def main():
    async with open_use_cases() as uc:
        await uc.list_models()(None)
asyncio.run(main())
from videoforge.bootstrap.http import build_app
import fastapi
print("ok", "fastapi" in sys.modules)
"""
    done = subprocess.run([sys.executable, "-c", code], env={"PATH": "/usr/bin:/bin", "VIDEOFORGE_DATA_DIR":
                          str(tmp_path)}, capture_output=True, text=True, timeout=60, check=False)
    assert done.stdout.strip() == "ok True", done.stderr
