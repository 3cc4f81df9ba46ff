from vigil.linking import resolution
from vigil.linking.command import GraphCommand


class Command(GraphCommand):
    help = ("Resolve organisations (the company rows of signals) across signals with Splink (trained without labels; "
            "the same KvK number is one organisation; the analysts' judgements override the model), store the "
            "clusters and the scored pairs with their explanations, and link again the signals whose companies moved.")
    audit_id, bar_label = "organisations", "linking again"

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument("--engine", choices=["duckdb", "spark"], default="duckdb")

    def run(self, options, progress):
        if not options["quiet"]:
            self.stderr.write(f"resolving organisations ({options['engine']})...")
        return resolution.resolve_organisations(options["engine"], progress)
