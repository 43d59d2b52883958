import mimetypes
from pathlib import Path
from typing import Any

from videoforge.domain import InvalidRequestError, MediaInput, MediaKind, OperationType, VideoRequest
from videoforge.domain.media import sniff_content_type


def build_request(operation: str | None, user: str, prompt: str | None, image: Path | None, audio: Path | None,
                  video: Path | None, *, assets: dict[str, MediaInput] | None = None, **fields: Any) -> VideoRequest:
    """Everything the user typed, checked before anything is opened or reserved. `assets` are
    inputs taken from the user's library (they become the new video's parents)."""
    inputs = {kind.value: media_file(kind, path) for kind, path in
              ((MediaKind.IMAGE, image), (MediaKind.AUDIO, audio), (MediaKind.VIDEO, video)) if path is not None}
    inputs |= assets or {}
    op = OperationType.parse(operation) if operation else infer_operation(inputs, fields.get("duration"))
    fields = {"source_module": "cli", **{k: v for k, v in fields.items() if v is not None}}
    return VideoRequest(operation=op, user_id=user, prompt=prompt, **inputs, **fields)


def parse_options(pairs: list[str] | None) -> dict[str, Any]:
    """`--option name=value` pairs: true/false become booleans; the catalog types the rest."""
    options: dict[str, Any] = {}
    for pair in pairs or ():
        name, sep, value = pair.partition("=")
        if not sep or not name.strip():
            raise InvalidRequestError("option", "write it as name=value", value=pair)
        lowered = value.strip().lower()
        options[name.strip()] = {"true": True, "false": False}.get(lowered, value.strip())
    return options


def infer_operation(inputs: dict[str, MediaInput], duration: int | None) -> OperationType:
    if "audio" in inputs and "image" in inputs:
        return OperationType.AVATAR
    if "video" in inputs:
        return OperationType.EXTEND if duration else OperationType.ENHANCE
    if "image" in inputs:
        return OperationType.IMAGE_TO_VIDEO
    return OperationType.TEXT_TO_VIDEO


def media_file(kind: MediaKind, path: Path) -> MediaInput:
    if not path.is_file():
        raise InvalidRequestError(kind.value, f"no such file: {path}", value=str(path))
    size = path.stat().st_size
    if size == 0:
        raise InvalidRequestError(kind.value, f"the file is empty: {path}", value=str(path))
    with path.open("rb") as f:
        head = f.read(64)
    by_name = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    return MediaInput.from_path(kind, str(path.resolve()), sniff_content_type(head, by_name), size)
