import time

from django.core.management.base import BaseCommand
from tqdm import tqdm

from vigil.audit.log import record
from vigil.linking import service


class Command(BaseCommand):
    help = ("Link every signal the graph does not hold in its current version, and the ad networks, in batches "
            "committed one by one (an interrupted run goes on where it stopped). --full also recomputes every "
            "network from scratch and removes entities no source mentions any more.")

    def add_arguments(self, parser):
        parser.add_argument("--full", action="store_true")
        parser.add_argument("--quiet", action="store_true", help="no progress bar")

    def handle(self, full, quiet, **_):
        started = time.perf_counter()
        bar = None

        def progress(done: int, total: int) -> None:
            nonlocal bar
            if quiet:
                return
            if bar is None:
                bar = tqdm(total=total, unit=" signals", desc="linking", file=self.stderr._out)
            bar.update(done - bar.n)

        result = (service.relink_all if full else service.link_stale)(progress)
        if bar is not None:
            bar.close()
        result["seconds"] = round(time.perf_counter() - started, 1)
        record(None, "update", object_type="graph", object_id="link", detail=result)
        self.stderr.write(", ".join(f"{k} {v}" for k, v in result.items()))
