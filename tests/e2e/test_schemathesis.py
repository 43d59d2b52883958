"""schemathesis against the OpenAPI document of a real `videoforge serve` process (uvicorn on
loopback, SQLite, the scripted fake provider): a bounded number of generated requests per
operation, valid and not, with a valid bearer token, and not one answer may be a 5xx."""

from __future__ import annotations

import os

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error

from tests.e2e.test_serve import SECRET, bearer
from tests.serving import serve_process

EXAMPLES = 10  # per operation and mode: about 15 operations, the whole run stays well under a minute


@pytest.fixture(scope="module")
def api_base(tmp_path_factory):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("VIDEOFORGE_", "WAVESPEED_"))}
    env |= {"VIDEOFORGE_DATA_DIR": str(tmp_path_factory.mktemp("schemathesis")), "VIDEOFORGE_JWT_SECRET": SECRET,
            "VIDEOFORGE_FAKE_PROVIDERS": "true", "VIDEOFORGE_DEFAULT_PROVIDER": "wavespeed",
            "VIDEOFORGE_POLL_INTERVAL": "0.05", "VIDEOFORGE_USER_PLANS": '{"fuzzer": "enterprise"}'}
    with serve_process(env) as served:
        yield served.base
    assert "Traceback" not in served.output, served.output[-4000:]


def test_no_generated_request_gets_a_server_error(api_base):
    """Each operation of the document, one after another (schemathesis' pytest plugin reaches
    into pytest internals that pytest 9 no longer has, so the cases are drawn with hypothesis here)."""
    schema = schemathesis.openapi.from_url(api_base + "/openapi.json")
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 13
    calls: list[int] = []
    for operation in operations:
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            try:
                exercise(operation, mode, bearer("fuzzer"), calls)
            except Unsatisfiable:  # an operation with nothing to get wrong (no parameter, no body)
                assert mode is GenerationMode.NEGATIVE, operation.label
    assert len(calls) >= len(operations) * EXAMPLES, len(calls)  # the run really called the API


def exercise(operation, mode: GenerationMode, headers: dict[str, str], calls: list[int]) -> None:
    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
              phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
    def call(case) -> None:
        response = case.call_and_validate(headers=headers, checks=[not_a_server_error], timeout=30)
        calls.append(response.status_code)

    call()
