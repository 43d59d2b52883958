from typing import Annotated, Any

from fastapi import APIRouter, Header, Query
from fastapi.responses import RedirectResponse, StreamingResponse

from videoforge.adapters.http.ranges import parse_range
from videoforge.adapters.http.schemas import AUTHENTICATED, PREFIX, AssetOut, asset_out, errors
from videoforge.application.use_cases import UseCases
from videoforge.domain.text import OFFSET_MAX


def assets_router(use_cases: UseCases, User: Any) -> APIRouter:
    """The caller's video library: its records, and the files themselves (byte ranges on videos)."""
    router = APIRouter()

    @router.get("/assets", response_model=list[AssetOut], responses=errors(*AUTHENTICATED),
                summary="Your video library, newest first")
    async def list_assets(user_id: User, limit: Annotated[int, Query(ge=1, le=200)] = 50,
                          offset: Annotated[int, Query(ge=0, le=OFFSET_MAX)] = 0,
                          source_module: str | None = None) -> list[AssetOut]:
        assets = await use_cases.list_assets()(user_id, limit=limit, offset=offset, source_module=source_module)
        return [asset_out(a, PREFIX) for a in assets]

    @router.get("/assets/{asset_id}", response_model=AssetOut, responses=errors(*AUTHENTICATED, 404))
    async def get_asset(asset_id: str, user_id: User) -> AssetOut:
        return asset_out(await use_cases.get_asset()(asset_id, user_id), PREFIX)

    @router.get("/assets/{asset_id}/video", response_class=StreamingResponse,
                responses={200: {"content": {"video/mp4": {}}}, 206: {"description": "the requested byte range"},
                           307: {"description": "a short-lived URL of the object storage (S3), which answers Range"},
                           **errors(*AUTHENTICATED, 404, 416)}, summary="The video file; supports Range")
    async def video(asset_id: str, user_id: User, range: Annotated[str | None, Header()] = None):
        return await file_response(use_cases, asset_id, user_id, range, thumbnail=False)

    @router.get("/assets/{asset_id}/thumbnail", response_class=StreamingResponse,
                responses={200: {"content": {"image/jpeg": {}}},
                           307: {"description": "a short-lived URL of the object storage (S3)"},
                           **errors(*AUTHENTICATED, 404)})
    async def thumbnail(asset_id: str, user_id: User):
        return await file_response(use_cases, asset_id, user_id, None, thumbnail=True)

    return router


MEDIA_HEADERS = {"X-Content-Type-Options": "nosniff", "Cache-Control": "private"}
"""On every media answer: browsers take the declared type, never guess one (a stored file
cannot be run as HTML), and only the caller's own cache keeps a user's video."""


async def file_response(use_cases: UseCases, asset_id: str, user_id: str, range_header: str | None, *,
                        thumbnail: bool) -> StreamingResponse | RedirectResponse:
    """An asset's video or thumbnail, whole (200) or the one byte range asked for (206), or a
    redirect (307) to a short-lived URL of the object storage, which answers the same Range."""
    asset = await use_cases.get_asset()(asset_id, user_id)
    wanted = parse_range(range_header, asset.file_size) if range_header and not thumbnail else None
    start, end = wanted or (0, None)
    opened = await use_cases.open_asset_file()(asset_id, user_id, thumbnail=thumbnail, start=start, end=end)
    if opened.redirect is not None:
        return RedirectResponse(opened.redirect, status_code=307, headers={"Cache-Control": "private, no-store"})
    headers = {"Accept-Ranges": "bytes", "Content-Length": str(opened.end - opened.start), **MEDIA_HEADERS}
    if wanted is None:
        return StreamingResponse(opened.chunks, media_type=opened.content_type, headers=headers)
    headers["Content-Range"] = f"bytes {opened.start}-{opened.end - 1}/{opened.size}"
    return StreamingResponse(opened.chunks, status_code=206, media_type=opened.content_type, headers=headers)
