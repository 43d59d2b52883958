from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field, replace
from typing import Any

from videoforge.domain.callbacks import CALLBACK_URL_MAX, callback_url
from videoforge.domain.errors import InvalidRequestError
from videoforge.domain.media import MediaInput, MediaKind
from videoforge.domain.operations import OperationType
from videoforge.domain.text import IDEMPOTENCY_KEY_MAX, NAME_MAX, PROMPT_MAX, exact_user_id, storable

# Each text field and the most characters it may hold; prose is trimmed, names and keys are exact.
_TEXT_FIELDS = {"prompt": PROMPT_MAX, "negative_prompt": PROMPT_MAX, "model": NAME_MAX, "resolution": NAME_MAX,
                "aspect_ratio": NAME_MAX, "idempotency_key": IDEMPOTENCY_KEY_MAX, "provider": NAME_MAX}
_TRIMMED = ("prompt", "negative_prompt", "model", "resolution", "aspect_ratio", "provider")
SEED_RANGE = (-1, 2**32 - 1)

# The legacy product's modules: the defaults of its callers (studios, CLI, HTTP API). A host's
# own modules are any short identifier (SOURCE_MODULE_PATTERN), kept and filtered on as given.
SOURCE_MODULES = (
    "video_studio",
    "image_studio",
    "story_writer",
    "podcast_maker",
    "product_marketing",
    "main_video_generation",
    "cli",
    "api",
)
_SOURCE_MODULE = re.compile(r"^[A-Za-z0-9_.-]{1,64}$")

# What each operation needs before any model is looked at.
_REQUIRED_INPUTS: dict[OperationType, tuple[MediaKind, ...]] = {
    OperationType.TEXT_TO_VIDEO: (),
    OperationType.IMAGE_TO_VIDEO: (MediaKind.IMAGE,),
    OperationType.AVATAR: (MediaKind.IMAGE, MediaKind.AUDIO),
    OperationType.ENHANCE: (MediaKind.VIDEO,),
    OperationType.EXTEND: (MediaKind.VIDEO,),
    OperationType.EDIT: (MediaKind.VIDEO,),
    OperationType.FACE_SWAP: (MediaKind.IMAGE, MediaKind.VIDEO),
    OperationType.TRANSLATE: (MediaKind.VIDEO,),
    OperationType.REMOVE_BACKGROUND: (MediaKind.VIDEO,),
    OperationType.ADD_AUDIO: (MediaKind.VIDEO,),
}
_PROMPTED = (OperationType.TEXT_TO_VIDEO, OperationType.EDIT)


