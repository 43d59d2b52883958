"""The driven ports: what the use cases need from the outside world, one file each."""

from videoforge.application.ports.assets import AssetLibrary, AssetLibraryError, AssetNotFoundError
from videoforge.application.ports.clock import Clock
from videoforge.application.ports.dispatch import JobDispatcher
from videoforge.application.ports.jobs import (
    ConcurrentUpdateError,
    DuplicateJobError,
    JobNotFoundError,
    JobRepository,
    JobRepositoryError,
)
from videoforge.application.ports.media import MediaSource
from videoforge.application.ports.observe import RunObserver, RunWatch, Unobserved
from videoforge.application.ports.plans import PlanBook, PlansNotAssignableError, PlanSource, PlanSourceError
from videoforge.application.ports.probe import InvalidMediaError, MediaProbe, MediaProbeError
from videoforge.application.ports.provider import (
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
    SentSubmission,
    SubmissionHistory,
    VideoProvider,
)
from videoforge.application.ports.quota import QuotaGuard, QuotaGuardError, ReservationNotFoundError
from videoforge.application.ports.storage import (
    InvalidKeyError,
    ObjectNotFoundError,
    Storage,
    StorageError,
    StorageLimitError,
)
from videoforge.application.ports.unit_of_work import UnitOfWork
from videoforge.application.ports.uploads import UploadRegistry, UploadRegistryError
from videoforge.application.ports.usage import UsageMeter, UsageMeterError

__all__ = [
    "AssetLibrary", "AssetLibraryError", "AssetNotFoundError", "Clock", "ConcurrentUpdateError",
    "DuplicateJobError", "InsufficientCreditError", "InvalidKeyError", "InvalidMediaError", "JobDispatcher",
    "JobNotFoundError",
    "JobRepository", "JobRepositoryError", "MediaProbe", "MediaProbeError", "MediaSource", "ObjectNotFoundError",
    "PlanBook", "PlanSource", "RunObserver", "RunWatch", "Unobserved", "PlanSourceError", "PlansNotAssignableError",
    "ProviderError", "ProviderOutcomeUnknownError", "ProviderOutput", "ProviderOutputError",
    "ProviderRejectedError", "ProviderState", "ProviderStatus", "ProviderTask", "ProviderUnavailableError",
    "SentSubmission", "SubmissionHistory",
    "QuotaGuard", "QuotaGuardError", "ReservationNotFoundError", "Storage", "StorageError", "StorageLimitError",
    "UnitOfWork", "UploadRegistry", "UploadRegistryError", "UsageMeter", "UsageMeterError", "VideoProvider",
]
