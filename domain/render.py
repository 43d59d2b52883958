from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from videoforge.domain.media import MediaKind
from videoforge.domain.operations import OperationType


@dataclass(frozen=True, slots=True)
class RenderSpec:
    """What a provider is asked to render, in the domain's own words: a request checked against
    its model (`GenerationPlan.render_spec()`), every default filled in, nothing the model does
    not take. Each provider adapter translates it into its own wire format; no provider needs to
    check it again.

    `duration` is None when the length comes from an input (the audio of an avatar, the video to
    enhance). `negative_prompt`, `seed`, `generate_audio` and `enable_prompt_expansion` are None
    when not asked for or when the model does not take them. `inputs` are the kinds of input
    files the render uses, in the request's order; their bytes travel beside the spec (the
    application's `ProviderTask`), since the domain holds no I/O. `options` are the model's own
    settings under neutral names (domain/options.py), checked, defaults filled in.
    """

    model: str
    operation: OperationType
    width: int
    height: int
    resolution: str
    aspect_ratio: str | None
    duration: int | None
    prompt: str | None = None
    negative_prompt: str | None = None
    seed: int | None = None
    generate_audio: bool | None = None
    enable_prompt_expansion: bool | None = None
    inputs: tuple[MediaKind, ...] = ()
    options: Mapping[str, Any] = field(default_factory=dict)
