"""What one generated video costs the database, counted on a real engine (SQLite and PostgreSQL)
with SQLAlchemy's events: the transactions and the statements of a completed job, from the
request to the settled reservation. The ceilings are the figures architecture.md documents
("SQL work of a job"); a change that adds a round trip fails here until it is documented."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

import pytest
from dependency_injector import providers
from sqlalchemy import event

from tests.conftest import settings_for_tests
from tests.contracts.builders import text_request
from tests.integration.conftest import BACKENDS, close_database, open_database
from videoforge.adapters.fakes import FakeClock, FakeVideoProvider, Outcome
from videoforge.application.errors import JobNotFinishedError
from videoforge.application.use_cases import PollPolicy
from videoforge.bootstrap import build_container, open_container

# Documented in architecture.md, "SQL work of a job": a job polled once.
TRANSACTIONS_PER_JOB = 7
STATEMENTS_PER_JOB = 23


@dataclass
class Tally:
    transactions: int = 0
    statements: Counter = field(default_factory=Counter)


def tally_of(engine) -> Tally:
    tally = Tally()

    @event.listens_for(engine.sync_engine, "begin")
    def _begin(_conn) -> None:
        tally.transactions += 1

    @event.listens_for(engine.sync_engine, "before_cursor_execute")
    def _statement(_conn, _cursor, statement, *_args) -> None:
        verb = statement.split(None, 1)[0].upper()
        if verb != "BEGIN":  # SQLite's BEGIN IMMEDIATE is the transaction's, counted above
            table = next((w for w in statement.replace('"', " ").split() if w.startswith(("video_", "content_",
                                                                                          "usage_", "quota_"))), "")
            tally.statements[f"{verb} {table}".strip()] += 1

    return tally


@pytest.fixture(params=BACKENDS)
async def sql_settings(request, tmp_path):
    database = await open_database(request.param, tmp_path)
    try:
        yield settings_for_tests(backend="sql", database_url=database.url, data_dir=tmp_path,
                                 db_schema=database.schema or "videoforge", default_plan="enterprise")
    finally:
        await close_database(database)


async def test_a_completed_job_costs_at_most_the_documented_round_trips(sql_settings):
    container = build_container(sql_settings)
    container.video_providers.override(providers.Object({"wavespeed": FakeVideoProvider(Outcome.succeed())}))
    container.clock.override(providers.Object(FakeClock()))
    async with open_container(container=container):
        generate = container.generate_video()
        await generate(text_request())  # the first job of a process: schema checks, caches
        tally = tally_of(container.sql_engine())
        result = await generate(text_request())
        counted, transactions = dict(tally.statements), tally.transactions
        job = await container.get_job()(result.job_id, text_request().user_id)
    assert job.status.value == "completed"
    print(f"{transactions} transactions, {sum(counted.values())} statements: {counted}")
    assert transactions <= TRANSACTIONS_PER_JOB, counted
    assert sum(counted.values()) <= STATEMENTS_PER_JOB, counted


async def test_between_polls_a_job_costs_no_read_of_its_row_and_a_version_check_every_recheck(sql_settings):
    """A task whose progress stands still, polled 61 times over 60 s: the job's row is never read
    again; its version (one column) is checked every `recheck` seconds (4 times)."""
    container = build_container(sql_settings)
    provider = FakeVideoProvider(Outcome.queued())  # never starts; no progress of its own
    container.video_providers.override(providers.Object({"wavespeed": provider}))
    container.clock.override(providers.Object(FakeClock()))
    container.poll_policy.override(providers.Object(
        PollPolicy(interval=1.0, deadline=60.0, expected=1e9, jitter=0.0, recheck=15.0)))
    async with open_container(container=container):
        job = await container.submit_video()(text_request())
        tally = tally_of(container.sql_engine())
        with pytest.raises(JobNotFinishedError):
            await container.run_job()(job.id)
        counted = dict(tally.statements)
    assert sum(provider.polls.values()) == 61
    # the read as RunJob starts; submitting, processing and the first progress (20 %) saved, with
    # their events; then only the version checks
    assert counted == {"SELECT video_jobs.id,": 1, "UPDATE video_jobs": 3, "INSERT": 3, "SELECT video_jobs.version": 4}
