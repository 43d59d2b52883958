"""The API on the fakes for the unit tests: `api` is an httpx client of `build_app` over the
`harness` container (lifespan entered, no resume on start-up; `ops-lead` is an admin subject),
with the app at `api.app`."""

from __future__ import annotations

import httpx
import pytest

from tests.unit.test_http_api import SECRET
from videoforge.bootstrap import Settings
from videoforge.bootstrap.http import build_app


@pytest.fixture
async def api(harness):
    app = build_app(Settings(jwt_secret=SECRET, admin_subjects=["ops-lead"]), harness.container,
                    resume_on_startup=False)
    transport = httpx.ASGITransport(app=app)
    async with app.router.lifespan_context(app), httpx.AsyncClient(transport=transport,
                                                                   base_url="http://videoforge.test") as client:
        client.app = app
        yield client
