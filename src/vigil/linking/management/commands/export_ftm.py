import json

from vigil.core.commands import ExportCommand
from vigil.linking import ftm


class Command(ExportCommand):
    help = ("Write the graph (signals, ad networks, persons, organisations, addresses, vehicles, bank accounts, "
            "accounts, identity documents and the links between them) as FollowTheMoney entities, one JSON object "
            "per line. '-' writes to standard output. Narratives are not exported.")
    object_type, counted, noun = "graph", "ftm_entities", "FollowTheMoney entities"

    def lines(self):
        return (json.dumps(p.to_dict(), ensure_ascii=False, sort_keys=True) for p in ftm.entities())
