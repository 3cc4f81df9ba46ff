"""The ``vigil`` command: one entry point for people who run Vigil.

Each subcommand is a Django management command; ``vigil manage ...`` reaches
every other one (``vigil manage createsuperuser``, ``vigil manage shell``).
"""

from __future__ import annotations

import os
import sys

COMMANDS = {
    ("demo",): ("demo", "Load the demo world (idempotent) and serve Vigil on http://127.0.0.1:8000"),
    ("serve",): ("serve", "Migrate the database and serve Vigil"),
    ("worker",): ("db_worker", "Run background jobs (vigil serve starts one itself)"),
    ("import", "signals"): ("import_signals", "Import a JSON Lines file of signals (formats/signal.schema.json)"),
    ("import", "ads"): ("import_ads", "Import a JSON Lines file of online ads (formats/ad.schema.json)"),
    ("ads", "recluster"): ("ads_recluster", "Make the template clusters again from all signatures (--engine numpy|spark)"),
    ("ads", "export"): ("ads_export", "Write the ads with phones, indicators, score, cluster and network as JSON Lines"),
    ("link", "persons"): ("link_persons", "Resolve persons across signals (Splink); judgements override the model"),
    ("link", "organisations"): ("link_organisations", "Resolve organisations across signals (Splink); judgements override the model"),
    ("link",): ("link", "Link signals and ad networks into the graph (resumable; --full recomputes networks)"),
    ("export", "ftm"): ("export_ftm", "Write the graph as FollowTheMoney entities (JSON Lines)"),
    ("assess", "train-reader"): ("train_reader", "Train the learned reader's heads on labelled sets (writes catalogue/reader.npz)"),
    ("assess",): ("assess", "Read texts (file or stdin) with the indicator catalogue; print JSON Lines readings"),
    ("protection", "reminders"): ("protection_reminders", "Make the reminders before victim-protection deadlines (idempotent, daily)"),
    ("api", "token"): ("api_token", "Create, list or revoke API tokens of partner systems"),
    ("audit", "verify"): ("audit_verify", "Check the hash chain of the audit log"),
    ("migrate",): ("migrate", "Bring the database schema up to date"),
    ("manage",): (None, "Run any Django management command"),
}


def usage() -> str:
    lines = ["usage: vigil COMMAND [options]   (vigil COMMAND --help for the options of one command)", "", "commands:"]
    for words, (_, text) in COMMANDS.items():
        lines.append(f"  {' '.join(words):<16} {text}")
    lines += ["", "environment: DATABASE_URL (default: embedded PostgreSQL in var/pgdata), VIGIL_DATA_DIR,",
              "VIGIL_SECRET_KEY, VIGIL_DEBUG, VIGIL_ALLOWED_HOSTS, VIGIL_LOG_FORMAT (json|console)"]
    return "\n".join(lines)


def resolve(argv: list[str]) -> list[str] | None:
    """Map ``vigil import signals x.jsonl`` to ``['import_signals', 'x.jsonl']``; None if unknown."""
    for words, (command, _) in sorted(COMMANDS.items(), key=lambda kv: -len(kv[0])):
        if tuple(argv[: len(words)]) == words:
            rest = argv[len(words):]
            return rest if command is None else [command, *rest]
    return None


def main(argv: list[str] | None = None) -> None:
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] in {"-h", "--help", "help"}:
        print(usage())
        return
    django_args = resolve(argv)
    if django_args is None:
        print(f"vigil: unknown command {' '.join(argv[:2])!r}\n\n{usage()}", file=sys.stderr)
        sys.exit(2)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vigil.settings")
    os.environ.setdefault("VIGIL_LOG_FORMAT", "console")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["vigil", *django_args])


if __name__ == "__main__":
    main()
