"""A submission whose answer proved nothing, settled by the provider's task history (issue 11):
the domain's rule, then SubmitJob on the shipped fake with a history. The provider is never sent
the same request twice unless its history proved the first created nothing."""

from __future__ import annotations

import pytest

from tests.unit.test_run_steps import Run
from videoforge.adapters.fakes import FakeVideoProvider, FakeVideoProviderWithHistory, Outcome
from videoforge.application.ports.provider import ProviderUnavailableError, SubmissionHistory
from videoforge.application.use_cases.run import PollPolicy
from videoforge.application.use_cases.run_job import RunJob
from videoforge.domain import ErrorCode, JobStatus
from videoforge.domain.job import Step
from videoforge.domain.outcome import SubmissionVerdict, read_history
from videoforge.domain.quota import ReservationState

SETTLE = 30.0


class TestTheRule:
    def test_one_matching_task_is_adopted_whatever_the_time(self):
        reading = read_history(["t1"], seconds_since_sent=0.1, settle_seconds=SETTLE)
        assert (reading.verdict, reading.task_id) == (SubmissionVerdict.ADOPT, "t1")
        same = read_history(["t1", "t1"], seconds_since_sent=99, settle_seconds=SETTLE)
        assert same.verdict is SubmissionVerdict.ADOPT

    def test_several_are_for_a_person(self):
        reading = read_history(["t1", "t2"], seconds_since_sent=99, settle_seconds=SETTLE)
        assert (reading.verdict, reading.matches, reading.task_id) == (SubmissionVerdict.AMBIGUOUS, 2, None)

    def test_none_proves_nothing_was_created_only_once_settled(self):
        early = read_history([], seconds_since_sent=10, settle_seconds=SETTLE)
        assert early.verdict is SubmissionVerdict.LOOK_AGAIN and early.wait == pytest.approx(20)
        assert read_history([], seconds_since_sent=SETTLE, settle_seconds=SETTLE).verdict is \
            SubmissionVerdict.NOT_CREATED


@pytest.fixture
def run() -> Run:
    return Run(provider=FakeVideoProviderWithHistory(),
               policy=PollPolicy(interval=2.0, deadline=600.0, history_settle=SETTLE))


def test_the_plain_fake_has_no_history_and_the_other_has():
    assert not isinstance(FakeVideoProvider(), SubmissionHistory)
    assert isinstance(FakeVideoProviderWithHistory(), SubmissionHistory)


async def test_a_task_created_behind_an_unclear_answer_is_adopted(run):
    run.provider.script(Outcome.outcome_unknown(created=True))
    pending = await run.pending()
    adopted = await run.submit()(pending, run.progress(pending))
    assert adopted.status is JobStatus.PROCESSING and adopted.provider_job_id == "fake-1"
    assert len(run.provider.submissions) == 1 and run.clock.slept == []  # found at once: no settling wait
    assert await run.jobs.get(adopted.id) == adopted and adopted.next_step is Step.FOLLOW


async def test_nothing_created_is_sent_again_only_after_the_settling_delay(run):
    run.provider.script(Outcome.outcome_unknown(created=False))
    pending = await run.pending()
    again = await run.submit()(pending, run.progress(pending))
    assert again.status is JobStatus.PENDING and again.submit_deferrals == 1
    assert sum(run.clock.slept) >= SETTLE and len(run.provider.submissions) == 1
    assert "nothing was created" in again.message
    sent = await run.submit()(again, run.progress(again))
    assert sent.status is JobStatus.PROCESSING and len(run.provider.submissions) == 2
    assert len(run.provider.tasks) == 1


async def test_two_matching_tasks_stay_unknown_with_the_reservation_held(run):
    run.provider.script(Outcome.outcome_unknown(created=True, twins=1))
    pending = await run.pending()
    unknown = await run.submit()(pending, run.progress(pending))
    assert unknown.status is JobStatus.UNKNOWN_OUTCOME and "2 tasks" in unknown.message
    assert run.reservation(unknown) == ReservationState.RESERVED and unknown.next_step is Step.NONE
    assert len(run.provider.submissions) == 1


