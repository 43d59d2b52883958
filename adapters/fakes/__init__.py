"""In-memory, scripted adapters for every driven port, with fault injection and a fake clock.
Shipped in the package so that users' own test suites can run the whole pipeline offline."""

from adapters.fakes.assets import InMemoryAssetLibrary
from adapters.fakes.clock import FakeClock
from adapters.fakes.faults import FaultInjector
from adapters.fakes.jobs import InMemoryJobRepository
from adapters.fakes.media import FakeMediaProbe, fake_audio, fake_image, fake_media, fake_video
from adapters.fakes.provider import FakeVideoProvider, Outcome
from adapters.fakes.quota import InMemoryQuotaGuard
from adapters.fakes.storage import InMemoryStorage
from adapters.fakes.usage import InMemoryUsageMeter

__all__ = [
    "FakeClock", "FakeMediaProbe", "FakeVideoProvider", "FaultInjector", "InMemoryAssetLibrary",
    "InMemoryJobRepository", "InMemoryQuotaGuard", "InMemoryStorage", "InMemoryUsageMeter", "Outcome",
    "fake_audio", "fake_image", "fake_media", "fake_video",
]
