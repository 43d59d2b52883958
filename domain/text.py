"""What text the system accepts from outside: every string a caller gives (a body field, a path, a
query value, a header, a token's subject) is checked here before anything stores or compares it,
so that what SQLite accepts and PostgreSQL refuses (a NUL character, a string longer than its
column) is refused up front, with the field named, on every database alike."""

from __future__ import annotations

import re

from videoforge.domain.errors import InvalidRequestError

USER_ID_MAX = 128
ID_MAX = 64
IDEMPOTENCY_KEY_MAX = 255
PROMPT_MAX = 10_000
NAME_MAX = 200  # a model id or alias, a resolution, an aspect ratio, a content type
OFFSET_MAX = 1_000_000_000  # the most rows a listing skips (an offset past 2^63 overflows a database)

_USER_ID = re.compile(rf"[A-Za-z0-9_.@:|+-]{{1,{USER_ID_MAX}}}")
_ID = re.compile(rf"[A-Za-z0-9][A-Za-z0-9._:-]{{0,{ID_MAX - 1}}}")


def storable(field: str, value: str, *, max_chars: int) -> str:
    """`value` unchanged when a database can keep it as text: no NUL character, no lone surrogate
    (not encodable as UTF-8), at most `max_chars` characters. Else an `InvalidRequestError` naming
    `field` (the value itself is not echoed: it may be huge or unprintable)."""
    if not isinstance(value, str):
        raise InvalidRequestError(field, "must be text")
    if len(value) > max_chars:
        raise InvalidRequestError(field, f"is {len(value)} characters long; at most {max_chars} are allowed")
    if "\x00" in value:
        raise InvalidRequestError(field, "must not contain a NUL character")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise InvalidRequestError(field, "must be valid Unicode text (no lone surrogates)") from None
    return value


def exact_user_id(value: object, field: str = "user_id") -> str:
    """A user id exactly as given, or refused: 1 to 128 of letters, digits and `. _ @ : | + -`,
    no `..`. Nothing is trimmed: `"alice "` is not `alice`, it is refused."""
    if not isinstance(value, str) or not value:
        raise InvalidRequestError(field, "a user id is required")
    if not _USER_ID.fullmatch(value) or ".." in value:
        raise InvalidRequestError(field, f"may hold only letters, digits and . _ @ : | + - (1 to {USER_ID_MAX}, "
                                         "no '..', no spaces)")
    return value


def exact_id(field: str, value: object) -> str:
    """A job, asset or upload id as given, or refused: 1 to 64 of letters, digits and `. _ : -`,
    starting with a letter or digit (every id videoforge hands out is one)."""
    if not isinstance(value, str) or not _ID.fullmatch(value):
        raise InvalidRequestError(field, f"is not an id (1 to {ID_MAX} letters, digits and . _ : -)")
    return value
