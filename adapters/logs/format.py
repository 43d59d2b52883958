"""The two log formats and what both cut out.

`Redactor` takes every secret value the process was configured with (API keys, tokens, the JWT
and webhook secrets, a database password) and replaces each, wherever it appears in a formatted
line, message, exception text or traceback, with `[redacted]`; it also cuts what looks like a
credential even when it is no configured value: a JWT (`eyJ...`), what follows `Bearer `, the
password of a URL, and the value of a query parameter whose name says it holds one (token, key,
secret, signature, X-Amz-*...), as a signed URL's."""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from typing import Any

from videoforge.adapters.logs.context import log_fields

REDACTED = "[redacted]"
TraceIds = Callable[[], tuple[str, str] | None]  # (trace id, span id) of the current span, hex

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


class TextFormatter(logging.Formatter):
    """`time level logger: message [job_id=... user=...]`, redacted."""

    def __init__(self, redact: Redactor | None = None):
        super().__init__("%(asctime)s %(levelname)s %(name)s: %(message)s")
        self._redact = redact or Redactor()

    def format(self, record: logging.LogRecord) -> str:
        line = super().format(record)
        fields = log_fields()
        if fields:
            line += " [" + " ".join(f"{k}={v}" for k, v in fields.items()) + "]"
        return self._redact(line)


class JsonFormatter(logging.Formatter):
    """One JSON object per line: `time` (UTC, ISO 8601), `level`, `logger`, `message`, the fields
    bound to the context (`job_id`, `user`), `trace_id` and `span_id` when a span is current (with
    tracing on), `exception` (type, message and traceback) when there is one, every string redacted."""

    def __init__(self, redact: Redactor | None = None, trace_ids: TraceIds | None = None):
        super().__init__()
        self._redact = redact or Redactor()
        self._trace_ids = trace_ids

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname, "logger": record.name, "message": record.getMessage(),
        }
        entry.update(log_fields())
        ids = self._trace_ids() if self._trace_ids is not None else None
        if ids is not None:
            entry["trace_id"], entry["span_id"] = ids
        if record.exc_info and record.exc_info[0] is not None:
            entry["exception"] = self.formatException(record.exc_info)
        elif record.exc_text:
            entry["exception"] = record.exc_text
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        return json.dumps(self._redacted(entry), ensure_ascii=False, default=str)

    def _redacted(self, value: Any) -> Any:
        if isinstance(value, str):
            return self._redact(value)
        if isinstance(value, dict):
            return {k: self._redacted(v) for k, v in value.items()}
        return self._redact(str(value)) if not isinstance(value, int | float | bool) else value
