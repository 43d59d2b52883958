from __future__ import annotations

from enum import StrEnum

from videoforge.domain.errors import InvalidRequestError


class OperationType(StrEnum):
    TEXT_TO_VIDEO = "text_to_video"
    IMAGE_TO_VIDEO = "image_to_video"
    AVATAR = "avatar"
    ENHANCE = "enhance"
    EXTEND = "extend"

    @classmethod
    def parse(cls, value: str | OperationType) -> OperationType:
        """Accepts our names and the legacy spellings ("text-to-video", "talking-avatar", ...)."""
        if isinstance(value, OperationType):
            return value
        key = str(value).strip().lower().replace("-", "_").replace(" ", "_")
        found = _ALIASES.get(key)
        if found is None:
            raise InvalidRequestError(
                "operation", f"unknown operation {value!r}", value=value, allowed=[op.value for op in cls]
            )
        return found


_ALIASES: dict[str, OperationType] = {op.value: op for op in OperationType} | {
    "t2v": OperationType.TEXT_TO_VIDEO,
    "i2v": OperationType.IMAGE_TO_VIDEO,
    "talking_avatar": OperationType.AVATAR,
    "avatar_video": OperationType.AVATAR,
    "enhancement": OperationType.ENHANCE,
    "enhancement_upscale": OperationType.ENHANCE,
    "upscale": OperationType.ENHANCE,
    "video_extend": OperationType.EXTEND,
    "extension": OperationType.EXTEND,
}
