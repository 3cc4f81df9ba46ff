import json
import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from vigil.assessment import catalogue as catalogues
from vigil.assessment.engine import assess


class Command(BaseCommand):
    help = ("Read texts with the indicator catalogue and print the full reading as JSON Lines. Input (a file, or "
            "standard input): one text per line, or JSON Lines with `text` (or `narrative`, or `title` + `body`), "
            "`language` and optional structured fields of the signal or ad formats. A bad line gives an error line "
            "naming it; the others are read. --stored brings the stored readings of all signals up to date instead.")

    def add_arguments(self, parser):
        parser.add_argument("file", nargs="?", default="-", help="input file; - or nothing for standard input")
        parser.add_argument("--language", default="", help="language of texts that do not say (nl, en, ro, ...)")
        parser.add_argument("--catalogue", default="", help="catalogue directory (default: the one in Vigil)")
        parser.add_argument("--patterns-only", action="store_true", help="read without the learned reader")
        parser.add_argument("--stored", action="store_true", help="(re)assess stored signals whose reading is out "
                            "of date (new version of the signal, or a new catalogue)")

    def handle(self, file, language, catalogue, stored, patterns_only, **_):
        try:
            cat = catalogues.load(catalogue) if catalogue else catalogues.current()
        except catalogues.CatalogueError as exc:
            raise CommandError(str(exc)) from None
        if stored:
            return self._stored()
        stream = sys.stdin.buffer if file == "-" else None
        if stream is None:
            path = Path(file)
            if not path.is_file():
                raise CommandError(f"no such file: {file}")
            stream = path.open("rb")
        bad = 0
        out = self.stdout
        for number, raw in enumerate(stream, start=1):
            try:
                line = raw.decode("utf-8").rstrip("\r\n")
            except UnicodeDecodeError as exc:
                bad += 1
                self._error(number, f"not valid UTF-8 at byte {exc.start}")
                continue
            if not line.strip():
                continue
            record = {"text": line}
            if line.lstrip().startswith("{"):
                try:
                    record = json.loads(line)
                except json.JSONDecodeError as exc:
                    bad += 1
                    self._error(number, f"not valid JSON: {exc.msg} (column {exc.colno})")
                    continue
                if record.get("language") is not None and not isinstance(record.get("language"), str):
                    bad += 1
                    self._error(number, "language: must be a string")
                    continue
            reading = assess(record, language, catalogue=cat, reader=not patterns_only)
            out.write(json.dumps({"line": number, **({"id": record["id"]} if "id" in record else {}), **reading},
                                 ensure_ascii=False))
        if bad:
            raise SystemExit(1)

    def _error(self, number: int, message: str) -> None:
        self.stderr.write(f"line {number}: {message}")
        self.stdout.write(json.dumps({"line": number, "error": message}))

    def _stored(self):
        from vigil.assessment import service

        total = service.stale_signals().count()
        bar = tqdm(total=total, unit="signals", desc="assess", file=sys.stderr, disable=None, mininterval=0.5)
        done = service.assess_stale(progress=bar.update)
        bar.close()
        self.stdout.write(f"{done} signals assessed with catalogue {catalogues.current().version}")
