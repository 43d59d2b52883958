from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from typing import Any

from videoforge.domain.errors import InvalidRequestError
from videoforge.domain.money import Cost

ANY_RESOLUTION = "*"


class BilledDuration(StrEnum):
    """Where the seconds a provider bills for come from."""

    REQUESTED = "requested"  # the duration asked for
    INPUT_AUDIO = "input_audio"  # the length of the input audio (avatars)
    INPUT_VIDEO = "input_video"  # the length of the input video (upscalers)


AUDIO_SUFFIX = "+audio"  # a rate key such as "720p+audio": the price when the model also makes sound


def _rate(rates: Mapping[str, Decimal], resolution: str, with_audio: bool = False) -> Decimal:
    if with_audio and resolution + AUDIO_SUFFIX in rates:
        return rates[resolution + AUDIO_SUFFIX]
    if resolution in rates:
        return rates[resolution]
    if ANY_RESOLUTION in rates:
        return rates[ANY_RESOLUTION]
    raise InvalidRequestError("resolution", "has no price for this model", value=resolution, allowed=sorted(rates))


def _clamp(seconds: float, min_seconds: int, max_seconds: int | None) -> int:
    whole = max(math.ceil(seconds - 1e-9), min_seconds)
    return whole if max_seconds is None else min(whole, max_seconds)


@dataclass(frozen=True, slots=True)
class PerSecond:
    """rate x billed seconds (rounded up to whole seconds, with a minimum and a cap)."""

    rates: Mapping[str, Decimal]
    min_seconds: int = 0
    max_seconds: int | None = None

    def price(self, resolution: str, seconds: float, with_audio: bool = False) -> Cost:
        return Cost(_rate(self.rates, resolution, with_audio) * _clamp(seconds, self.min_seconds, self.max_seconds))

    def terms(self) -> dict[str, Any]:
        """The rule as data (exact amounts): what callers show of a price besides the sentence."""
        return {"rule": "per_second", "rates": dict(self.rates), "min_seconds": self.min_seconds,
                "max_seconds": self.max_seconds}

    def describe(self) -> str:
        rates = ", ".join(f"{r} ${v}/s" for r, v in self.rates.items())
        return (rates + (f", minimum {self.min_seconds} s" if self.min_seconds else "")
                + (", rounded up to whole seconds" if self.rates else ""))


@dataclass(frozen=True, slots=True)
class PerBlock:
    """rate per started block of `block_seconds`, at least `min_blocks` blocks."""

    rates: Mapping[str, Decimal]
    block_seconds: int = 5
    min_blocks: int = 1
    max_seconds: int | None = None

    def price(self, resolution: str, seconds: float, with_audio: bool = False) -> Cost:
        billed = _clamp(seconds, 0, self.max_seconds)
        blocks = max(math.ceil(billed / self.block_seconds), self.min_blocks)
        return Cost(_rate(self.rates, resolution, with_audio) * blocks)

    def terms(self) -> dict[str, Any]:
        return {"rule": "per_block", "rates": dict(self.rates), "block_seconds": self.block_seconds,
                "min_blocks": self.min_blocks, "max_seconds": self.max_seconds}

    def describe(self) -> str:
        return ", ".join(f"{r} ${v} per {self.block_seconds} s" for r, v in self.rates.items())


@dataclass(frozen=True, slots=True)
class Flat:
    """One price per job, whatever its length."""

    rates: Mapping[str, Decimal]

    def price(self, resolution: str, seconds: float, with_audio: bool = False) -> Cost:
        return Cost(_rate(self.rates, resolution, with_audio))

    def terms(self) -> dict[str, Any]:
        return {"rule": "flat", "rates": dict(self.rates)}

    def describe(self) -> str:
        return ", ".join(f"{r} ${v} per job" for r, v in self.rates.items())


PriceRule = PerSecond | PerBlock | Flat
_RULES: dict[str, type] = {"per_second": PerSecond, "per_block": PerBlock, "flat": Flat}


def rates(**by_resolution: str) -> dict[str, Decimal]:
    """rates(**{"480p": "0.02", "720p": "0.04"}): a rate table from exact strings."""
    return {k: Decimal(v) for k, v in by_resolution.items()}


def rule_from_mapping(model_id: str, data: Mapping[str, Any]) -> PriceRule:
    """A price rule from an override file entry, e.g.
    {"rule": "per_second", "rates": {"720p": "0.05"}, "min_seconds": 5}."""
    where = f"prices[{model_id!r}]"
    kind = data.get("rule")
    if kind not in _RULES:
        raise InvalidRequestError(f"{where}.rule", "unknown price rule", value=kind, allowed=sorted(_RULES))
    raw = data.get("rates")
    if not isinstance(raw, Mapping) or not raw:
        raise InvalidRequestError(f"{where}.rates", "must map resolutions to prices", value=raw)
    table: dict[str, Decimal] = {}
    for resolution, value in raw.items():
        if isinstance(value, float):
            raise InvalidRequestError(f"{where}.rates.{resolution}", "write prices as strings, not floats",
                                      value=value)
        try:
            table[str(resolution)] = Decimal(str(value))
        except ArithmeticError:
            raise InvalidRequestError(f"{where}.rates.{resolution}", "is not a number", value=value) from None
        if table[str(resolution)] < 0:
            raise InvalidRequestError(f"{where}.rates.{resolution}", "cannot be negative", value=value)
    options = {k: v for k, v in data.items() if k not in ("rule", "rates")}
    try:
        return _RULES[kind](rates=table, **options)
    except TypeError as e:
        raise InvalidRequestError(where, f"unexpected option: {e}", value=sorted(options)) from None
