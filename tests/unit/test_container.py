from __future__ import annotations

import json
import typing
from dataclasses import fields

import pytest
from dependency_injector import providers

from tests.conftest import settings_for_tests
from tests.contracts.builders import text_request
from videoforge.adapters.fakes import FakeMediaProbe, FakeVideoProvider, InMemoryStorage, Outcome
from videoforge.adapters.filesystem import FileSystemStorage
from videoforge.adapters.local import LocalVideoProvider
from videoforge.adapters.media import PyAVMediaProbe
from videoforge.application.use_cases import GenerateVideo, UseCases
from videoforge.bootstrap import ConfigurationError, Settings, build_container, open_container
from videoforge.bootstrap.container import use_cases_of
from videoforge.domain import Cost


def test_settings_read_the_documented_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("VIDEOFORGE_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("WAVESPEED_API_KEY", "ws-secret")
    monkeypatch.setenv("VIDEOFORGE_ALLOW_PRIVATE_URLS", "true")
    settings = Settings()
    assert settings.storage_dir == tmp_path / "media"
    assert settings.default_provider == "wavespeed" and settings.allow_private_urls
    assert "ws-secret" not in repr(settings) and settings.wavespeed_api_key.get_secret_value() == "ws-secret"
    monkeypatch.delenv("WAVESPEED_API_KEY")
    monkeypatch.setenv("VIDEOFORGE_WAVESPEED_API_KEY", "other")
    assert Settings().wavespeed_api_key.get_secret_value() == "other"
    monkeypatch.delenv("VIDEOFORGE_WAVESPEED_API_KEY")
    assert Settings().default_provider == "local"


async def test_without_fakes_the_local_provider_pyav_and_files_are_wired(tmp_path):
    container = build_container(Settings(fake_providers=False, data_dir=tmp_path, wavespeed_api_key=None))
    async with open_container(container=container):
        registry = container.video_providers()
        assert set(registry) == {"local"} and isinstance(registry["local"], LocalVideoProvider)
        assert isinstance(container.media_probe(), PyAVMediaProbe)
        storage = container.storage()
        assert isinstance(storage, FileSystemStorage)
        assert await storage.url("videos/u1/a.mp4") == (tmp_path / "media/videos/u1/a.mp4").resolve().as_uri()


async def test_fake_mode_keeps_everything_in_memory():
    container = build_container(settings_for_tests())
    async with open_container(container=container):
        assert isinstance(container.storage(), InMemoryStorage)
        assert isinstance(container.media_probe(), FakeMediaProbe)


@pytest.mark.parametrize("endpoint", ["media.example.com", "ftp://media.example.com", "https://",
                                      "https://key:secret@media.example.com", "https://media.example.com/?x=1"])
def test_a_public_s3_endpoint_that_is_not_a_web_address_is_refused_naming_the_setting(endpoint):
    with pytest.raises(ConfigurationError, match=r"^VIDEOFORGE_S3_PUBLIC_ENDPOINT is not an endpoint") as caught:
        build_container(settings_for_tests(storage="s3", s3_bucket="b", s3_public_endpoint=endpoint))
    assert "secret" not in str(caught.value)  # the value is not repeated: it may hold credentials


def test_unknown_plan_setting_is_refused():
    with pytest.raises(ConfigurationError, match="VIDEOFORGE_DEFAULT_PLAN: default_plan: unknown plan 'gold'"):
        build_container(settings_for_tests(default_plan="gold"))
    with pytest.raises(ConfigurationError, match="VIDEOFORGE_USER_PLANS: plan: unknown plan 'gold'"):
        build_container(settings_for_tests(user_plans={"u1": "gold"}))


@pytest.mark.parametrize("content,says", [
    ("[plans.solo]\nvideo_calls_limit = 3\n", "plan 'solo' needs video_calls_limit and monthly_cost_limit"),
    ('[plans.solo]\nvideo_calls_limit = 3\nmonthly_cost_limit = 2.5\n', "not the float 2.5"),
    ('[plans.solo]\nvideo_calls_limit = -1\nmonthly_cost_limit = "2"\n', "video_calls_limit: of plan 'solo'"),
    ('[plans.solo]\nvideo_calls_limit = 1\nmonthly_cost_limit = "2"\nseats = 4\n', "unknown fields ['seats']"),
    ('[plans."a b"]\nvideo_calls_limit = 1\nmonthly_cost_limit = "2"\n', "plan: a plan name is 1 to 64"),
    ("title = 'no plans'\n", "must hold a non-empty `plans` table"),
    ("[plans", "cannot read"),
])
def test_a_bad_plans_file_is_refused_naming_the_setting(tmp_path, content, says):
    path = tmp_path / "plans.toml"
    path.write_text(content)
    with pytest.raises(ConfigurationError, match="VIDEOFORGE_PLANS_FILE") as caught:
        build_container(settings_for_tests(plans_file=path, default_plan="solo"))
    assert says in str(caught.value)


def test_the_default_plan_must_be_a_plan_of_the_file(tmp_path):
    path = tmp_path / "plans.json"
    path.write_text(json.dumps({"plans": {"solo": {"video_calls_limit": 1, "monthly_cost_limit": "2"}}}))
    with pytest.raises(ConfigurationError, match=r"VIDEOFORGE_DEFAULT_PLAN: .*unknown plan 'free' \(allowed: solo\)"):
        build_container(settings_for_tests(plans_file=path))
    assert build_container(settings_for_tests(plans_file=path, default_plan="solo")).plan_catalog().names == ["solo"]


async def test_use_cases_are_factories_over_shared_adapters():
    container = build_container(settings_for_tests())
    async with open_container(container=container):
        first, second = container.generate_video(), container.generate_video()
        assert isinstance(first, GenerateVideo) and first is not second
        assert container.job_repository() is container.job_repository()


async def test_the_driving_adapters_one_set_of_use_cases_builds_each_from_the_container():
    container = build_container(settings_for_tests())
    use_cases = use_cases_of(container)
    promised = typing.get_type_hints(UseCases)
    async with open_container(container=container):
        for field in fields(UseCases):
            factory = getattr(use_cases, field.name)
            [_, use_case_type] = typing.get_args(promised[field.name])
            assert isinstance(factory(), use_case_type), field.name
            assert factory() is not factory()


async def test_resources_are_closed_on_shutdown():
    container = build_container(settings_for_tests())
    async with open_container(container=container):
        provider = container.fake_provider()
        await container.generate_video()(text_request())
        assert not provider.closed
    assert provider.closed


async def test_tests_override_adapters():
    container = build_container(settings_for_tests(poll_interval=0.001))
    scripted = FakeVideoProvider(Outcome.succeed(after_polls=2))
    container.video_providers.override(providers.Object({"wavespeed": scripted}))
    async with open_container(container=container):
        await container.generate_video()(text_request())
    assert len(scripted.submissions) == 1


@pytest.mark.parametrize("suffix,text", [
    (".json", json.dumps({"wavespeed-ai/hunyuan-video-1.5/text-to-video":
                          {"rule": "per_second", "rates": {"480p": "0.01", "720p": "0.05"}}})),
    (".toml", '["wavespeed-ai/hunyuan-video-1.5/text-to-video"]\nrule = "per_second"\n'
              'rates = { "480p" = "0.01", "720p" = "0.05" }\n'),
])
async def test_a_prices_file_overrides_the_catalog(tmp_path, suffix, text):
    prices = tmp_path / f"prices{suffix}"
    prices.write_text(text)
    container = build_container(settings_for_tests(prices_file=prices, poll_interval=0.001))
    async with open_container(container=container):
        estimate = await container.estimate_cost()(text_request())
    assert estimate.cost == Cost("0.25")


def test_a_broken_prices_file_is_a_clear_configuration_error(tmp_path):
    prices = tmp_path / "prices.json"
    prices.write_text('{"nope": {"rule": "flat", "rates": {"*": "1"}}}')
    container = build_container(settings_for_tests(prices_file=prices))
    with pytest.raises(ConfigurationError, match="VIDEOFORGE_PRICES_FILE: model: unknown model 'nope'"):
        container.catalog()
    prices.write_text("{not json")
    with pytest.raises(ConfigurationError, match="cannot read"):
        build_container(settings_for_tests(prices_file=prices)).catalog()


async def test_a_container_opened_again_gets_fresh_clients(monkeypatch, tmp_path):
    settings = Settings(wavespeed_api_key="k", data_dir=tmp_path, backend="memory")
    container = build_container(settings)
    async with open_container(container=container):
        first = container.wavespeed_client()
    assert first.is_closed
    async with open_container(container=container):
        second = container.wavespeed_client()
        assert second is not first and not second.is_closed
