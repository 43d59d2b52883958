from __future__ import annotations

from dataclasses import dataclass

import pytest
from dependency_injector import providers

from videoforge.adapters.fakes import (
    FakeClock,
    FakeMediaProbe,
    FakeVideoProvider,
    InMemoryAssetLibrary,
    InMemoryJobRepository,
    InMemoryQuotaGuard,
    InMemoryStorage,
    InMemoryUsageMeter,
)
from videoforge.bootstrap import Container, Settings, build_container, open_container
from videoforge.domain import DEFAULT_PLANS


@dataclass
class Harness:
    """The container, wired to fakes the test can script and inspect."""

    container: Container
    provider: FakeVideoProvider
    storage: InMemoryStorage
    jobs: InMemoryJobRepository
    assets: InMemoryAssetLibrary
    usage: InMemoryUsageMeter
    quota: InMemoryQuotaGuard
    probe: FakeMediaProbe
    clock: FakeClock

    @property
    def period(self) -> str:
        return self.clock.now().strftime("%Y-%m")

    def videos(self) -> list[str]:
        return [k for k in self.storage.objects if k.startswith("videos/")]


def settings_for_tests(**changes) -> Settings:
    values = {"fake_providers": True, "default_provider": "wavespeed", "poll_interval": 2.0, "poll_deadline": 600.0,
              "backend": "memory"}
    return Settings(**(values | changes))


@pytest.fixture
async def harness():
    container = build_container(settings_for_tests())
    clock = FakeClock()
    plans = container.plan_source()  # the in-memory book the admin use cases manage too
    plans.set("u1", DEFAULT_PLANS["pro"])
    h = Harness(container, FakeVideoProvider(), InMemoryStorage(), InMemoryJobRepository(), InMemoryAssetLibrary(),
                InMemoryUsageMeter(), InMemoryQuotaGuard(plans, clock=clock), FakeMediaProbe(), clock)
    container.video_providers.override(providers.Object({"wavespeed": h.provider}))
    container.storage.override(providers.Object(h.storage))
    container.job_repository.override(providers.Object(h.jobs))
    container.asset_library.override(providers.Object(h.assets))
    container.usage_meter.override(providers.Object(h.usage))
    container.quota_guard.override(providers.Object(h.quota))
    container.media_probe.override(providers.Object(h.probe))
    container.clock.override(providers.Object(h.clock))
    async with open_container(container=container):
        yield h


@pytest.fixture(scope="session")
def media_samples(tmp_path_factory) -> dict[str, bytes]:
    """Real media files made with PyAV once per session (see tests/samples.py)."""
    from tests.samples import make_samples  # imports PyAV only for the tests that need real media

    return make_samples(tmp_path_factory.mktemp("samples"))


@pytest.fixture(scope="session")
def wavespeed_server():
    from tests.emulators.wavespeed import WaveSpeedEmulator

    with WaveSpeedEmulator(api_key="ws-emulator-key-5f3a9c") as emulator:
        yield emulator


@pytest.fixture
def wavespeed_emulator(wavespeed_server):
    """The WaveSpeed emulator (one server for the session), reset for each test."""
    wavespeed_server.reset()
    yield wavespeed_server
    wavespeed_server.reset()


@pytest.fixture(scope="session")
def fal_server():
    from tests.emulators.fal import FalEmulator

    with FalEmulator() as emulator:
        yield emulator


@pytest.fixture
def fal_emulator(fal_server):
    """The fal emulator (one server for the session), reset for each test."""
    fal_server.reset()
    yield fal_server
    fal_server.reset()


@pytest.fixture(scope="session")
def s3_server():
    """A real S3-compatible server (moto's server mode) on loopback, for the session, with the
    bucket `videoforge-test`. Without moto installed it skips, saying why, except in CI (fails)."""
    import os

    from tests.s3server import S3Server, moto_available

    if not moto_available():
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail("CI=true but moto[server] is not installed: the S3 storage tests are required in CI")
        pytest.skip("S3 tests skipped: moto[server] is not installed (pip install -e '.[dev]')")
    with S3Server() as server:
        server.create_bucket("videoforge-test")
        yield server


@pytest.fixture
def s3_environment(monkeypatch):
    """The usual AWS_* environment, as a deployment sets it (moto accepts any credentials)."""
    from tests.s3server import CREDENTIALS

    for name, value in CREDENTIALS.items():
        monkeypatch.setenv(name, value)
