from __future__ import annotations

from contextlib import AbstractAsyncContextManager
from typing import Protocol


class UnitOfWork(Protocol):
    """Writes that commit together: the port calls made inside `async with unit_of_work():` (of
    the repository, library, meter and quota guard of one backend) are one transaction, committed
    when the block ends and rolled back, all of them, when it raises. A backend whose writes are
    each final at once (the in-memory fakes) passes `contextlib.nullcontext`."""

    def __call__(self) -> AbstractAsyncContextManager[object]: ...
