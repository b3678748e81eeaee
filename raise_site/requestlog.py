"""Structured logs: one JSON object per line, and one line per request with a request id.

The id is taken from an X-Request-ID header when it looks like one (a proxy in front may set
it), or made here, and is sent back in X-Request-ID so that a visitor's report, the proxy's
log and ours can be matched. Every other log line written during the request carries it too.

Only the path of a request is logged: query strings can hold what visitors searched for,
and nothing here ever logs an IP address.
"""

import contextvars
import datetime
import json
import logging
import re
import time
import uuid

REQUEST_ID_RE = re.compile(r"[A-Za-z0-9._:-]{8,100}")
PATH_MAX_LENGTH = 300
# Attributes of a log record written out as fields of their own.
FIELDS = ("method", "path", "status", "duration_ms", "cache")

current_request_id = contextvars.ContextVar("current_request_id", default="")
logger = logging.getLogger("raise_site.requests")


class RequestLogMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.headers.get("X-Request-ID", "")
        request_id = incoming if REQUEST_ID_RE.fullmatch(incoming) else uuid.uuid4().hex
        request.request_id = request_id
        token = current_request_id.set(request_id)
        started = time.perf_counter()
        try:
            response = self.get_response(request)
            response["X-Request-ID"] = request_id
            logger.info(
                "request",
                extra={
                    "method": request.method,
                    "path": request.path[:PATH_MAX_LENGTH],
                    "status": response.status_code,
                    "duration_ms": round((time.perf_counter() - started) * 1000, 1),
                    "cache": response.get("X-Page-Cache", ""),
                },
            )
            return response
        finally:
            current_request_id.reset(token)


class JsonFormatter(logging.Formatter):
    """A log record as one line of JSON: time, level, logger, message, request id, fields."""

    def format(self, record):
        entry = {
            "time": datetime.datetime.fromtimestamp(record.created, datetime.UTC).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        # Django logs a request's error status after the middleware has finished; such
        # records carry the request itself.
        request_id = current_request_id.get() or getattr(
            getattr(record, "request", None), "request_id", ""
        )
        if request_id:
            entry["request_id"] = request_id
        for field in FIELDS:
            value = getattr(record, field, None)
            if value not in (None, ""):
                entry[field] = value
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False, default=str)
