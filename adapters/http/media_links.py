"""Short-lived signed links to one asset's files, for what cannot send an Authorization header:
a browser's `<video>` and `<img>` (the console). A link names the asset and the file (video or
thumbnail) and carries a token signed with this deployment's media-link key (never the caller's
bearer token), valid `ttl` seconds: a capability for that one file, like an object storage's
presigned URL. The file route checks it and then serves exactly what the owner would get
(ranges included), so an expired or altered link, or another asset's, is refused."""

from __future__ import annotations

import secrets
import time
from dataclasses import dataclass
from typing import Literal

import jwt

from videoforge.adapters.http.auth import MIN_SECRET_BYTES, AuthError

File = Literal["video", "thumbnail"]
AUDIENCE = "videoforge-media"
MAX_TOKEN = 2048  # a minted token is about 250 characters


@dataclass(frozen=True, slots=True)
class MediaLink:
    url: str
    expires_at: float  # seconds since the epoch


class MediaLinks:
    """Mints and checks media-link tokens (HS256 JWTs, audience `videoforge-media`: a login token
    is never one, and one is never a login token, whose audience check or key differs). Several API
    processes behind one address need the same `key`; without one, each process makes its own
    and only honours its own links."""

    def __init__(self, key: bytes | None = None, *, ttl: float = 600.0, base: str = "/api/video"):
        if key is not None and len(key) < MIN_SECRET_BYTES:
            raise ValueError(f"a media-link key needs at least {MIN_SECRET_BYTES} bytes, got {len(key)}")
        if ttl <= 0:
            raise ValueError("a media link's lifetime must be positive")
        self._key = key or secrets.token_bytes(32)
        self.ttl = ttl
        self._base = base

    def link(self, user_id: str, asset_id: str, file: File, *, now: float | None = None) -> MediaLink:
        expires = int((time.time() if now is None else now) + self.ttl)
        token = jwt.encode({"sub": user_id, "asset": asset_id, "file": file, "exp": expires, "aud": AUDIENCE},
                           self._key, algorithm="HS256")
        return MediaLink(f"{self._base}/media/{asset_id}/{file}?token={token}", expires)

    def owner(self, token: str | None, asset_id: str, file: File) -> str:
        """The user a valid link to `asset_id`'s `file` was minted for; AuthError otherwise."""
        if not token:
            raise AuthError("a media link needs its token (POST /api/video/assets/links mints them)")
        if len(token) > MAX_TOKEN:
            raise AuthError("this is not a media link's token (too long)")
        try:
            claims = jwt.decode(token, self._key, algorithms=["HS256"], audience=AUDIENCE,
                                options={"require": ["sub", "exp", "aud"]})
        except jwt.PyJWTError as e:
            raise AuthError(f"invalid or expired media link: {e}") from None
        if claims.get("asset") != asset_id or claims.get("file") != file or not isinstance(claims["sub"], str):
            raise AuthError("this media link is for another file")
        return claims["sub"]
