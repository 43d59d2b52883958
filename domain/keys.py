from __future__ import annotations

import hashlib
import re
from datetime import datetime

_UNSAFE = re.compile(r"[^A-Za-z0-9_-]")
_PREFIX = 40


def safe_segment(value: str) -> str:
    """A path segment made from any string (a user id such as `../../etc`): safe characters only,
    with a short hash added whenever something was replaced. Used for job and upload ids (which
    are already safe); NOT injective for user ids, see `user_segment`."""
    cleaned = _UNSAFE.sub("_", value)[:64] or "_"
    if cleaned != value:
        cleaned += "-" + hashlib.sha256(value.encode()).hexdigest()[:8]
    return cleaned


def user_segment(user_id: str) -> str:
    """The folder of a user's files: a readable prefix (up to 40 safe characters) and a hash of the
    exact id (64 bits), so that two ids never share a folder, whatever their characters
    (`carol@example.com` and `carol_example_com-e0d47ca1` differ)."""
    prefix = _UNSAFE.sub("_", user_id)[:_PREFIX].lstrip("-") or "_"
    return f"{prefix}.{hashlib.sha256(user_id.encode()).hexdigest()[:16]}"


_LOOKS_HASHED = re.compile(r".*-[0-9a-f]{8}")


def legacy_user_segment(user_id: str) -> str | None:
    """The folder an older release kept this user's uploads in (`safe_segment`), where only this
    user can have written it; None where another id mapped to the same folder could have (an id
    that already looks like `prefix-8hex`), so such a folder is never read for it."""
    segment = safe_segment(user_id)
    return None if segment == user_id and _LOOKS_HASHED.fullmatch(user_id) else segment


def video_key(user_id: str, created_at: datetime, job_id: str) -> str:
    return f"videos/{user_segment(user_id)}/{created_at:%Y}/{created_at:%m}/{safe_segment(job_id)}.mp4"


def upload_key(user_id: str, upload_id: str) -> str:
    return f"uploads/{user_segment(user_id)}/{safe_segment(upload_id)}"


def legacy_upload_key(user_id: str, upload_id: str) -> str | None:
    """Where an older release kept this upload, when only this user can have written there."""
    segment = legacy_user_segment(user_id)
    return None if segment is None else f"uploads/{segment}/{safe_segment(upload_id)}"


def thumbnail_key(user_id: str, created_at: datetime, job_id: str) -> str:
    return f"thumbnails/{user_segment(user_id)}/{created_at:%Y}/{created_at:%m}/{safe_segment(job_id)}.jpg"


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
