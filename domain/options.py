"""Model-specific settings under neutral names (a face swap's target gender, a translation's
language, an edit's span...): which values each takes, its default, and whether a value is a
time that must fall inside an input. The catalog checks a request's `options` against the
model's; the provider adapters say how their APIs spell them."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from videoforge.domain.errors import InvalidRequestError
from videoforge.domain.media import MediaKind

_KINDS = {bool: "true or false", int: "a whole number", float: "a number", str: "text"}


@dataclass(frozen=True, slots=True)
class ModelOption:
    """The values one setting takes. `default` is filled in when the request gives none (None:
    left out, the provider's own default applies); `within` makes the value a time in seconds
    that must fall inside that input's probed length."""

    kind: type = str
    choices: tuple[Any, ...] = ()
    minimum: float | None = None
    maximum: float | None = None
    default: Any = None
    required: bool = False
    within: MediaKind | None = None
    help: str = ""

    def check(self, name: str, value: Any) -> Any:
        """`value` in this option's type, or an InvalidRequestError naming `name`."""
        value = self._typed(name, value)
        if self.choices and value not in self.choices:
            raise InvalidRequestError(name, f"{value!r} is not offered", value=value, allowed=self.choices)
        if (self.minimum is not None and value < self.minimum) or (self.maximum is not None and value > self.maximum):
            raise InvalidRequestError(name, f"must be between {self.minimum:g} and {self.maximum:g}", value=value)
        return value

    def _typed(self, name: str, value: Any) -> Any:
        if self.kind is bool:
            if isinstance(value, bool):
                return value
        elif self.kind in (int, float):
            if isinstance(value, str):
                value = _number(value)
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                if self.kind is float:
                    return float(value)
                if float(value).is_integer():
                    return int(value)
        elif isinstance(value, str) and value.strip():
            return value.strip()
        raise InvalidRequestError(name, f"must be {_KINDS[self.kind]}", value=value,
                                  allowed=self.choices or None)

    def describe(self) -> dict[str, Any]:
        return {"type": self.kind.__name__, "choices": list(self.choices), "minimum": self.minimum,
                "maximum": self.maximum, "default": self.default, "required": self.required, "help": self.help}


def _number(text: str) -> Any:
    try:
        return float(text)
    except ValueError:
        return text


def check_options(model: str, offered: Mapping[str, ModelOption], given: Mapping[str, Any]) -> dict[str, Any]:
    """The options a request gives, checked against what `model` offers, with defaults filled in."""
    unknown = sorted(set(given) - set(offered))
    if unknown:
        raise InvalidRequestError(unknown[0], f"is not an option of {model}", value=given[unknown[0]],
                                  allowed=sorted(offered) or ["none"])
    checked: dict[str, Any] = {}
    for name, option in offered.items():
        value = given.get(name)
        if value is None:
            if option.required:
                raise InvalidRequestError(name, f"is required by {model}", allowed=option.choices or None)
            value = option.default
        if value is not None:
            checked[name] = option.check(name, value)
    return checked


def check_times_within(offered: Mapping[str, ModelOption], checked: Mapping[str, Any],
                       lengths: Mapping[MediaKind, float | None]) -> None:
    """Refuse a time option that falls outside the probed length of the input it refers to."""
    for name, option in offered.items():
        if option.within is None or name not in checked:
            continue
        length = lengths.get(option.within)
        if length is not None and checked[name] > length + 1e-6:
            raise InvalidRequestError(name, f"{checked[name]:g} s is outside the {option.within.value}, which is "
                                      f"{length:.2f} s long", value=checked[name], allowed=[f"0 to {length:.2f}"])


@dataclass(frozen=True, slots=True)
class Span:
    """A stretch of an input video named by two time options (an edit's region), and the
    lengths the model accepts for it."""

    start: str = "start_time"
    end: str = "end_time"
    min_seconds: float = 0.0
    max_seconds: float | None = None

    def check(self, checked: Mapping[str, Any]) -> None:
        start, end = checked.get(self.start), checked.get(self.end)
        if start is None or end is None:
            return
        if end <= start:
            raise InvalidRequestError(self.end, f"must come after {self.start} ({start:g} s)", value=end)
        length = end - start
        if length < self.min_seconds or (self.max_seconds is not None and length > self.max_seconds):
            top = f"{self.max_seconds:g}" if self.max_seconds is not None else "any"
            raise InvalidRequestError(self.end, f"makes a span of {length:g} s; the model edits "
                                      f"{self.min_seconds:g} to {top} s", value=end)
