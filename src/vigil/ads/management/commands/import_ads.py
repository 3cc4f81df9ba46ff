from pathlib import Path

from vigil.ads.importer import import_ads
from vigil.intake.command import ImportCommand


class Command(ImportCommand):
    help = ("Import online ads from a JSON Lines file (formats/ad.schema.json): (site, id) is an ad, each new capture "
            "a version. Extraction, indicators, template clusters and networks are brought up to date; bad lines are "
            "reported with line number and reason; an interrupted import resumes; importing again changes nothing.")
    noun = "ads"

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument("--images", type=Path, help="folder the images[].path of the lines are relative to")
        parser.add_argument("--owner", default="", help="slug of the organisation that owns the ads "
                            "(default: VIGIL_DEFAULT_OWNER)")
        parser.add_argument("--workers", type=int, help="processes that extract and read ads (default: one per core)")
        how = parser.add_mutually_exclusive_group()
        how.add_argument("--bulk", dest="mode", action="store_const", const="bulk",
                         help="store everything first, then make clusters, networks and alerts in one pass (default "
                              "when no ads are stored or the file has at least as many lines as there are ads)")
        how.add_argument("--incremental", dest="mode", action="store_const", const="incremental",
                         help="link every batch against the stored ads (default for a file small against them)")

    def run(self, file, options, on_progress, on_error):
        return import_ads(file, owner=options["owner"], images=options["images"], workers=options["workers"],
                          mode=options["mode"], batch_size=options["batch_size"], restart=options["restart"],
                          on_progress=on_progress, on_error=on_error)
