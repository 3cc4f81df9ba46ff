import time

from django.core.management.base import BaseCommand

from vigil.ads import recluster
from vigil.audit.log import record


class Command(BaseCommand):
    help = ("Make the template clusters again from every stored signature in one pass (after a change of threshold "
            "or bands, or when ads' texts changed): in-process with NumPy, or with Spark (local mode unless "
            "SPARK_REMOTE or a session says otherwise). Ads signed with an older boilerplate stop list are signed "
            "again first.")

    def add_arguments(self, parser):
        parser.add_argument("--engine", choices=["numpy", "spark"], default="numpy")
        parser.add_argument("--stop-list", action="store_true",
                            help="count the boilerplate stop list again over every stored ad (a different list is "
                                 "a new version: every ad is signed again)")

    def handle(self, engine, stop_list, **_):
        started = time.perf_counter()
        self.stderr.write(f"reading signatures and computing clusters ({engine})...")
        result = recluster.recluster(engine, count_stop_list=stop_list)
        result["seconds"] = round(time.perf_counter() - started, 1)
        record(None, "update", object_type="ads", object_id="clusters", detail=result)
        self.stderr.write(", ".join(f"{k} {v}" for k, v in result.items()))
