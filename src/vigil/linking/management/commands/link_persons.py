from django.core.management.base import BaseCommand
from tqdm import tqdm

from vigil.audit.log import record
from vigil.linking import resolution


class Command(BaseCommand):
    help = ("Resolve persons across signals with Splink (trained without labels; the analysts' judgements override "
            "the model), store the clusters and the scored pairs with their explanations, and link again the "
            "signals whose persons moved.")

    def add_arguments(self, parser):
        parser.add_argument("--engine", choices=["duckdb", "spark"], default="duckdb")
        parser.add_argument("--quiet", action="store_true")

    def handle(self, engine, quiet, **_):
        bar = None

        def progress(done: int, total: int) -> None:
            nonlocal bar
            if quiet:
                return
            if bar is None:
                bar = tqdm(total=total, unit=" signals", desc="linking again", file=self.stderr._out)
            bar.update(done - bar.n)

        if not quiet:
            self.stderr.write(f"resolving persons ({engine})...")
        result = resolution.resolve_persons(engine, progress)
        if bar is not None:
            bar.close()
        record(None, "update", object_type="graph", object_id="persons", detail=result)
        self.stderr.write(", ".join(f"{k} {v}" for k, v in result.items()))
