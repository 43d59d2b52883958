from __future__ import annotations

import hashlib
import re
from datetime import datetime

_UNSAFE = re.compile(r"[^A-Za-z0-9_-]")


def safe_segment(value: str) -> str:
    """A path segment made from any string (a user id such as `../../etc`): safe characters only,
    with a short hash added whenever something was replaced, so that two ids never share a folder."""
    cleaned = _UNSAFE.sub("_", value)[:64] or "_"
    if cleaned != value:
        cleaned += "-" + hashlib.sha256(value.encode()).hexdigest()[:8]
    return cleaned


def video_key(user_id: str, created_at: datetime, job_id: str) -> str:
    return f"videos/{safe_segment(user_id)}/{created_at:%Y}/{created_at:%m}/{safe_segment(job_id)}.mp4"


def upload_key(user_id: str, upload_id: str) -> str:
    return f"uploads/{safe_segment(user_id)}/{safe_segment(upload_id)}"


def thumbnail_key(user_id: str, created_at: datetime, job_id: str) -> str:
    return f"thumbnails/{safe_segment(user_id)}/{created_at:%Y}/{created_at:%m}/{safe_segment(job_id)}.jpg"


_KEY_SEGMENT = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}$")


def validate_key(key: str) -> str:
    """A storage key is relative, `/`-separated, made of safe segments: no `..`, no absolute path."""
    from videoforge.domain.errors import InvalidRequestError

    if not isinstance(key, str) or not key or len(key) > 512:
        raise InvalidRequestError("key", "must be 1 to 512 characters", value=key)
    if key.startswith("/") or "\\" in key:
        raise InvalidRequestError("key", "must be a relative path with / separators", value=key)
    for segment in key.split("/"):
        if segment in ("", ".", "..") or not _KEY_SEGMENT.match(segment):
            raise InvalidRequestError(
                "key", f"segment {segment!r} is not allowed (letters, digits, . _ -; not starting with .)",
                value=key)
    return key
