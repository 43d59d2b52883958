from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Any

from videoforge.domain.errors import InvalidRequestError, UnknownModelError, UnsupportedOperationError
from videoforge.domain.media import MediaInfo, MediaKind
from videoforge.domain.money import Cost
from videoforge.domain.operations import OperationType
from videoforge.domain.options import ModelOption, Span, check_options, check_times_within
from videoforge.domain.pricing import BilledDuration, PriceRule, rule_from_mapping
from videoforge.domain.render import RenderSpec
from videoforge.domain.request import VideoRequest


class Resolution(StrEnum):
    """Every resolution name a model may offer (each model lists its own; a test holds the catalog to this set)."""

    P360 = "360p"
    P480 = "480p"
    P512 = "512p"
    P540 = "540p"
    P580 = "580p"
    P720 = "720p"
    P1024 = "1024p"
    P1080 = "1080p"
    K2 = "2k"
    K4 = "4k"
    ORIGINAL = "original"  # the input video's own frame: models that keep it say nothing of size


ORIGINAL = Resolution.ORIGINAL.value

# Landscape pixel sizes per resolution name; portrait swaps them.
_DIMENSIONS: dict[str, tuple[int, int]] = {
    "360p": (640, 360),
    "512p": (768, 512),
    "480p": (832, 480),
    "540p": (960, 540),
    "580p": (1032, 580),
    "720p": (1280, 720),
    "1024p": (1536, 1024),
    "1080p": (1920, 1080),
    "2k": (2560, 1440),
    "4k": (3840, 2160),
    ORIGINAL: (0, 0),
}

OPTIONAL_FIELDS = ("negative_prompt", "seed", "generate_audio", "enable_prompt_expansion")


def dimensions(resolution: str, aspect_ratio: str | None) -> tuple[int, int]:
    width, height = _DIMENSIONS[resolution]
    if aspect_ratio == "9:16":
        return height, width
    if aspect_ratio == "1:1":
        return height, height
    return width, height


@dataclass(frozen=True, slots=True)
class InputLimit:
    """What a model accepts for one input: size, content types, for timed media length, and for
    pictures the pixels (width x height, read from the header before anything is decoded)."""

    max_bytes: int
    content_types: tuple[str, ...]
    min_seconds: float | None = None
    max_seconds: float | None = None
    max_pixels: int | None = None

    def accepts_type(self, content_type: str) -> bool:
        base = content_type.split(";", 1)[0].strip().lower()
        return any(base == t or (t.endswith("/*") and base.startswith(t[:-1])) for t in self.content_types)


MB = 1024 * 1024
# The most pixels an input image may have unless a model says otherwise: 25 Mpx (e.g. 5000 x 5000,
# about 100 MB once decoded as RGBA). A decoded image is what costs memory, never its file size.
MAX_IMAGE_PIXELS = 25_000_000
IMAGE = InputLimit(10 * MB, ("image/jpeg", "image/png", "image/webp"), max_pixels=MAX_IMAGE_PIXELS)
AUDIO = InputLimit(15 * MB, ("audio/mpeg", "audio/wav", "audio/x-wav", "audio/wave", "audio/mp3"))
VIDEO = InputLimit(100 * MB, ("video/mp4", "video/quicktime", "video/webm"))


