"""The in-process dispatcher (today's behaviour, the default for SQLite and `make run`) passes the
JobDispatcher contract suite."""

from __future__ import annotations

import pytest

from tests.contracts.dispatcher import JobDispatcherContract
from videoforge.adapters.http.runner import BackgroundRunner


class TestInProcessDispatcher(JobDispatcherContract):
    @pytest.fixture
    def dispatched(self, runs):
        runner = BackgroundRunner(runs)
        return runner, runner.wait
