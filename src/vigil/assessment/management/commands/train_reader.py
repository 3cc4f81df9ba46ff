import sys
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from vigil.assessment import catalogue as catalogues
from vigil.assessment import learn

# all nine labelled sets; each of the later ones measured the heads trained on the sets before it
# (docs/benchmarks.md): a tenth set, unseen, is needed to measure these
DEVELOPMENT_SETS = ("assess_eval", "assess_holdout", "assess_final", "assess_blind", "assess_fifth", "assess_sixth",
                    "assess_seventh", "assess_eighth", "assess_ninth")


class Command(BaseCommand):
    help = ("Train the learned reader's heads (one per indicator) on labelled sets — JSON Lines with `text` and "
            "`expected` indicator ids — and the catalogue's examples; writes reader.npz into the catalogue "
            "directory. Default: the project's nine labelled sets in benchmarks/.")

    def add_arguments(self, parser):
        parser.add_argument("--set", dest="sets", action="append", default=[],
                            help="a folder of labelled *.jsonl files (repeatable)")
        parser.add_argument("--catalogue", default=str(catalogues.DEFAULT_DIR), help="catalogue directory")
        parser.add_argument("--out", default="", help="where to write (default: CATALOGUE/reader.npz)")
        parser.add_argument("--threshold", type=float, default=learn.THRESHOLD)
        parser.add_argument("--cache", default=str(settings.DATA_DIR / "reader-embeddings.npz"),
                            help="embeddings kept between trainings (default: in the data folder); '' for none")

    def handle(self, sets, catalogue, out, threshold, cache, **_):
        folders = [Path(s) for s in sets] or [settings.REPO_DIR / "benchmarks" / name for name in DEVELOPMENT_SETS]
        missing = [str(f) for f in folders if not f.is_dir()]
        if missing:
            raise CommandError(f"no such folder: {', '.join(missing)}")
        try:
            cat = catalogues.load(catalogue, reader=False)
            items = learn.load_items(folders)
        except (catalogues.CatalogueError, ValueError) as exc:
            raise CommandError(str(exc)) from None
        heads = learn.train(cat, items, threshold=threshold, source=", ".join(f.name for f in folders),
                            progress=lambda message: print(message, file=sys.stderr, flush=True),
                            cache=Path(cache) if cache else None)
        target = Path(out) if out else Path(catalogue) / "reader.npz"
        heads.save(target)
        self.stdout.write(f"{len(heads.ids)} heads trained on {len(items)} items and {heads.meta['examples']} "
                          f"examples: {target}")
