"""In-memory, scripted adapters for every driven port, with fault injection and a fake clock.
Shipped in the package so that users' own test suites can run the whole pipeline offline."""

from videoforge.adapters.fakes.assets import InMemoryAssetLibrary
from videoforge.adapters.fakes.callbacks import InMemoryCallbackDeliveries
from videoforge.adapters.fakes.clock import FakeClock
from videoforge.adapters.fakes.faults import FaultInjector
from videoforge.adapters.fakes.jobs import InMemoryJobRepository
from videoforge.adapters.fakes.media import FakeMediaProbe, fake_audio, fake_image, fake_media, fake_video
from videoforge.adapters.fakes.plans import InMemoryPlanBook
from videoforge.adapters.fakes.provider import FakeVideoProvider, FakeVideoProviderWithHistory, Outcome
from videoforge.adapters.fakes.quota import InMemoryQuotaGuard
from videoforge.adapters.fakes.storage import InMemoryStorage
from videoforge.adapters.fakes.uploads import InMemoryUploadRegistry
from videoforge.adapters.fakes.usage import InMemoryUsageMeter

__all__ = [
    "FakeClock", "FakeMediaProbe", "FakeVideoProvider", "FakeVideoProviderWithHistory", "FaultInjector",
    "InMemoryAssetLibrary",
    "InMemoryCallbackDeliveries", "InMemoryJobRepository", "InMemoryPlanBook", "InMemoryQuotaGuard",
    "InMemoryStorage", "InMemoryUploadRegistry", "InMemoryUsageMeter", "Outcome",
    "fake_audio", "fake_image", "fake_media", "fake_video",
]
