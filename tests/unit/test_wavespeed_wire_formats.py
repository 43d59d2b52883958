"""The WaveSpeed wire formats (adapters/wavespeed/models.py) against the catalog: the domain
decides what a model takes, the adapter only says how WaveSpeed spells it."""

from __future__ import annotations

import re

import pytest

from videoforge.adapters.wavespeed import WIRE_FORMATS
from videoforge.domain import MediaKind, OperationType, RenderSpec, default_catalog

WAVESPEED = [spec for spec in default_catalog() if spec.provider == "wavespeed"]


def test_every_wavespeed_model_of_the_catalog_has_a_wire_format():
    assert [spec.id for spec in WAVESPEED if spec.id not in WIRE_FORMATS] == []


def test_every_wire_format_is_of_a_wavespeed_model_of_the_catalog():
    assert set(WIRE_FORMATS) - {spec.id for spec in WAVESPEED} == set()


def test_model_ids_are_plain_paths_since_they_go_into_the_submit_url():
    for model in WIRE_FORMATS:
        assert re.fullmatch(r"[a-z0-9_.-]+(/[a-z0-9_.-]+)*", model) and ".." not in model, model


@pytest.mark.parametrize("spec", WAVESPEED, ids=lambda spec: spec.id)
def test_a_wire_format_can_say_everything_its_model_takes(spec):
    wire = WIRE_FORMATS[spec.id]
    assert set(wire.input_fields) == set(spec.inputs)
    # A model whose wire has no duration must take its length from an input, or it would be lost.
    assert wire.duration_field is not None or not spec.durations
    # A model offering aspect ratios must be sent the frame in pixels or the ratio, else it would be lost.
    assert wire.size_field is not None or wire.aspect_ratio_field is not None or len(spec.aspect_ratios) <= 1
    # Every option the model offers has a wire name, and no wire name is for an option it does not offer.
    assert set(wire.option_fields) == set(spec.options)
    assert not (wire.size_field and wire.resolution_field)


def test_a_body_spells_the_spec_in_wavespeeds_names_and_skips_what_is_not_given():
    spec = RenderSpec(model="alibaba/wan-2.5/text-to-video", operation=OperationType.TEXT_TO_VIDEO, width=1080,
                      height=1920, resolution="1080p", aspect_ratio="9:16", duration=10, prompt="a cat", seed=0,
                      enable_prompt_expansion=False)
    assert WIRE_FORMATS[spec.model].body(spec, {}) == {"prompt": "a cat", "size": "1080*1920", "duration": 10,
                                                        "seed": 0, "enable_prompt_expansion": False}
    upscale = RenderSpec(model="wavespeed-ai/flashvsr", operation=OperationType.ENHANCE, width=3840, height=2160,
                         resolution="4k", aspect_ratio=None, duration=None)
    assert WIRE_FORMATS[upscale.model].body(upscale, {MediaKind.VIDEO: "https://x/v.mp4"}) == {
        "target_resolution": "4k", "video": "https://x/v.mp4"}