@dataclass(frozen=True, slots=True)
class ModelSpec:
    """Everything known about one model: the only place that does."""

    id: str
    provider: str
    operation: OperationType
    name: str
    price: PriceRule
    billed_from: BilledDuration = BilledDuration.REQUESTED
    aliases: tuple[str, ...] = ()
    durations: tuple[int, ...] = ()
    default_duration: int | None = None
    resolutions: tuple[str, ...] = ("720p",)
    default_resolution: str = "720p"
    aspect_ratios: tuple[str, ...] = ()
    default_aspect_ratio: str | None = None
    # Which of OPTIONAL_FIELDS the model takes; a request's others are ignored (and reported).
    optional_fields: frozenset[str] = frozenset()
    inputs: Mapping[MediaKind, InputLimit] = field(default_factory=dict)
    required_inputs: frozenset[MediaKind] = frozenset()
    prompt_required: bool = False
    max_prompt_chars: int = 2000
    # Model-specific settings under neutral names (domain/options.py), and the edited span they name.
    options: Mapping[str, ModelOption] = field(default_factory=dict)
    span: Span | None = None
    # Whether the model makes sound when not told (set for models priced by it: the plan then
    # always says, so the price and the render agree).
    audio_default: bool | None = None
    verified: bool = False
    source: str = ""
    # The model family across providers ("wan-2.5"): the same model offered by several providers is
    # one spec per provider with one family name, by which a request can name it (see routing.py).
    family: str | None = None

    def estimate(self, resolution: str, billed_seconds: float, with_audio: bool | None = None) -> Cost:
        return self.price.price(resolution, billed_seconds, bool(with_audio))

    def summary(self) -> dict[str, Any]:
        """What callers show of a model (the CLI, the HTTP API, the studios), in plain values."""
        return {"id": self.id, "name": self.name, "provider": self.provider, "operation": self.operation.value,
                "aliases": list(self.aliases), "durations": list(self.durations),
                "resolutions": list(self.resolutions), "aspect_ratios": list(self.aspect_ratios),
                "billed_from": self.billed_from.value, "pricing": self.price.describe(),
                "inputs": [kind.value for kind in self.inputs],
                "options": {name: option.describe() for name, option in self.options.items()},
                "verified": self.verified, "price_verified": self.verified, "source": self.source,
                "family": self.family}


@dataclass(frozen=True, slots=True)
class GenerationPlan:
    """A request checked against its model, with every default filled in."""

    spec: ModelSpec
    request: VideoRequest
    duration: int | None
    resolution: str
    aspect_ratio: str | None
    width: int
    height: int
    ignored: tuple[str, ...] = ()
    options: Mapping[str, Any] = field(default_factory=dict)

    def estimate(self, billed_seconds: float) -> Cost:
        return self.spec.estimate(self.resolution, billed_seconds, self.request.generate_audio)

    def billed_seconds(self, probed: Mapping[MediaKind, MediaInfo]) -> float:
        source = self.spec.billed_from
        if source is BilledDuration.REQUESTED:
            return float(self.duration or 0)
        kind = MediaKind.AUDIO if source is BilledDuration.INPUT_AUDIO else MediaKind.VIDEO
        info = probed.get(kind)
        if info is None or not info.duration:
            raise InvalidRequestError(kind.value, "its length could not be read; it sets the billed duration")
        return info.duration

    def check_probed(self, probed: Mapping[MediaKind, MediaInfo]) -> None:
        """Refuse inputs whose probed length the model does not accept, and times (an edit's
        span) that fall outside the input they refer to."""
        check_times_within(self.spec.options, self.options,
                           {kind: info.duration for kind, info in probed.items()})
        for kind, info in probed.items():
            limit = self.spec.inputs.get(kind)
            if limit is not None and limit.max_pixels and info.width and info.height \
                    and info.width * info.height > limit.max_pixels:
                raise InvalidRequestError(kind.value, f"is {info.width}x{info.height} pixels; {self.spec.id} takes at "
                                          f"most {limit.max_pixels} pixels", value=info.width * info.height)
            if limit is None or info.duration is None:
                continue
            if limit.min_seconds is not None and info.duration < limit.min_seconds:
                raise InvalidRequestError(kind.value, f"is {info.duration:.1f} s long; at least "
                                          f"{limit.min_seconds:g} s is needed", value=info.duration)
            if limit.max_seconds is not None and info.duration > limit.max_seconds:
                raise InvalidRequestError(kind.value, f"is {info.duration:.1f} s long; at most "
                                          f"{limit.max_seconds:g} s is allowed", value=info.duration)

    def render_spec(self) -> RenderSpec:
        """What the provider is to render: the checked values, and of the optional fields only
        those given that the model takes."""
        req, takes = self.request, self.spec.optional_fields

        def option(name: str) -> Any:
            return getattr(req, name) if name in takes else None

        return RenderSpec(
            model=self.spec.id, operation=self.spec.operation, width=self.width, height=self.height,
            resolution=self.resolution, aspect_ratio=self.aspect_ratio, duration=self.duration, prompt=req.prompt,
            negative_prompt=option("negative_prompt"), seed=option("seed"), generate_audio=option("generate_audio"),
            enable_prompt_expansion=option("enable_prompt_expansion"), inputs=tuple(req.inputs),
            options=dict(self.options),
        )


