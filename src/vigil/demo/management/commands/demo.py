from django.core.management import call_command
from django.core.management.base import BaseCommand

from vigil.core.management.commands.serve import serve
from vigil.demo.load import DEMO_PASSWORD, load_case_work, load_demo


class Command(BaseCommand):
    help = ("Create the demo world (organisations, one user per role, 2,000+ generated signals with hidden "
            "networks), idempotently, and serve Vigil.")

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=2026)
        parser.add_argument("--signals", type=int, default=2200)
        parser.add_argument("--ads", type=int, default=4000, help="captures of generated online ads to import")
        parser.add_argument("--no-serve", action="store_true", help="load the data and stop")
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)

    def handle(self, seed, signals, ads, no_serve, host, port, **_):
        call_command("migrate", interactive=False, verbosity=0)
        world, logins, result = load_demo(seed=seed, n_signals=signals)
        self.stdout.write(f"Demo world: {len(world.signals)} signals ({result.created} new, {result.updated} updated, "
                          f"{result.unchanged} unchanged), {len(world.organisations)} organisations.")
        from vigil.assessment import service

        # the queue can be sorted by priority from the first page view: the patterns now, the learned reader (a few
        # signals a second) by the background worker that `vigil serve` starts
        assessed = service.assess_stale(reader=False)
        self.stdout.write(f"Assessed {assessed} signals with the indicator catalogue's patterns.")
        if service.stale_signals().exists():
            from vigil.assessment.tasks import assess_pending
            from vigil.core.tasks import enqueue_once

            enqueue_once(assess_pending)
            self.stdout.write("The background worker reads them with the learned reader too.")
        if ads:
            self.stdout.write(demo_ads(ads, seed))
        from vigil.linking import resolution
        from vigil.linking import service as linking

        linked = linking.relink_all()  # signals and ad networks into the graph, networks computed
        persons = resolution.resolve_persons()  # one entity per person, however each source wrote the name
        organisations = resolution.resolve_organisations()  # ... and per organisation
        self.stdout.write(f"Linked {linked['signals']} signals and {linked['ad_networks']} ad networks; "
                          f"{persons['clusters']} persons and {organisations['clusters']} organisations found in "
                          f"several signals; {organisations['networks']} networks.")
        if signals:
            self.stdout.write(f"Case work: {load_case_work(world)}")
            from vigil.protection import demo as protection_demo

            made = protection_demo.load(world)
            records, flags = len(made["records"]), len(made["flags"])
            self.stdout.write(f"Victim protection (IND): {records} record{'s' * (records != 1)}, "
                              f"{flags} permit flag{'s' * (flags != 1)}.")
        self.stdout.write(f"\nDemo logins (password for all: {DEMO_PASSWORD}):")
        for username, role, org in logins:
            self.stdout.write(f"  {username:<12} {role:<20} {org}")
        if signals:
            from vigil.demo.load import DEMO_REPORTS

            self.stdout.write("\nDemo receipt codes for the public follow-up page (/nl/follow-up/): "
                              + ", ".join(code for code, *_ in DEMO_REPORTS))
        if not no_serve:
            self.stdout.write("")
            serve(host, port, self.stdout)


def demo_ads(n: int, seed: int) -> str:
    """Generated ad captures (multilingual, obfuscated phones, templates, networks moving between cities),
    imported once: a later start finds the finished import of the same file and skips it."""
    import json

    from django.conf import settings

    from vigil.ads import bulk, synth
    from vigil.ads.importer import import_ads
    from vigil.intake.importer import fingerprint
    from vigil.intake.models import ImportRun

    path = settings.DATA_DIR / f"demo-ads-{seed}-{n}.jsonl"
    if not path.exists():
        tmp = path.with_suffix(".part")
        with tmp.open("w", encoding="utf-8") as f:
            for ad, _truth in synth.generate(n, seed=seed):
                f.write(json.dumps(ad, ensure_ascii=False) + "\n")
        tmp.rename(path)
    if bulk.pending():  # a bulk load stopped while linking: finish it before deciding there is nothing to do
        bulk.link()
    if ImportRun.objects.filter(kind="ads", fingerprint=fingerprint(path), state=ImportRun.State.FINISHED).exists():
        return f"Demo ads: {path.name} already imported."
    report = import_ads(path)
    return (f"Demo ads: {report.lines} captures imported ({report.result.created} ads) in {report.seconds:.0f} s, "
            f"clustered and linked.")
