from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


@dataclass(frozen=True, slots=True)
class SentSubmission:
    """A submission as the adapter that sends it can look it up in its provider's task history:
    when it went out and when the answer (or its absence) came, by the provider's clock as far as
    the adapter knows it (recorded before the request leaves: the latest moment the answer can
    come), and `record`, what was sent in the adapter's own terms (opaque to the application and
    the domain; JSON values, kept with the job)."""

    sent_at: datetime
    answered_at: datetime
    record: Mapping[str, Any] = field(default_factory=dict)
