from vigil.ads.export import lines
from vigil.core.commands import ExportCommand


class Command(ExportCommand):
    help = ("Write one JSON line per ad (latest capture): site, id, phones (E.164), emails, handles, language, ages, "
            "city, indicators, score, cluster, network. '-' writes to standard output.")
    object_type, counted, noun = "ads", "ads", "ads"

    def lines(self):
        return lines()
