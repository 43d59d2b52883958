"""The routing rules (domain/routing.py) over the built-in catalog, and their settings."""

from __future__ import annotations

import pytest

from tests.contracts.builders import text_request
from videoforge.bootstrap import ConfigurationError, Settings, build_container
from videoforge.domain import InvalidRequestError, Routing, default_catalog

CATALOG = default_catalog()
BOTH = {"wavespeed", "fal", "local"}
WS_WAN, FAL_WAN = "alibaba/wan-2.5/text-to-video", "fal-ai/wan-25-preview/text-to-video"


def chosen(routing: Routing, configured=BOTH, default="wavespeed", **changes) -> str:
    return routing.choose(CATALOG, text_request(**changes), configured, default).id


def test_a_family_has_one_spec_per_provider():
    assert {s.id for s in CATALOG if s.family == "wan-2.5"} == {WS_WAN, FAL_WAN}


def test_a_family_gets_its_preferred_configured_provider_else_the_first_configured_one():
    assert chosen(Routing(preferred={"wan-2.5": "fal"}), model="wan-2.5") == FAL_WAN
    assert chosen(Routing(), model="wan-2.5") == WS_WAN  # catalog order
    assert chosen(Routing(preferred={"wan-2.5": "fal"}), configured={"wavespeed"}, model="wan-2.5") == WS_WAN
    assert chosen(Routing(), configured={"fal"}, model="wan-2.5") == FAL_WAN


def test_an_explicit_provider_wins_over_the_preference_and_over_a_model_id():
    routing = Routing(preferred={"wan-2.5": "fal"})
    assert chosen(routing, model="wan-2.5", provider="wavespeed") == WS_WAN
    assert chosen(routing, model=WS_WAN, provider="fal") == FAL_WAN  # the same family on fal
    assert chosen(routing, model=WS_WAN) == WS_WAN  # a model id names its provider


def test_a_provider_is_refused_when_not_configured_or_not_offering_the_model():
    with pytest.raises(InvalidRequestError) as refused:
        chosen(Routing(), configured={"local"}, provider="huggingface")
    assert refused.value.field == "provider" and refused.value.allowed == ("local",)
    with pytest.raises(InvalidRequestError, match="not offered on fal") as refused:
        chosen(Routing(), model="wavespeed-ai/hunyuan-video-1.5/text-to-video", provider="fal")
    assert refused.value.allowed == ("wavespeed",)


def test_spellings_name_providers_and_no_model_means_the_providers_default():
    routing = Routing(spellings={"huggingface": "fal"})
    assert chosen(routing, model=None, provider="HuggingFace") == "fal-ai/hunyuan-video"
    assert chosen(routing, model="tencent/HunyuanVideo") == "fal-ai/hunyuan-video"


def test_fal_settings_are_checked_before_anything_runs(tmp_path):
    base = {"data_dir": tmp_path, "backend": "memory"}
    with pytest.raises(ConfigurationError, match="FAL_KEY"):
        build_container(Settings(**base, fal_route="direct"))
    with pytest.raises(ConfigurationError, match="unknown family 'wan-9'"):
        build_container(Settings(**base, fal_key="k", family_providers={"wan-9": "fal"})).provider_routing()
    with pytest.raises(ConfigurationError, match="not offered on 'local'"):
        build_container(Settings(**base, fal_key="k", family_providers={"wan-2.5": "local"})).provider_routing()
    assert Settings(**base, hf_token="t").default_provider == "fal"
