import base64
import binascii
from collections.abc import Callable

from videoforge.adapters.http.schemas import CreateJobIn
from videoforge.application.use_cases import LoadInput
from videoforge.domain import InvalidRequestError, MediaInput, MediaKind, VideoRequest
from videoforge.domain.media import sniff_content_type


async def video_request(body: CreateJobIn, user_id: str, load_input: Callable[[], LoadInput]) -> VideoRequest:
    """The caller's request, its inputs given inline (base64), by upload or by one of their assets."""
    inputs: dict[str, MediaInput] = {}
    for kind in MediaKind:
        ref = getattr(body.inputs, kind.value)
        if ref is None:
            continue
        if ref.data_base64 is not None:
            try:
                data = base64.b64decode(ref.data_base64, validate=True)
            except (binascii.Error, ValueError):
                raise InvalidRequestError(f"inputs.{kind.value}.data_base64", "is not valid base64") from None
            inputs[kind.value] = MediaInput.from_bytes(kind, data, ref.content_type or sniff_content_type(data))
        else:
            inputs[kind.value] = await load_input()(user_id, kind, upload_id=ref.upload_id, asset_id=ref.asset_id)
    fields = body.model_dump(exclude={"inputs"}, mode="json")  # the enums as the domain's plain names
    return VideoRequest(user_id=user_id, **fields, **inputs)
