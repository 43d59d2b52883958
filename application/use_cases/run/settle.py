from __future__ import annotations

import logging
from datetime import datetime

from videoforge.application.ports.clock import Clock
from videoforge.application.ports.provider import ProviderError, SentSubmission, SubmissionHistory
from videoforge.application.use_cases.run.keeper import JobKeeper
from videoforge.application.use_cases.run.policy import PollPolicy
from videoforge.domain.job import VideoJob
from videoforge.domain.outcome import HistoryReading, SubmissionVerdict, read_history, settled_submission

log = logging.getLogger("videoforge.run")


class SettleSubmission:
    """submitting, after a submit whose answer proved nothing (a 5xx, a timeout, a broken
    connection, a 2xx without an id), at a provider whose task history can be searched: the
    history decides, by the domain's rule (`read_history`). One matching task is adopted and
    followed; none, once the history has had time to show it, means nothing was created and the
    job is submitted again (`PollPolicy.submit_retries` bounds how often); several, or a history
    that cannot be read, leave the outcome unknown for a person, its reservation held."""

    def __init__(self, keeper: JobKeeper, clock: Clock, policy: PollPolicy):
        self._keeper, self._clock, self._policy = keeper, clock, policy

    async def __call__(self, job: VideoJob, history: SubmissionHistory, sent: SentSubmission, asked_at: datetime,
                       reason: str) -> VideoJob:
        reading = await self._read(history, sent, asked_at)
        log.warning("job %s: %s; the provider's history says %s", job.id, reason, reading.verdict.value)
        failure = settled_submission(job, reading, self._clock.now(), reason,
                                     may_resubmit=self._policy.may_defer(job.submit_deferrals))
        if failure is not None:
            return await self._keeper.fail(job, failure)
        return await self._keeper.store(job)

    async def _read(self, history: SubmissionHistory, sent: SentSubmission, asked_at: datetime) -> HistoryReading:
        failures = 0
        while True:
            try:
                matches = await history.find_sent(sent)
            except ProviderError as e:
                failures += 1
                log.warning("provider history unreadable (%s), attempt %d of %d", e, failures,
                            self._policy.history_reads)
                if failures >= self._policy.history_reads:
                    return HistoryReading(SubmissionVerdict.UNREADABLE)
                await self._clock.sleep(self._policy.interval)
                continue
            elapsed = (self._clock.now() - asked_at).total_seconds()
            reading = read_history(matches, seconds_since_sent=elapsed, settle_seconds=self._policy.history_settle)
            if reading.verdict is not SubmissionVerdict.LOOK_AGAIN:
                return reading
            await self._clock.sleep(reading.wait)
