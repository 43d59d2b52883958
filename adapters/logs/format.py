"""The two log formats; both cut what `Redactor` (adapters/redact.py) cuts: every configured
secret, in messages, exception texts and tracebacks alike, and whatever looks like a credential."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from videoforge.adapters.logs.context import log_fields
from videoforge.adapters.redact import Redactor

TraceIds = Callable[[], tuple[str, str] | None]  # (trace id, span id) of the current span, hex

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
