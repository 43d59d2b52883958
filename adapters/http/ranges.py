import re

_RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")
_DIGITS = 18  # more digits than this is past the end of any file: never parsed as a huge integer
_PAST_ANY_END = 10**_DIGITS


class RangeNotSatisfiableError(Exception):
    def __init__(self, header: str, size: int):
        self.size = size
        super().__init__(f"range {header[:80]} is outside the {size}-byte file")


def parse_range(header: str, size: int) -> tuple[int, int] | None:
    """One `bytes=a-b`, `bytes=a-` or `bytes=-n` range -> (start, end exclusive). Anything else
    (other units, several ranges, last < first) is ignored and the whole file is served, as
    RFC 9110 says; a valid range wholly past the end is 416."""
    match = _RANGE.match(header.strip())
    if not match or match.groups() == ("", ""):
        return None
    first, last = (_bounded(g) for g in match.groups())
    if first is None:
        if last == 0:
            raise RangeNotSatisfiableError(header, size)
        return max(size - last, 0), size
    if last is not None and last < first:
        return None
    if first >= size:
        raise RangeNotSatisfiableError(header, size)
    return first, size if last is None else min(last + 1, size)


def _bounded(digits: str) -> int | None:
    """A position of the header: None where absent; any number too long to be a position in a
    file counts as past the end of every file (a 5000-digit number is not converted)."""
    if digits == "":
        return None
    return int(digits) if len(digits) <= _DIGITS else _PAST_ANY_END
