"""What the export commands share: one line per record to a file or standard output, audited, counted."""

import sys
from collections.abc import Iterable
from pathlib import Path

from django.core.management.base import BaseCommand

from vigil.audit.log import record


class ExportCommand(BaseCommand):
    object_type = ""  # of the audit entry
    counted = ""  # the detail key of the audit entry
    noun = ""  # of the summary line

    def add_arguments(self, parser):
        parser.add_argument("out", help="output file, or - for standard output")

    def lines(self) -> Iterable[str]:
        raise NotImplementedError

    def handle(self, out, **_):
        n = 0
        stream = sys.stdout if out == "-" else Path(out).open("w", encoding="utf-8")
        try:
            for line in self.lines():
                stream.write(line + "\n")
                n += 1
        finally:
            if stream is not sys.stdout:
                stream.close()
        record(None, "export", object_type=self.object_type, object_id=out, detail={self.counted: n})
        self.stderr.write(f"{n} {self.noun} written to {out}")
