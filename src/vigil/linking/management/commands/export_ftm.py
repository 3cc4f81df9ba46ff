import json
import sys
from pathlib import Path

from django.core.management.base import BaseCommand

from vigil.audit.log import record
from vigil.linking import ftm


class Command(BaseCommand):
    help = ("Write the graph (signals, ad networks, persons, organisations, addresses, vehicles, bank accounts, "
            "accounts, identity documents and the links between them) as FollowTheMoney entities, one JSON object "
            "per line. '-' writes to standard output. Narratives are not exported.")

    def add_arguments(self, parser):
        parser.add_argument("out", help="output file, or - for standard output")

    def handle(self, out, **_):
        n = 0
        stream = sys.stdout if out == "-" else Path(out).open("w", encoding="utf-8")
        try:
            for proxy in ftm.entities():
                stream.write(json.dumps(proxy.to_dict(), ensure_ascii=False, sort_keys=True) + "\n")
                n += 1
        finally:
            if stream is not sys.stdout:
                stream.close()
        record(None, "export", object_type="graph", object_id=out, detail={"ftm_entities": n})
        self.stderr.write(f"{n} FollowTheMoney entities written to {out}")
