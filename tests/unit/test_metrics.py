"""`/metrics` after jobs ran through the HTTP API on the fakes: scraped and parsed with
prometheus_client's own parser."""

from __future__ import annotations

import pytest
from prometheus_client.parser import text_string_to_metric_families

from tests.unit.test_http_api import TEXT_JOB, finish, token
from videoforge.adapters.fakes import Outcome


def samples(text: str) -> dict[tuple[str, tuple], float]:
    return {(s.name, tuple(sorted(s.labels.items()))): s.value
            for family in text_string_to_metric_families(text) for s in family.samples}


async def test_metrics_show_jobs_latencies_money_and_provider_errors(api, harness):
    harness.provider.script(Outcome.succeed(after_polls=2), Outcome.fail(message="no"), Outcome.hang())
    for _ in range(2):
        assert (await api.post("/api/video/jobs", json=TEXT_JOB, headers=token("u1"))).status_code == 202
        await finish(api)
    held = await api.post("/api/video/jobs", json=TEXT_JOB | {"duration": 10}, headers=token("u1"))  # hangs: held

    scraped = await api.get("/metrics")

    assert scraped.status_code == 200 and scraped.headers["content-type"].startswith("text/plain")
    got = samples(scraped.text)
    model = "wavespeed-ai/hunyuan-video-1.5/text-to-video"
    assert got[("videoforge_jobs_finished_total", (("model", model), ("provider", "wavespeed"),
                                                   ("status", "completed")))] == 1
    assert got[("videoforge_jobs_finished_total", (("model", model), ("provider", "wavespeed"),
                                                   ("status", "failed")))] == 1
    for stage, provider, at_least in (("submit", "wavespeed", 2), ("poll", "wavespeed", 3),
                                      ("download", "wavespeed", 1), ("save", "storage", 1)):
        assert got[("videoforge_stage_seconds_count", (("provider", provider), ("stage", stage)))] >= at_least
    assert got[("videoforge_provider_errors_total", (("code", "provider_task_failed"), ("provider", "wavespeed")))] == 1
    assert got[("videoforge_money_reserved_usd_total", ())] == pytest.approx(0.2 + 0.2 + 0.4)
    assert got[("videoforge_money_settled_usd_total", ())] == pytest.approx(0.2)
    assert got[("videoforge_reservations_held", ())] == 1 and got[("videoforge_money_held_usd", ())] == 0.4
    assert held.status_code == 202
