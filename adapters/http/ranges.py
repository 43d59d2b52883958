import re

_RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")


class RangeNotSatisfiableError(Exception):
    def __init__(self, header: str, size: int):
        self.size = size
        super().__init__(f"range {header} is outside the {size}-byte file")


def parse_range(header: str, size: int) -> tuple[int, int] | None:
    """One `bytes=a-b`, `bytes=a-` or `bytes=-n` range -> (start, end exclusive). Anything else
    (other units, several ranges, last < first) is ignored and the whole file is served, as
    RFC 9110 says; a valid range wholly past the end is 416."""
    match = _RANGE.match(header.strip())
    if not match or match.groups() == ("", ""):
        return None
    first, last = match.groups()
    if first == "":
        if int(last) == 0:
            raise RangeNotSatisfiableError(header, size)
        return max(size - int(last), 0), size
    start = int(first)
    if last != "" and int(last) < start:
        return None
    if start >= size:
        raise RangeNotSatisfiableError(header, size)
    return start, size if last == "" else min(int(last) + 1, size)
