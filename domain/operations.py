from __future__ import annotations

from enum import StrEnum

from videoforge.domain.errors import InvalidRequestError


class OperationType(StrEnum):
    TEXT_TO_VIDEO = "text_to_video"
    IMAGE_TO_VIDEO = "image_to_video"
    AVATAR = "avatar"
    ENHANCE = "enhance"
    EXTEND = "extend"
    EDIT = "edit"  # re-generate a span of a video from a prompt
    FACE_SWAP = "face_swap"
    TRANSLATE = "translate"  # the speech of a video in another language
    REMOVE_BACKGROUND = "remove_background"
    ADD_AUDIO = "add_audio"  # a soundtrack generated for a video

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
    "retake": OperationType.EDIT,
    "video_edit": OperationType.EDIT,
    "swap_face": OperationType.FACE_SWAP,
    "video_face_swap": OperationType.FACE_SWAP,
    "character_swap": OperationType.FACE_SWAP,
    "video_translate": OperationType.TRANSLATE,
    "translation": OperationType.TRANSLATE,
    "background_removal": OperationType.REMOVE_BACKGROUND,
    "background_remover": OperationType.REMOVE_BACKGROUND,
    "video_background_remover": OperationType.REMOVE_BACKGROUND,
    "foley": OperationType.ADD_AUDIO,
    "add_audio_to_video": OperationType.ADD_AUDIO,
}
