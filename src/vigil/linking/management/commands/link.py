from vigil.linking import service
from vigil.linking.command import GraphCommand


class Command(GraphCommand):
    help = ("Link every signal the graph does not hold in its current version, and the ad networks, in batches "
            "committed one by one (an interrupted run goes on where it stopped). --full also recomputes every "
            "network from scratch and removes entities no source mentions any more.")
    audit_id = "link"

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument("--full", action="store_true")

    def run(self, options, progress):
        return (service.relink_all if options["full"] else service.link_stale)(progress)
