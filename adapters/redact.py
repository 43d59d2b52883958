"""What keeps secrets out of what operators see (log lines, span attributes): `Redactor` replaces
every secret value the process was configured with (API keys, tokens, the JWT and webhook
secrets, a database password) wherever it appears with `[redacted]`, and cuts what looks like a
credential even when it is no configured value: a JWT (`eyJ...`), what follows `Bearer`, `Basic`
or `Key`, the password of a URL, and the value of a query parameter whose name says it holds one
(token, key, secret, signature, X-Amz-*...), as a signed URL's."""

from __future__ import annotations

import re
from collections.abc import Iterable

REDACTED = "[redacted]"

_JWT = re.compile(r"eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*")
_BEARER = re.compile(r"\b((?i:bearer)|Basic|Key)\s+([A-Za-z0-9._~+/=-]{8,})")
_URL_PASSWORD = re.compile(r"(?i)\b([a-z][a-z0-9+.-]*://[^/\s:@]*:)([^@\s/]+)@")
_QUERY_CREDENTIAL = re.compile(
    r"(?i)([?&](?:[a-z0-9_.-]*(?:token|secret|passw(?:or)?d|signature|credential|api[_-]?key|auth)[a-z0-9_.-]*"
    r"|sig|key|code|x-amz-[a-z-]+|x-goog-[a-z-]+)=)([^&#\s\"']+)")
_MIN_SECRET = 6  # shorter values would cut ordinary words out of lines


class Redactor:
    def __init__(self, secrets: Iterable[str | None] = ()):
        values = {s for s in secrets if s and len(s) >= _MIN_SECRET}
        self._secrets = sorted(values, key=len, reverse=True)  # a longer secret containing a shorter one first

    def __call__(self, text: str) -> str:
        for secret in self._secrets:
            if secret in text:
                text = text.replace(secret, REDACTED)
        text = _JWT.sub(REDACTED, text)
        text = _BEARER.sub(lambda m: f"{m.group(1)} {REDACTED}", text)
        text = _URL_PASSWORD.sub(lambda m: f"{m.group(1)}{REDACTED}@", text)
        return _QUERY_CREDENTIAL.sub(lambda m: m.group(1) + REDACTED, text)
