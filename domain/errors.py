from __future__ import annotations

from collections.abc import Iterable
from typing import Any


class DomainError(Exception):
    """Base of every rule the domain enforces."""


class InvalidRequestError(DomainError):
    """A request breaks a rule: names the field, the value given and what is allowed."""

    def __init__(self, field: str, message: str, *, value: Any = None, allowed: Iterable[Any] | None = None):
        self.field = field
        self.value = value
        self.allowed = tuple(allowed) if allowed is not None else None
        text = f"{field}: {message}"
        if self.allowed is not None:
            text += f" (allowed: {', '.join(str(a) for a in self.allowed)})"
        super().__init__(text)

    @property
    def message(self) -> str:
        return str(self)


class UnknownModelError(InvalidRequestError):
    def __init__(self, model: str, allowed: Iterable[str]):
        super().__init__("model", f"unknown model {model!r}; ids below, aliases in the catalog", value=model,
                         allowed=sorted(allowed))


class UnsupportedOperationError(InvalidRequestError):
    pass


class IllegalTransitionError(DomainError):
    """A job was asked to move to a state its current state does not lead to."""

    def __init__(self, job_id: str, current: str, wanted: str):
        self.job_id, self.current, self.wanted = job_id, current, wanted
        super().__init__(f"job {job_id}: cannot go from {current} to {wanted}")


class QuotaExceededError(DomainError):
    """The user's plan does not allow this request; carries the usage figures as data."""

    def __init__(self, message: str, usage_info: dict[str, Any]):
        self.usage_info = usage_info
        self.error_type = usage_info["error_type"]
        super().__init__(message)

    @property
    def message(self) -> str:
        return str(self)