async def test_a_history_that_cannot_be_read_leaves_the_outcome_unknown(run):
    run.provider.script(Outcome.outcome_unknown(created=True))
    run.provider.fail_next("find_sent", ProviderUnavailableError("history down"), times=run.policy.history_reads)
    pending = await run.pending()
    unknown = await run.submit()(pending, run.progress(pending))
    assert unknown.status is JobStatus.UNKNOWN_OUTCOME and "could not tell" in unknown.message
    assert run.reservation(unknown) == ReservationState.RESERVED and len(run.provider.submissions) == 1


async def test_proofs_of_nothing_created_are_bounded(run):
    run.provider.script(*[Outcome.outcome_unknown(created=False)] * (run.policy.submit_retries + 1))
    job = await run.pending()
    while job.next_step is Step.SUBMIT:
        job = await run.submit()(job, run.progress(job))
    assert job.status is JobStatus.FAILED and job.error.code == ErrorCode.NOT_SUBMITTED
    assert job.money_spent is False and run.reservation(job) == ReservationState.RELEASED
    assert len(run.provider.submissions) == run.policy.submit_retries + 1 and not run.provider.tasks


# -- a run killed mid-submission, resumed (issue 11): the record kept before the request left ----


class Crash(BaseException):
    """Stands for the process dying at that point: nothing after it runs."""


def runner(run: Run) -> RunJob:
    return RunJob(run.jobs, run.providers, run.catalog, run.storage, run.probe, run.assets, run.usage, run.quota,
                  run.clock, run.policy)


async def killed(run: Run, *outcomes: Outcome, where: str = "in_flight"):
    """A run that died at `where` of its submission; the grace after which a resume takes over passed."""
    run.provider.script(*outcomes)
    run.provider.fail_next(where, Crash())
    pending = await run.pending()
    with pytest.raises(Crash):
        await run.submit()(pending, run.progress(pending))
    found = await run.jobs.get(pending.id)
    assert found.status is JobStatus.SUBMITTING
    run.clock.advance(run.policy.submit_grace)
    return found


async def test_killed_while_in_flight_after_the_task_was_created_the_resume_adopts_it(run):
    found = await killed(run, Outcome.succeed())
    assert found.sent is not None and found.sent.record["sent"]  # recorded before the request left
    done = await runner(run)(found.id)
    assert done.status is JobStatus.COMPLETED and done.provider_job_id == "fake-1"
    assert len(run.provider.submissions) == 1 and list(run.provider.tasks) == ["fake-1"]


async def test_killed_while_in_flight_with_nothing_created_it_is_sent_again_once_after_the_settling_delay(run):
    found = await killed(run, Outcome.outcome_unknown(created=False), Outcome.succeed())
    done = await runner(run)(found.id)
    assert done.status is JobStatus.COMPLETED and done.submit_deferrals == 1
    assert len(run.provider.submissions) == 2 and len(run.provider.tasks) == 1


async def test_killed_while_in_flight_with_two_matching_tasks_it_stays_unknown(run):
    found = await killed(run, Outcome.outcome_unknown(created=True, twins=1))
    unknown = await runner(run)(found.id)
    assert unknown.status is JobStatus.UNKNOWN_OUTCOME and "2 tasks" in unknown.message
    assert run.reservation(unknown) == ReservationState.RESERVED and len(run.provider.submissions) == 1


async def test_killed_before_the_request_left_it_is_simply_submitted(run):
    found = await killed(run, Outcome.succeed(), where="submit")
    assert found.sends_recorded and found.sent is None and found.provably_unsent
    done = await runner(run)(found.id)
    assert done.status is JobStatus.COMPLETED and len(run.provider.submissions) == 1 and len(run.provider.tasks) == 1


async def test_without_a_history_a_run_killed_in_flight_is_left_for_a_person():
    run = Run()  # the plain fake: no task history
    found = await killed(run, Outcome.succeed())
    assert not found.sends_recorded
    unknown = await runner(run)(found.id)
    assert unknown.status is JobStatus.UNKNOWN_OUTCOME and len(run.provider.submissions) == 1
