from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class PollPolicy:
    interval: float = 3.0  # seconds between polls
    deadline: float = 1800.0  # seconds of following before giving up for now (the job stays resumable)
    expected: float = 120.0  # seconds a video usually takes, for time-based progress
    # How long a submission may take before a job found in `submitting` is taken for crashed
    # (longer than the provider's submit timeout, uploads included).
    submit_grace: float = 900.0
    # A submission the provider refused for now (429, busy, unreachable: nothing created) is tried
    # again this many times, waiting interval x 2^n, before the job fails.
    submit_retries: int = 4
    # A submission whose answer proved nothing, at a provider whose task history can be searched:
    # a history that shows no matching task this long after the request went out means nothing was
    # created (WaveSpeed lists a task as soon as it exists; the margin covers its replication).
    history_settle: float = 60.0
    history_reads: int = 3  # attempts at reading the history before the outcome stays unknown
    # A runner saving a job's output holds its lease this long, renewed as the output streams in;
    # a lease not renewed for this long belonged to a runner that died, and is taken over.
    save_lease: float = 60.0
    # Each wait between polls is drawn from interval x (1 +- jitter), so that many jobs submitted
    # together do not poll together (no thundering herd at the provider or on the event loop).
    jitter: float = 0.2
    # The provider's own hint of when to ask again (`ProviderStatus.poll_after`) is followed, up to this.
    longest_wait: float = 60.0
    # While nothing saves the job (its progress stands still), its stored version is checked at
    # most this often, to stop when someone else changed it (a cancel); one column, not the row.
    recheck: float = 15.0
    # A job's progress is saved (a transaction, an event for its watchers) when it has moved by
    # at least this many points, or reached the end of the working range.
    progress_step: int = 5

    def poll_wait(self, hint: float | None, draw: float) -> float:
        """Seconds before the next poll: the interval, or the provider's hint when it asks for
        longer (never past `longest_wait`), spread by +-jitter; `draw` is uniform in [0, 1)."""
        base = self.interval if hint is None else min(max(hint, self.interval), max(self.longest_wait, self.interval))
        return base * (1.0 + self.jitter * (2.0 * draw - 1.0))

    def resubmission_delay(self, deferrals: int) -> float:
        """How long a job the provider refused for now `deferrals` times waits before its next attempt."""
        return self.interval * 2 ** (deferrals - 1) if deferrals else 0.0

    def may_defer(self, deferrals: int) -> bool:
        return deferrals < self.submit_retries
