"""What a log record is about, beyond its message: the job a runner drives, its user. Kept in a
context variable, so a job's task and the tasks it starts carry it, and nothing else does."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from types import MappingProxyType
from typing import Any

_FIELDS: ContextVar[MappingProxyType[str, Any]] = ContextVar("videoforge_log_fields", default=MappingProxyType({}))


def log_fields() -> MappingProxyType[str, Any]:
    """The fields bound in the current context (`job_id`, `user`...)."""
    return _FIELDS.get()


@contextmanager
def bound(**fields: Any) -> Iterator[None]:
    """Records logged inside the block (and by the tasks it starts) carry `fields`; None values are left out."""
    token = _FIELDS.set(MappingProxyType({**_FIELDS.get(), **{k: v for k, v in fields.items() if v is not None}}))
    try:
        yield
    finally:
        _FIELDS.reset(token)
