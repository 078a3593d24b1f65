"""Logs as one JSON object per line, without personal data or rater links.

Rater links carry their secret in the path (/r/<token>/), and Django logs the path of every
4xx and 5xx response; the filter replaces the token before anything is written.
"""

import json
import logging
import re

RATER_LINK = re.compile(r"/r/[^/\s\"']+")
EMAIL = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")
# Sign-in through the provider: the callback's code and state, tokens in a query string, and
# anything shaped like a JWT.
OIDC_PARAM = re.compile(r"\b(code|state|id_token_hint|id_token|access_token)=[^&\s\"']+")
JWT = re.compile(r"\beyJ[\w-]+\.[\w-]+\.[\w-]*")


def redact(text):
    text = OIDC_PARAM.sub(r"\1=[redacted]", JWT.sub("[token]", text))
    return EMAIL.sub("[email]", RATER_LINK.sub("/r/[link]", text))


class RedactFilter(logging.Filter):
    def filter(self, record):
        record.msg = redact(record.getMessage())
        record.args = ()
        return True


class JsonFormatter(logging.Formatter):
    def format(self, record):
        entry = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S%z"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        status = getattr(record, "status_code", None)
        if status is not None:
            entry["status"] = status
        if record.exc_info:
            entry["error"] = redact(self.formatException(record.exc_info))
        return json.dumps(entry)
