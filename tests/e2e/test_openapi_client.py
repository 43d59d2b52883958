"""The HTTP contract as a client generator sees it: a bearer security scheme, stable operation
ids, a tag per resource, enums for statuses, operations and resolutions, money as decimal strings,
typed error answers, and a client generated from it that compiles and imports (openapi-python-client)."""

from __future__ import annotations

import compileall
import json
import subprocess
import sys
from pathlib import Path

from fastapi import FastAPI

from videoforge.bootstrap import Settings
from videoforge.bootstrap.http import build_app

EXPECTED_IDS = {"create_job", "list_jobs", "get_job", "cancel_job", "upload", "list_assets", "get_asset",
                "list_plans", "show_plan", "assign_plan"}


def openapi(tmp_path) -> dict:
    app: FastAPI = build_app(Settings(jwt_secret="s" * 40, data_dir=tmp_path, backend="memory"),
                             resume_on_startup=False)
    return app.openapi()


def test_the_document_declares_bearer_auth_ids_tags_and_statuses(tmp_path):
    doc = openapi(tmp_path)
    assert doc["components"]["securitySchemes"]["bearer"] == {
        "type": "http", "scheme": "bearer", "bearerFormat": "JWT",
        "description": "A JWT whose `sub` is the user (HS256 secret or a JWKS URL)"}
    operations = [op for path in doc["paths"].values() for op in path.values()]
    ids = [op["operationId"] for op in operations]
    assert len(ids) == len(set(ids)) and all(i.isidentifier() for i in ids), ids
    assert set(ids) >= EXPECTED_IDS, EXPECTED_IDS - set(ids)
    assert all(op.get("tags") for op in operations)
    create = doc["paths"]["/api/video/jobs"]["post"]
    assert create["security"] == [{"bearer": []}] and create["tags"] == ["jobs"]
    task = doc["components"]["schemas"]["TaskOut"]["properties"]
    assert "unknown_outcome" in task["status"]["enum"]
    state = doc["components"]["schemas"]["JobStatus"]["enum"]
    assert {"pending", "submitting", "processing", "saving", "completed", "failed", "cancelled",
            "unknown_outcome"} <= set(state)


def test_a_generated_client_compiles_and_imports(tmp_path):
    spec = tmp_path / "openapi.json"
    spec.write_text(json.dumps(openapi(tmp_path)))
    generator = Path(sys.executable).with_name("openapi-python-client")
    made = subprocess.run([str(generator), "generate", "--path", str(spec), "--output-path",
                           str(tmp_path / "client"), "--meta", "none"], capture_output=True, text=True, timeout=300)
    assert made.returncode == 0, made.stdout[-2000:] + made.stderr[-2000:]
    package = tmp_path / "client"
    assert compileall.compile_dir(str(package), quiet=1)
    created = (package / "api" / "jobs" / "create_job.py").read_text()
    for typed in ("QuotaErrorOut", "ErrorOut", "TaskCreatedOut"):  # its error answers are typed too
        assert f"{typed}.from_dict" in created, typed
    assert "cost: str" in (package / "models" / "task_result.py").read_text()  # money: a decimal string
    imported = subprocess.run([sys.executable, "-c", "from client.api.jobs import create_job, get_job; "
                               "from client.models import TaskOut, CreateJobIn, ErrorOut, ErrorName, "
                               "OperationType, Resolution; "
                               "assert ErrorName('plans_unavailable') and OperationType('text_to_video'); "
                               "print(create_job.sync_detailed.__name__)"],
                              cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert imported.returncode == 0 and imported.stdout.strip() == "sync_detailed", imported.stderr[-2000:]
