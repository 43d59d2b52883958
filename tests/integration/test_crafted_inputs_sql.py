"""The crafted strings of the hardening review against the HTTP API on each real database: what
PostgreSQL cannot store (a NUL anywhere, an idempotency key over 255 characters) is refused with a
422 naming the field on SQLite and PostgreSQL alike, before anything is reserved or saved; a
prompt with a NUL is never accepted to fail later with its reservation held."""

from __future__ import annotations

import httpx
import pytest
from dependency_injector import providers
from sqlalchemy import text

from tests.conftest import settings_for_tests
from tests.unit.test_http_api import SECRET, TEXT_JOB, token
from videoforge.bootstrap import Settings, build_container
from videoforge.bootstrap.http import build_app

NUL = "\x00"


@pytest.fixture
async def sql_api(database, tmp_path):
    container = build_container(settings_for_tests(backend="sql", data_dir=tmp_path, poll_interval=0.001,
                                                   user_plans={f"u{NUL}": "pro", "u1": "pro"}))
    container.sql_engine.override(providers.Object(database.engine()))
    app = build_app(Settings(jwt_secret=SECRET), container, resume_on_startup=False)
    transport = httpx.ASGITransport(app=app)
    client = httpx.AsyncClient(transport=transport, base_url="http://vf.test")
    async with app.router.lifespan_context(app), client:
        client.app = app
        yield client


async def rows(database, table: str) -> int:
    async with database.engine().connect() as conn:
        return (await conn.execute(text(f"SELECT count(*) FROM {table}"))).scalar_one()


CRAFTED = [
    ("/api/video/jobs", {"prompt": f"a{NUL}b"}, "prompt"),
    ("/api/video/jobs", {"negative_prompt": NUL}, "negative_prompt"),
    ("/api/video/jobs", {"idempotency_key": "k" * 256}, "idempotency_key"),
    ("/api/video/jobs", {"idempotency_key": f"k{NUL}"}, "idempotency_key"),
    ("/api/video/jobs", {"model": f"x{NUL}"}, "model"),
    ("/api/video/estimate", {"prompt": f"{NUL}"}, "prompt"),
    ("/api/video/preflight", {"idempotency_key": "k" * 300}, "idempotency_key"),
]


async def test_crafted_strings_are_422_on_every_database(sql_api, database):
    u1 = token("u1")
    for route, change, field in CRAFTED:
        answer = await sql_api.post(route, json=TEXT_JOB | change, headers=u1)
        assert answer.status_code == 422 and answer.json()["field"] == field, (route, field, answer.text)
    for path, field in ((f"/api/video/jobs/a{NUL}", "task_id"), (f"/api/video/assets/a{NUL}", "asset_id"),
                        ("/api/video/jobs/" + "j" * 300, "task_id")):
        answer = await sql_api.get(path.replace(NUL, "%00"), headers=u1)
        assert answer.status_code == 422 and answer.json()["field"] == field, path
    listed = await sql_api.get("/api/video/assets", params={"source_module": f"api{NUL}"}, headers=u1)
    assert listed.status_code == 422 and listed.json()["field"] == "source_module"
    for offset in (2**63, 2**63 + 1, 10**30):
        paged = await sql_api.get("/api/video/jobs", params={"offset": offset}, headers=u1)
        assert paged.status_code == 422 and paged.json()["field"] == "offset"
    nul_user = await sql_api.get("/api/video/jobs", headers=token(f"u{NUL}"))
    assert nul_user.status_code == 401
    assert await rows(database, "video_jobs") == 0 and await rows(database, "quota_reservations") == 0


async def test_the_longest_allowed_strings_are_stored_and_read_back(sql_api, database):
    u1 = token("u1")
    key = "k" * 255
    long = TEXT_JOB | {"idempotency_key": key, "prompt": "p" * 2000}
    created = await sql_api.post("/api/video/jobs", json=long, headers=u1)
    assert created.status_code == 202, created.text
    await sql_api.app.state.runner.wait()
    again = await sql_api.post("/api/video/jobs", json=long, headers=u1)
    assert again.json()["task_id"] == created.json()["task_id"]
    status = (await sql_api.get(f"/api/video/jobs/{created.json()['task_id']}", headers=u1)).json()
    assert status["status"] == "completed", status
