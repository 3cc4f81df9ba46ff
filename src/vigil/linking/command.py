"""What ``vigil link``, ``vigil link persons`` and ``vigil link organisations`` share around their run: a progress
bar once the run knows how many signals it links, the figures in the audit log, one summary line."""

import time

from django.core.management.base import BaseCommand
from tqdm import tqdm

from vigil.audit.log import record


class GraphCommand(BaseCommand):
    audit_id = ""  # object id of the audit entry ("graph" ...)
    bar_label = "linking"

    def add_arguments(self, parser):
        parser.add_argument("--quiet", action="store_true", help="no progress bar")

    def run(self, options: dict, progress) -> dict:
        """The run itself, calling ``progress(done, total)``; returns its figures."""
        raise NotImplementedError

    def handle(self, **options):
        started = time.perf_counter()
        bar = None

        def progress(done: int, total: int) -> None:
            nonlocal bar
            if options["quiet"]:
                return
            if bar is None:
                bar = tqdm(total=total, unit=" signals", desc=self.bar_label, file=self.stderr._out)
            bar.update(done - bar.n)

        result = self.run(options, progress)
        if bar is not None:
            bar.close()
        result.setdefault("seconds", round(time.perf_counter() - started, 1))
        record(None, "update", object_type="graph", object_id=self.audit_id, detail=result)
        self.stderr.write(", ".join(f"{k} {v}" for k, v in result.items()))
