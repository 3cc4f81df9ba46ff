from vigil.linking import resolution
from vigil.linking.command import GraphCommand


class Command(GraphCommand):
    help = ("Resolve persons across signals with Splink (trained without labels; the analysts' judgements override "
            "the model), store the clusters and the scored pairs with their explanations, and link again the "
            "signals whose persons moved.")
    audit_id, bar_label = "persons", "linking again"

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument("--engine", choices=["duckdb", "spark"], default="duckdb")

    def run(self, options, progress):
        if not options["quiet"]:
            self.stderr.write(f"resolving persons ({options['engine']})...")
        return resolution.resolve_persons(options["engine"], progress)
