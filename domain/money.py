from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

# Sub-cent prices exist (e.g. $0.005/s), so amounts keep six places; never a float.
_PRECISION = Decimal("0.000001")


def _to_decimal(value: Any) -> Decimal:
    if isinstance(value, Decimal):
        return value
    if isinstance(value, float):
        raise TypeError("money is never built from a float; pass a str, int or Decimal")
    return Decimal(value)


@dataclass(frozen=True, slots=True, order=True)
class Cost:
    """An amount of US dollars, exact."""

    usd: Decimal

    def __init__(self, usd: Decimal | int | str = 0):
        amount = _to_decimal(usd)
        if amount < 0:
            raise ValueError(f"a cost cannot be negative: {amount}")
        object.__setattr__(self, "usd", amount.quantize(_PRECISION, rounding=ROUND_HALF_UP))

    def __add__(self, other: Cost) -> Cost:
        return Cost(self.usd + other.usd)

    def __mul__(self, factor: int | Decimal) -> Cost:
        return Cost(self.usd * _to_decimal(factor))

    def __str__(self) -> str:
        return f"${self.usd.normalize():f}"

    def as_float(self) -> float:
        """For legacy dictionaries only, which carry `cost` as a JSON number."""
        return float(self.usd)


ZERO = Cost(0)
