from vigil.intake.command import ImportCommand
from vigil.intake.importer import import_signals


class Command(ImportCommand):
    help = ("Import signals from a JSON Lines file (formats/signal.schema.json). Idempotent on (organisation, ref); "
            "bad lines are reported with line number and field and skipped; an interrupted import resumes.")
    noun = "signals"

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument("--owner", default="", help="slug of the organisation that owns the signals "
                            "(default: the sending organisation if known, else VIGIL_DEFAULT_OWNER)")

    def run(self, file, options, on_progress, on_error):
        return import_signals(file, owner=options["owner"], batch_size=options["batch_size"],
                              restart=options["restart"], on_progress=on_progress, on_error=on_error)
