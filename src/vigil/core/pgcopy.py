"""PostgreSQL's COPY text format, written by hand: psycopg formats rows only inside an open COPY, in the process
that holds the connection, while the ads import builds its rows in worker processes and the graph builds them for
a whole batch at once. And its binary format for columns of whole numbers, built and read by NumPy (the bulk link of
ads and the one-pass reclustering move millions of ids at a time)."""

from __future__ import annotations

import datetime as dt
import json
import re
from contextlib import contextmanager

import numpy as np
import orjson

_COPY_SPECIAL = re.compile(r"[\\\n\r\t]")


def _escaped(text: str) -> str:
    """Backslash, line ends and tabs escaped (four ``replace`` calls only when one is there: ``str.translate`` with
    a table costs a dictionary lookup per character)."""
    if _COPY_SPECIAL.search(text) is None:
        return text
    return text.replace("\\", "\\\\").replace("\n", "\\n").replace("\r", "\\r").replace("\t", "\\t")


_JSON_NUL = re.compile(r"(?<!\\)((?:\\\\)*)\\u0000")  # PostgreSQL's jsonb holds no NUL character
# JSON by orjson, four times faster than json.dumps(ensure_ascii=False, default=str) and the same once in jsonb (dates
# and dataclasses go to str() as before; NaN becomes null, which jsonb can hold). What orjson refuses (a lone
# surrogate, a number beyond 64 bits) goes to json.
_ORJSON = orjson.OPT_NON_STR_KEYS | orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_DATACLASS


def json_text(value, sort_keys: bool = False) -> str:
    try:
        return orjson.dumps(value, default=str, option=_ORJSON | (orjson.OPT_SORT_KEYS if sort_keys else 0)).decode()
    except orjson.JSONEncodeError:
        return json.dumps(value, ensure_ascii=False, default=str, sort_keys=sort_keys)


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
        text = json_text(value)
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


# --- binary COPY of whole numbers --------------------------------------------------------------------------------

COPY_HEADER = b"PGCOPY\n\xff\r\n\x00" + b"\x00" * 8  # the signature, no flags, no header extension


def _int64_rows(ncols: int) -> np.dtype:
    return np.dtype([("n", ">i2")] + [x for k in range(ncols) for x in ((f"l{k}", ">i4"), (f"v{k}", ">i8"))])


def copy_int64(cur, table: str, columns: tuple, arrays: list[np.ndarray]) -> None:
    """COPY columns of 64-bit whole numbers into a table in PostgreSQL's binary format, built by NumPy (millions of
    rows in a fraction of a second, where text rows are formatted one by one)."""
    n = len(arrays[0]) if arrays else 0
    rows = np.empty(n, dtype=_int64_rows(len(columns)))
    rows["n"] = len(columns)
    for k, values in enumerate(arrays):
        rows[f"l{k}"] = 8
        rows[f"v{k}"] = values
    with cur.cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN (FORMAT binary)") as copy:
        copy.write(COPY_HEADER)
        for start in range(0, n, 1_000_000):
            copy.write(rows[start:start + 1_000_000].tobytes())
        copy.write(b"\xff\xff")


def fetch_int64(cur, query: str, ncols: int) -> np.ndarray:
    """The rows of a query whose columns are all non-NULL bigints, as an n × ncols array (binary COPY)."""
    with cur.cursor.copy(f"COPY ({query}) TO STDOUT (FORMAT binary)") as copy:
        data = b"".join(bytes(block) for block in copy)
    rows = np.frombuffer(data[len(COPY_HEADER):-2], dtype=_int64_rows(ncols))
    return np.stack([rows[f"v{k}"].astype(np.int64) for k in range(ncols)], axis=1)


def drop_secondary_indexes(cur, tables: list[str]) -> list[tuple[str, str]]:
    """Drop the tables' indexes that are neither unique nor primary; returns (name, CREATE INDEX statement) of each,
    to build them again."""
    cur.execute("SELECT i.relname, pg_get_indexdef(i.oid) FROM pg_index x "
                "JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class t ON t.oid = x.indrelid "
                "WHERE t.relname = ANY(%s) AND t.relnamespace = current_schema()::regnamespace "
                "AND NOT x.indisunique AND NOT x.indisprimary ORDER BY i.relname", [list(tables)])
    found = cur.fetchall()
    for name, _definition in found:
        cur.execute(f'DROP INDEX "{name}"')
    return found


@contextmanager
def without_indexes(cur, table: str):
    """A table's non-unique indexes dropped while it is filled, built again afterwards: one sort per index instead
    of an insertion per row (the band index: 32 rows per ad, in random order)."""
    found = drop_secondary_indexes(cur, [table])
    yield
    for _name, definition in found:
        cur.execute(definition)
