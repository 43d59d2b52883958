"""The pure model of videoforge: requests, the model catalog, prices, jobs and quota rules."""

from videoforge.domain.catalog import GenerationPlan, InputLimit, ModelCatalog, ModelSpec
from videoforge.domain.errors import (
    DomainError,
    IllegalTransitionError,
    InvalidRequestError,
    QuotaExceededError,
    UnknownModelError,
    UnsupportedOperationError,
)
from videoforge.domain.job import ErrorCode, JobError, JobStatus, VideoJob
from videoforge.domain.media import MediaInfo, MediaInput, MediaKind
from videoforge.domain.money import Cost
from videoforge.domain.operations import OperationType
from videoforge.domain.pricing import BilledDuration, Flat, PerBlock, PerSecond
from videoforge.domain.quota import (
    DEFAULT_PLAN,
    DEFAULT_PLANS,
    LEGACY_PLANS,
    Plan,
    PlanCatalog,
    QuotaCheck,
    QuotaUsage,
    Reservation,
    billing_period,
)
from videoforge.domain.records import Asset, StoredObject, UsageRecord, UsageSummary
from videoforge.domain.render import RenderSpec
from videoforge.domain.request import VideoRequest
from videoforge.domain.routing import Routing


def default_catalog() -> ModelCatalog:
    """Every model this build knows, with the published prices."""
    from videoforge.domain.models_fal import FAL_DEFAULTS, FAL_MODELS
    from videoforge.domain.models_local import LOCAL_DEFAULTS, LOCAL_MODELS
    from videoforge.domain.models_wavespeed import WAVESPEED_DEFAULTS, WAVESPEED_MODELS

    return ModelCatalog(WAVESPEED_MODELS + FAL_MODELS + LOCAL_MODELS,
                        WAVESPEED_DEFAULTS | FAL_DEFAULTS | LOCAL_DEFAULTS)


__all__ = [
    "DEFAULT_PLAN", "DEFAULT_PLANS", "Asset", "BilledDuration", "Cost", "DomainError", "ErrorCode", "Flat",
    "GenerationPlan", "IllegalTransitionError", "InputLimit", "InvalidRequestError", "JobError", "JobStatus",
    "MediaInfo", "MediaInput", "MediaKind", "ModelCatalog", "ModelSpec", "OperationType", "PerBlock",
    "LEGACY_PLANS", "PerSecond", "Plan", "PlanCatalog", "QuotaCheck", "QuotaExceededError", "QuotaUsage", "RenderSpec",
    "Reservation", "Routing", "StoredObject",
    "UnknownModelError", "UnsupportedOperationError", "UsageRecord", "UsageSummary", "VideoJob", "VideoRequest",
    "billing_period", "default_catalog",
]
