from collections.abc import AsyncIterator
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, UploadFile

from videoforge.adapters.http.schemas import AUTHENTICATED, WITH_BODY, UploadOut, errors
from videoforge.application.use_cases import UseCases
from videoforge.domain import MediaKind

CHUNK = 1024 * 1024


def uploads_router(use_cases: UseCases, User: Any) -> APIRouter:
    """Input files kept for later requests, which refer to them by id."""
    router = APIRouter()

    @router.post("/uploads", response_model=UploadOut, status_code=201,
                 responses=errors(*AUTHENTICATED, *WITH_BODY, 429), summary="Upload an input file")
    async def upload(user_id: User, kind: Annotated[MediaKind, Form()],
                     file: Annotated[UploadFile, File()]) -> UploadOut:
        async def chunks() -> AsyncIterator[bytes]:
            while chunk := await file.read(CHUNK):
                yield chunk

        content_type = file.content_type or "application/octet-stream"
        saved = await use_cases.save_upload()(user_id, kind, chunks(), content_type)
        return UploadOut(upload_id=saved.id, kind=saved.kind.value, content_type=saved.content_type, size=saved.size)

    return router