@dataclass(frozen=True, slots=True)
class VideoRequest:
    """One request for a video, whoever makes it. Validates itself against its operation;
    the model catalog then validates it against the model (durations, resolutions, limits)."""

    operation: OperationType
    user_id: str
    model: str | None = None
    prompt: str | None = None
    negative_prompt: str | None = None
    duration: int | None = None
    resolution: str | None = None
    aspect_ratio: str | None = None
    seed: int | None = None
    image: MediaInput | None = None
    audio: MediaInput | None = None
    video: MediaInput | None = None
    generate_audio: bool | None = None
    enable_prompt_expansion: bool | None = None
    source_module: str = "main_video_generation"
    idempotency_key: str | None = None
    # The provider asked for by name (`provider=`); None lets the routing rules choose (routing.py).
    provider: str | None = None
    callback_url: str | None = None  # POSTed the task shape when the job ends (domain/callbacks.py)
    # The model's own settings under neutral names (domain/options.py), checked by the catalog.
    options: dict[str, Any] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        set_ = object.__setattr__
        set_(self, "operation", OperationType.parse(self.operation))
        exact_user_id(self.user_id)
        for name, most in _TEXT_FIELDS.items():
            value = getattr(self, name)
            if value is not None:
                storable(name, value, max_chars=most)
                set_(self, name, value.strip() or None if name in _TRIMMED else value or None)
        if self.duration is not None:
            set_(self, "duration", _whole_seconds(self.duration))
        if self.seed is not None and (isinstance(self.seed, bool) or not isinstance(self.seed, int)
                                      or not SEED_RANGE[0] <= self.seed <= SEED_RANGE[1]):
            raise InvalidRequestError("seed", f"must be a whole number from {SEED_RANGE[0]} (random) to "
                                              f"{SEED_RANGE[1]}", value=self.seed)
        if not isinstance(self.options, dict) or not all(isinstance(k, str) for k in self.options):
            raise InvalidRequestError("options", "must map option names to values", value=self.options)
        set_(self, "options", {k: v for k, v in self.options.items() if v is not None})
        for name, value in self.options.items():
            storable(f"options.{name}", name, max_chars=NAME_MAX)
            if isinstance(value, str):
                storable(f"options.{name}", value, max_chars=PROMPT_MAX)
        set_(self, "source_module", source_module(self.source_module))
        if self.callback_url is not None:
            storable("callback_url", self.callback_url, max_chars=CALLBACK_URL_MAX)
            set_(self, "callback_url", callback_url(self.callback_url))
        for kind in MediaKind:
            media = self.input(kind)
            if media is not None and media.kind is not kind:
                raise InvalidRequestError(kind.value, f"expects {kind.value} media, got {media.kind.value}")
        if self.operation in _PROMPTED and not self.prompt:
            raise InvalidRequestError("prompt", f"is required for {self.operation.value}")
        for kind in _REQUIRED_INPUTS[self.operation]:
            if self.input(kind) is None:
                raise InvalidRequestError(kind.value, f"is required for {self.operation.value}")

    def input(self, kind: MediaKind) -> MediaInput | None:
        return {MediaKind.IMAGE: self.image, MediaKind.AUDIO: self.audio, MediaKind.VIDEO: self.video}[kind]

    @property
    def inputs(self) -> dict[MediaKind, MediaInput]:
        return {kind: media for kind in MediaKind if (media := self.input(kind)) is not None}

    def fingerprint(self) -> str:
        """Identifies what is asked (not who asks or under which key), to tell a repeated
        request from a different one reusing an idempotency key."""
        parts: list[str] = [self.operation.value]
        for name in ("model", "prompt", "negative_prompt", "duration", "resolution", "aspect_ratio", "seed",
                     "generate_audio", "enable_prompt_expansion"):
            parts.append(f"{name}={getattr(self, name)!r}")
        if self.provider is not None:  # only when named, so fingerprints kept from before stay equal
            parts.append(f"provider={self.provider.lower()!r}")
        parts.extend(f"option.{name}={value!r}" for name, value in sorted(self.options.items()))
        for kind, media in self.inputs.items():
            content = hashlib.sha256(media.data).hexdigest() if media.data is not None else f"{media.path}"
            parts.append(f"{kind.value}={media.size}:{content}")
        return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()

    def with_(self, **changes: Any) -> VideoRequest:
        return replace(self, **changes)

    @property
    def parent_asset_ids(self) -> tuple[str, ...]:
        """The library assets this request's inputs are: the parents of the video it makes."""
        return tuple(dict.fromkeys(m.asset_id for m in self.inputs.values() if m.asset_id))

    @property
    def upload_ids(self) -> tuple[str, ...]:
        """The user's uploads this request's inputs are (never expired while its job is unfinished)."""
        return tuple(dict.fromkeys(m.upload_id for m in self.inputs.values() if m.upload_id))

    @property
    def persistable(self) -> bool:
        return all(media.persistable for media in self.inputs.values())

    @property
    def inputs_not_kept(self) -> tuple[MediaKind, ...]:
        """The inputs given as bytes that did not survive a restart: such a request cannot be sent."""
        return tuple(kind for kind, media in self.inputs.items() if not media.kept)


def source_module(value: Any) -> str:
    """A source module as given: letters, digits, `_`, `-` and `.`, 1 to 64 characters."""
    if not isinstance(value, str) or not _SOURCE_MODULE.match(value):
        raise InvalidRequestError(
            "source_module", "must be 1 to 64 letters, digits, '_', '-' or '.' (for example 'video_studio')",
            value=value)
    return value


def _whole_seconds(value: Any) -> int:
    if isinstance(value, bool):
        raise InvalidRequestError("duration", "must be a whole number of seconds", value=value)
    try:
        number = float(value)
    except (TypeError, ValueError, OverflowError):
        raise InvalidRequestError("duration", "must be a whole number of seconds", value=value) from None
    if not number.is_integer() or number <= 0:
        raise InvalidRequestError("duration", "must be a positive whole number of seconds", value=value)
    return int(number)
