"""The shipped fakes pass the same contract suites as the real adapters."""

from __future__ import annotations

import pytest

from tests.contracts.assets import AssetLibraryContract
from tests.contracts.callbacks import CallbackDeliveriesContract
from tests.contracts.clock import ClockContract
from tests.contracts.jobs import JobLeaseContract, JobRepositoryContract
from tests.contracts.plans import PlanBookContract, PlanSourceContract
from tests.contracts.probe import MediaProbeContract
from tests.contracts.provider import SubmissionHistoryContract, VideoProviderContract
from tests.contracts.quota import QuotaGuardContract
from tests.contracts.storage import StorageContract
from tests.contracts.uploads import UploadRegistryContract
from tests.contracts.usage import UsageMeterContract
from videoforge.adapters.fakes import (
    FakeClock,
    FakeMediaProbe,
    FakeVideoProvider,
    FakeVideoProviderWithHistory,
    InMemoryAssetLibrary,
    InMemoryJobRepository,
    InMemoryPlanBook,
    InMemoryQuotaGuard,
    InMemoryStorage,
    InMemoryUsageMeter,
    Outcome,
    fake_audio,
    fake_image,
    fake_video,
)
from videoforge.adapters.plans import ResolverPlanSource
from videoforge.adapters.system.clock import SystemClock
from videoforge.application.ports import PlanSourceError
from videoforge.domain import ErrorCode, PlanCatalog


class TestInMemoryStorage(StorageContract):
    @pytest.fixture
    def storage(self):
        return InMemoryStorage(max_bytes=self.cap)


class TestInMemoryJobRepository(JobRepositoryContract):
    @pytest.fixture
    def jobs(self):
        return InMemoryJobRepository()


class TestInMemoryAssetLibrary(AssetLibraryContract):
    @pytest.fixture
    def assets(self):
        return InMemoryAssetLibrary()


class TestInMemoryUsageMeter(UsageMeterContract):
    @pytest.fixture
    def meter(self):
        return InMemoryUsageMeter()


class TestInMemoryQuotaGuard(QuotaGuardContract):
    @pytest.fixture
    def quota_for(self):
        async def make(plan):
            return InMemoryQuotaGuard({"u1": plan})

        return make


class TestFakeVideoProvider(VideoProviderContract):
    @pytest.fixture
    def provider(self):
        return FakeVideoProvider()

    @pytest.fixture
    def model(self):
        return "wavespeed-ai/hunyuan-video-1.5/text-to-video"  # the fake stands in for any provider's model

    @pytest.fixture
    def scenario(self, provider):
        outcomes = {
            "succeed": Outcome.succeed(after_polls=2),
            "moderation": Outcome.fail(ErrorCode.CONTENT_MODERATION, provider_code=1200, message="flagged"),
            "reject": Outcome.reject(),
            "hang": Outcome.hang(),
        }

        def apply(name, task):
            provider.script(outcomes[name])
            return task

        return apply


class TestFakeVideoProviderWithHistory(TestFakeVideoProvider, SubmissionHistoryContract):
    @pytest.fixture
    def provider(self):
        return FakeVideoProviderWithHistory()

    @pytest.fixture
    def unclear(self, provider):
        outcomes = {"created": Outcome.outcome_unknown(created=True, after_polls=2),
                    "not_created": Outcome.outcome_unknown(created=False),
                    "twice": Outcome.outcome_unknown(created=True, twins=1)}
        return lambda kind: provider.script(outcomes[kind])


class TestFakeMediaProbe(MediaProbeContract):
    @pytest.fixture
    def probe(self):
        return FakeMediaProbe()

    @pytest.fixture
    def samples(self):
        return {"video_5s_1280x720": fake_video(5.0, 1280, 720, has_audio=True), "audio_3s": fake_audio(3.0),
                "image_640x480": fake_image(640, 480), "text": b"just some text\n"}


class TestFakeClock(ClockContract):
    @pytest.fixture
    def clock(self):
        return FakeClock()


class TestSystemClock(ClockContract):
    @pytest.fixture
    def clock(self):
        return SystemClock()


class TestInMemoryCallbackDeliveries(CallbackDeliveriesContract):
    @pytest.fixture
    def deliveries(self):
        from videoforge.adapters.fakes import InMemoryCallbackDeliveries

        return InMemoryCallbackDeliveries()


class TestInMemoryPlanBook(PlanBookContract):
    @pytest.fixture
    def book_for(self):
        async def make(plans, default):
            return InMemoryPlanBook(PlanCatalog(tuple(plans), default.name))

        return make


class TestResolverPlanSource(PlanSourceContract):
    """The host's resolver, sync and async, behind the port."""

    @pytest.fixture(params=["sync", "async"])
    def source_for(self, request):
        async def make(assigned, default):
            if request.param == "sync":
                return ResolverPlanSource(lambda user: assigned.get(user, default))

            async def resolve(user):
                return assigned.get(user, default)

            return ResolverPlanSource(resolve)

        return make


async def test_a_failing_or_wrong_resolver_is_a_plan_source_error_naming_it():
    def broken(user):
        raise KeyError(user)

    with pytest.raises(PlanSourceError, match=r"resolver .*broken failed for user u1: KeyError"):
        await ResolverPlanSource(broken).plan_for("u1")
    with pytest.raises(PlanSourceError, match=r"returned str for user u1; it must return a videoforge\.domain\.Plan"):
        await ResolverPlanSource(lambda user: "pro").plan_for("u1")


class TestInMemoryUploadRegistry(UploadRegistryContract):
    @pytest.fixture
    def uploads(self):
        from videoforge.adapters.fakes import InMemoryUploadRegistry

        return InMemoryUploadRegistry()


class TestInMemoryJobLease(JobLeaseContract):
    @pytest.fixture
    def jobs(self):
        from videoforge.adapters.fakes import InMemoryJobRepository

        return InMemoryJobRepository()
