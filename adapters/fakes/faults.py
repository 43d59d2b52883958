from __future__ import annotations

from collections import defaultdict


class FaultInjector:
    """Lets a test make any port method fail: `fake.fail_next("save", StorageError("disk full"))`."""

    fault_points: tuple[str, ...] = ()  # places other than methods where a fault may be injected

    def __init__(self) -> None:
        self._faults: dict[str, list[BaseException]] = defaultdict(list)

    def fail_next(self, method: str, error: BaseException, times: int = 1) -> None:
        if method not in self.fault_points and not callable(getattr(self, method, None)):
            raise AttributeError(f"{type(self).__name__} has no method {method}")
        self._faults[method].extend([error] * times)

    def clear_faults(self) -> None:
        self._faults.clear()

    def _maybe_fail(self, method: str) -> None:
        pending = self._faults.get(method)
        if pending:
            raise pending.pop(0)
