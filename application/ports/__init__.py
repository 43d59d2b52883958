"""The driven ports: what the use cases need from the outside world, one file each."""

from application.ports.assets import AssetLibrary, AssetLibraryError, AssetNotFoundError
from application.ports.clock import Clock
from application.ports.jobs import (
    ConcurrentUpdateError,
    DuplicateJobError,
    JobNotFoundError,
    JobRepository,
    JobRepositoryError,
)
from application.ports.media import MediaSource
from application.ports.probe import InvalidMediaError, MediaProbe, MediaProbeError
from application.ports.provider import (
    InsufficientCreditError,
    ProviderError,
    ProviderOutcomeUnknownError,
    ProviderOutput,
    ProviderOutputError,
    ProviderRejectedError,
    ProviderState,
    ProviderStatus,
    ProviderTask,
    ProviderUnavailableError,
    VideoProvider,
)
from application.ports.quota import QuotaGuard, QuotaGuardError, ReservationNotFoundError
from application.ports.storage import InvalidKeyError, ObjectNotFoundError, Storage, StorageError, StorageLimitError
from application.ports.usage import UsageMeter, UsageMeterError

__all__ = [
    "AssetLibrary", "AssetLibraryError", "AssetNotFoundError", "Clock", "ConcurrentUpdateError",
    "DuplicateJobError", "InsufficientCreditError", "InvalidKeyError", "InvalidMediaError", "JobNotFoundError",
    "JobRepository", "JobRepositoryError", "MediaProbe", "MediaProbeError", "MediaSource", "ObjectNotFoundError",
    "ProviderError", "ProviderOutcomeUnknownError", "ProviderOutput", "ProviderOutputError",
    "ProviderRejectedError", "ProviderState", "ProviderStatus", "ProviderTask", "ProviderUnavailableError",
    "QuotaGuard", "QuotaGuardError", "ReservationNotFoundError", "Storage", "StorageError", "StorageLimitError",
    "UsageMeter", "UsageMeterError", "VideoProvider",
]
