"""Signed links to the caller's files, and the files behind them (for `<video>` and `<img>`,
which cannot send a bearer token): `POST /assets/links` mints them for the caller's own assets,
`GET /media/{asset_id}/{file}?token=...` serves them, byte ranges included."""

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Header, Query
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, Field

from videoforge.adapters.http.media_links import MediaLinks
from videoforge.adapters.http.routes.assets import file_response
from videoforge.adapters.http.schemas import AUTHENTICATED, WITH_BODY, errors
from videoforge.application.use_cases import UseCases

MAX_LINKS = 100


class MediaLinksIn(BaseModel):
    asset_ids: list[str] = Field(min_length=1, max_length=MAX_LINKS, description="your assets' ids")


class MediaLinkOut(BaseModel):
    asset_id: str
    video_url: str
    thumbnail_url: str | None


class MediaLinksOut(BaseModel):
    expires_at: float = Field(description="when the links stop working, seconds since the epoch")
    links: list[MediaLinkOut]


def media_router(use_cases: UseCases, links: MediaLinks, User: Any) -> APIRouter:
    router = APIRouter()

    @router.post("/assets/links", response_model=MediaLinksOut, tags=["assets"],
                 responses=errors(*AUTHENTICATED, *WITH_BODY, 404),
                 summary="Short-lived links to your assets' video and thumbnail (for <video> and <img>)")
    async def asset_links(body: MediaLinksIn, user_id: User) -> MediaLinksOut:
        minted: list[MediaLinkOut] = []
        expires = 0.0
        for asset_id in dict.fromkeys(body.asset_ids):
            asset = await use_cases.get_asset()(asset_id, user_id)
            video = links.link(user_id, asset.id, "video")
            thumb = links.link(user_id, asset.id, "thumbnail").url if asset.thumbnail_key else None
            minted.append(MediaLinkOut(asset_id=asset.id, video_url=video.url, thumbnail_url=thumb))
            expires = video.expires_at
        return MediaLinksOut(expires_at=expires, links=minted)

    @router.get("/media/{asset_id}/{file}", response_class=StreamingResponse, tags=["assets"],
                responses={200: {"content": {"video/mp4": {}, "image/jpeg": {}}},
                           206: {"description": "the requested byte range"},
                           307: {"description": "a short-lived URL of the object storage (S3)"},
                           **errors(401, 404, 416, 422, 500, 503)},
                summary="A file by a signed link of POST /assets/links (no bearer token); supports Range")
    async def media_file(asset_id: str, file: Literal["video", "thumbnail"],
                         token: Annotated[str | None, Query(description="the link's signed token")] = None,
                         range: Annotated[str | None, Header()] = None):
        user_id = links.owner(token, asset_id, file)
        thumbnail = file == "thumbnail"
        return await file_response(use_cases, asset_id, user_id, None if thumbnail else range, thumbnail=thumbnail)

    return router
