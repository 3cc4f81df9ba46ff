import sys
from pathlib import Path

from django.core.management.base import BaseCommand

from vigil.ads.export import lines
from vigil.audit.log import record


class Command(BaseCommand):
    help = ("Write one JSON line per ad (latest capture): site, id, phones (E.164), emails, handles, language, ages, "
            "city, indicators, score, cluster, network. '-' writes to standard output.")

    def add_arguments(self, parser):
        parser.add_argument("out", help="output file, or - for standard output")

    def handle(self, out, **_):
        n = 0
        stream = sys.stdout if out == "-" else Path(out).open("w", encoding="utf-8")
        try:
            for line in lines():
                stream.write(line + "\n")
                n += 1
        finally:
            if stream is not sys.stdout:
                stream.close()
        record(None, "export", object_type="ads", object_id=out, detail={"ads": n})
        self.stderr.write(f"{n} ads written to {out}")
