from __future__ import annotations

import pytest

from tests.samples import make_samples


@pytest.fixture(scope="session")
def media_samples(tmp_path_factory) -> dict[str, bytes]:
    return make_samples(tmp_path_factory.mktemp("samples"))