class ModelCatalog:
    """The models we can run, looked up by id or exact alias, and the checks a request must pass."""

    def __init__(self, specs: Iterable[ModelSpec], defaults: Mapping[tuple[str, OperationType], str] | None = None):
        self._specs: dict[str, ModelSpec] = {}
        self._aliases: dict[str, list[str]] = {}
        for spec in specs:
            if spec.id in self._specs:
                raise ValueError(f"model {spec.id} is listed twice")
            self._specs[spec.id] = spec
        for spec in self._specs.values():
            if spec.family and spec.family not in spec.aliases:
                spec = replace(spec, aliases=(*spec.aliases, spec.family))
                self._specs[spec.id] = spec
            for alias in spec.aliases:
                if alias in self._specs:
                    raise ValueError(f"alias {alias} of {spec.id} is a model id")
                self._aliases.setdefault(alias, []).append(spec.id)
        self._defaults = dict(defaults or {})
        for (provider, operation), model_id in self._defaults.items():
            spec = self._specs.get(model_id)
            if spec is None or spec.operation is not operation or spec.provider != provider:
                raise ValueError(f"default {model_id} for {provider}/{operation} is not such a model")

    def __iter__(self):
        return iter(self._specs.values())

    def __len__(self) -> int:
        return len(self._specs)

    def models(self, operation: OperationType | None = None, providers: Iterable[str] | None = None) -> list[ModelSpec]:
        wanted = set(providers) if providers is not None else None
        return [s for s in self._specs.values()
                if (operation is None or s.operation is operation) and (wanted is None or s.provider in wanted)]

    def max_input_pixels(self) -> int:
        """The most pixels any model takes in an input picture (the probe's cap before decoding)."""
        return max((limit.max_pixels for s in self._specs.values() for limit in s.inputs.values()
                    if limit.max_pixels is not None), default=MAX_IMAGE_PIXELS)

    def max_input_bytes(self, kind: MediaKind) -> int:
        """The largest input of `kind` any model takes (the cap for uploads)."""
        return max((s.inputs[kind].max_bytes for s in self._specs.values() if kind in s.inputs), default=0)

    def get(self, model_id: str) -> ModelSpec:
        try:
            return self._specs[model_id]
        except KeyError:
            raise UnknownModelError(model_id, self._specs) from None

    def resolve(self, model: str | None, operation: OperationType, provider: str | None = None) -> ModelSpec:
        """The model named exactly by id or alias; an alias of a family (e.g. "alibaba/wan-2.5")
        picks the family member that does `operation`. No name is ever matched by substring."""
        if model is None:
            key = (provider or "", operation)
            if key not in self._defaults:
                raise InvalidRequestError("model", f"is required: no default model for {operation.value}"
                                          + (f" on {provider}" if provider else ""),
                                          allowed=[s.id for s in self.models(operation)])
            return self._specs[self._defaults[key]]
        if model in self._specs:
            spec = self._specs[model]
        elif model in self._aliases:
            members = [self._specs[i] for i in self._aliases[model]]
            matching = [s for s in members if s.operation is operation]
            spec = matching[0] if matching else members[0]
        else:
            raise UnknownModelError(model, self._specs)
        if spec.operation is not operation:
            raise UnsupportedOperationError(
                "model", f"{spec.id} does {spec.operation.value}, not {operation.value}", value=model,
                allowed=[s.id for s in self.models(operation)],
            )
        return spec

    def family_of(self, spec: ModelSpec) -> list[ModelSpec]:
        """`spec` first, then the other providers' specs of its family that do the same operation."""
        return [spec] + [s for s in self._specs.values()
                         if spec.family and s.family == spec.family and s.operation is spec.operation and s is not spec]

    def candidates(self, model: str, operation: OperationType) -> list[ModelSpec]:
        """Every spec a model name can mean for `operation`: an id's own spec then its family; an
        alias's members (and their families) in catalog order. Refusals as `resolve`."""
        first = self.resolve(model, operation)
        found = self.family_of(first)
        for member_id in self._aliases.get(model, ()) if model not in self._specs else ():
            member = self._specs[member_id]
            if member.operation is operation:
                found += [s for s in self.family_of(member) if s not in found]
        return found

    def plan(self, request: VideoRequest, default_provider: str | None = None) -> GenerationPlan:
        """Check `request` against its model; every error names the field and what is allowed."""
        spec = self.resolve(request.model, request.operation, default_provider)
        if spec.prompt_required and not request.prompt:
            raise InvalidRequestError("prompt", f"is required by {spec.id}")
        if request.prompt and len(request.prompt) > spec.max_prompt_chars:
            raise InvalidRequestError("prompt", f"is {len(request.prompt)} characters; {spec.id} takes at most "
                                      f"{spec.max_prompt_chars}", value=len(request.prompt))
        duration = request.duration
        if spec.durations:
            duration = duration if duration is not None else spec.default_duration
            if duration not in spec.durations:
                raise InvalidRequestError("duration", f"{spec.id} does not offer {duration} s", value=duration,
                                          allowed=spec.durations)
        elif duration is not None:
            raise InvalidRequestError("duration", f"{spec.id} takes its duration from the input "
                                      f"{'audio' if spec.billed_from is BilledDuration.INPUT_AUDIO else 'video'}",
                                      value=duration)
        resolution = request.resolution or spec.default_resolution
        if resolution not in spec.resolutions:
            raise InvalidRequestError("resolution", f"{spec.id} does not offer {resolution}", value=resolution,
                                      allowed=spec.resolutions)
        aspect = request.aspect_ratio or spec.default_aspect_ratio
        if spec.aspect_ratios and aspect not in spec.aspect_ratios:
            raise InvalidRequestError("aspect_ratio", f"{spec.id} does not offer {aspect}", value=aspect,
                                      allowed=spec.aspect_ratios)
        for kind, media in request.inputs.items():
            limit = spec.inputs.get(kind)
            if limit is None:
                raise InvalidRequestError(kind.value, f"{spec.id} takes no {kind.value} input",
                                          allowed=[k.value for k in spec.inputs] or ["none"])
            if not limit.accepts_type(media.content_type):
                raise InvalidRequestError(kind.value, f"type {media.content_type} is not accepted by {spec.id}",
                                          value=media.content_type, allowed=limit.content_types)
            if media.size > limit.max_bytes:
                raise InvalidRequestError(kind.value, f"is {media.size} bytes; {spec.id} takes at most "
                                          f"{limit.max_bytes} bytes", value=media.size)
        for kind in spec.required_inputs:
            if request.input(kind) is None:
                raise InvalidRequestError(kind.value, f"is required by {spec.id}")
        ignored = tuple(n for n in OPTIONAL_FIELDS if getattr(request, n) is not None and n not in spec.optional_fields)
        options = check_options(spec.id, spec.options, request.options)
        if spec.span is not None:
            spec.span.check(options)
        audio = request.generate_audio
        if audio is None and spec.audio_default is not None:
            audio = spec.audio_default
        width, height = dimensions(resolution, aspect)
        return GenerationPlan(spec, request.with_(model=spec.id, duration=duration, resolution=resolution,
                                                  aspect_ratio=aspect, generate_audio=audio, options=options),
                              duration, resolution, aspect, width, height, ignored, options)

    def with_prices(self, overrides: Mapping[str, Mapping[str, Any]]) -> ModelCatalog:
        """A copy whose prices come from `overrides` ({model id: price rule}), e.g. read from a file."""
        specs = dict(self._specs)
        for model_id, data in overrides.items():
            if model_id not in specs:
                raise UnknownModelError(model_id, specs)
            rule = rule_from_mapping(model_id, data)
            missing = [r for r in specs[model_id].resolutions if r not in rule.rates and "*" not in rule.rates]
            if missing:
                raise InvalidRequestError(f"prices[{model_id!r}].rates", "has no price for some resolutions",
                                          value=sorted(rule.rates), allowed=specs[model_id].resolutions)
            specs[model_id] = replace(specs[model_id], price=rule, verified=True,
                                      source=specs[model_id].source + " (price overridden from file)")
        return ModelCatalog(specs.values(), self._defaults)
