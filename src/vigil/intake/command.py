"""What every ``vigil import ...`` command does around the import itself: a progress bar with records/s and ETA,
bad lines printed as they come, an audit entry, a one-line summary, and exit status 1 when lines were rejected."""

import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from vigil.audit.log import record


class ImportCommand(BaseCommand):
    noun = "records"

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--batch-size", type=int, default=500)
        parser.add_argument("--restart", action="store_true", help="ignore the checkpoint of an interrupted run")
        parser.add_argument("--quiet-errors", action="store_true", help="only count bad lines, do not print them")

    def run(self, file: Path, options: dict, on_progress, on_error):
        """Import the file; returns an ``ImportReport``."""
        raise NotImplementedError

    def handle(self, file: Path, **options):
        if not file.is_file():
            raise CommandError(f"no such file: {file}")
        bar = tqdm(total=file.stat().st_size, unit="B", unit_scale=True, desc=f"import {file.name}",
                   file=sys.stderr, disable=None, mininterval=0.5)
        state = {"last": 0}

        def progress(done: int, lines: int) -> None:
            bar.update(done - state["last"])
            state["last"] = done
            rate = lines / bar.format_dict["elapsed"] if bar.format_dict["elapsed"] else 0
            bar.set_postfix_str(f"{lines} lines, {rate:,.0f} {self.noun}/s", refresh=False)

        def error(err) -> None:
            if not options["quiet_errors"]:
                bar.write(f"{file.name}: {err}", file=sys.stderr)

        try:
            report = self.run(file, options, progress, error)
        except KeyboardInterrupt:
            bar.close()
            raise CommandError("interrupted; run the same command again to resume") from None
        bar.close()
        record(None, "import", object_type="file", object_id=file.name,
               detail={"run": report.run_id, "created": report.result.created, "updated": report.result.updated,
                       "unchanged": report.result.unchanged, "rejected": len(report.errors)})
        resumed = f" (resumed at line {report.resumed_from_line + 1})" if report.resumed_from_line else ""
        self.stdout.write(
            f"{file.name}{resumed}: {report.lines} lines in {report.seconds:.1f} s ({report.rate:,.0f} lines/s): "
            f"{report.result.created} new, {report.result.updated} updated, {report.result.unchanged} unchanged, "
            f"{len(report.errors)} rejected")
        if report.errors:
            raise SystemExit(1)
