"""PostgreSQL's COPY text format, written by hand: psycopg formats rows only inside an open COPY, in the process
that holds the connection, while the ads import builds its rows in worker processes and the graph builds them for
a whole batch at once."""

from __future__ import annotations

import datetime as dt
import json
import re

_COPY_SPECIAL = re.compile(r"[\\\n\r\t]")


def _escaped(text: str) -> str:
    """Backslash, line ends and tabs escaped (four ``replace`` calls only when one is there: ``str.translate`` with
    a table costs a dictionary lookup per character)."""
    if _COPY_SPECIAL.search(text) is None:
        return text
    return text.replace("\\", "\\\\").replace("\n", "\\n").replace("\r", "\\r").replace("\t", "\\t")


_JSON_NUL = re.compile(r"(?<!\\)((?:\\\\)*)\\u0000")  # PostgreSQL's jsonb holds no NUL character


def _element(value) -> str:
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return str(value)


def copy_value(value) -> str:
    """One value in COPY text format: NULL, text, number, timestamp, bytea, a one-dimensional array or JSON."""
    if value is None:
        return "\\N"
    if isinstance(value, str):
        return _escaped(value)
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, bytes):
        return "\\\\x" + value.hex()
    if isinstance(value, list | tuple):
        return _escaped("{" + ",".join(map(_element, value)) + "}")
    if isinstance(value, dict):
        text = json.dumps(value, ensure_ascii=False, default=str)
        return _escaped(_JSON_NUL.sub(r"\1", text) if "\\u0000" in text else text)
    raise TypeError(f"no COPY text for {type(value).__name__}")


def copy_row(*values) -> bytes:
    """Values as the columns of one COPY line (without its line end), UTF-8. Raises UnicodeEncodeError for text
    that cannot be UTF-8 (a lone surrogate from a ``\\ud800`` escape)."""
    return "\t".join(map(copy_value, values)).encode()


def int_array(values) -> str:
    """A list of whole numbers as a PostgreSQL array literal: passed as one text parameter (``%s::bigint[]``), it
    costs nothing to adapt, where psycopg adapts a Python list element by element."""
    return "{" + ",".join(map(str, values)) + "}"
