"""Uploads: input files a user keeps for later requests, counted against their plan
(`Plan.admit_upload`) and deleted once unused for a while (`UploadRecord.unused_since`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from videoforge.domain.media import MediaKind


@dataclass(frozen=True, slots=True)
class UploadRecord:
    """One kept upload: whose, what, where it is stored, and when a request last used it.
    `expiring`: claimed for deletion (its file is being removed): no request may use it any more."""

    id: str
    user_id: str
    kind: MediaKind
    content_type: str
    size: int
    key: str
    created_at: datetime
    last_used_at: datetime
    expiring: bool = False

    def unused_since(self, cutoff: datetime) -> bool:
        """Whether no request used it after `cutoff` (now less the time unused uploads are kept)."""
        return self.last_used_at < cutoff
