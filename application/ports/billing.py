from __future__ import annotations

from abc import abstractmethod
from collections.abc import AsyncIterator
from datetime import datetime
from decimal import Decimal
from typing import Protocol, runtime_checkable

from videoforge.domain.billing import ProviderCharge


@runtime_checkable
class ProviderAccount(Protocol):
    """An optional capability of a provider: its account, as the provider itself records it.
    A provider adapter that can read its balance and billing records implements this next to
    `VideoProvider`; the others do not, and nothing is asked of them.

    Both methods are reads: they raise the provider port's `ProviderUnavailableError` when the
    provider cannot be read."""

    name: str

    @abstractmethod
    async def balance(self) -> Decimal:
        """What the account holds, in USD (it may be negative on credit)."""
        ...

    @abstractmethod
    def charges(self, since: datetime, until: datetime) -> AsyncIterator[ProviderCharge]:
        """Every deduction and refund the provider recorded in [since, until), page by page."""
        ...
