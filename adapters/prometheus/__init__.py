"""Prometheus metrics: the pipeline's ports wrapped to count and time what passes through them."""

from videoforge.adapters.prometheus.metrics import (
    MeteredJobs,
    MeteredProvider,
    MeteredQuota,
    MeteredStorage,
    VideoMetrics,
)

__all__ = ["MeteredJobs", "MeteredProvider", "MeteredQuota", "MeteredStorage", "VideoMetrics"]
