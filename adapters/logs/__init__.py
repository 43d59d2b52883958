"""Log lines as operators read them: one JSON object per line or plain text, with the job, user and
trace of the record when known, and every secret the process knows cut out (`Redactor`)."""

from videoforge.adapters.logs.context import bound, log_fields
from videoforge.adapters.logs.format import JsonFormatter, Redactor, TextFormatter, TraceIds

__all__ = ["JsonFormatter", "Redactor", "TextFormatter", "TraceIds", "bound", "log_fields"]
